#pragma once
// Reading back `transfer eval`'s JSON (format synthforge-transfer-eval,
// version 1) for the studio's before/after view: per-sample structure drift
// and the identity figures. Torch-free.

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace synthforge::transfer {

struct TransferEvalSummary {
    bool hasStructure = false, hasIdentity = false;
    double sourceNme = NAN, translatedNme = NAN, maxNmeIncrease = NAN;
    std::map<std::string, double> nmeIncrease;  ///< sample name -> translated NME - source NME
    std::set<std::string> drifted;
    /// sample name -> the Stage I run's 68 landmarks on the translated image,
    /// x0, y0, x1, ... in its pixels (optional in the file).
    std::map<std::string, std::vector<float>> translatedLandmarks;
    double identityCosine = NAN, sameIdentity = NAN, differentIdentity = NAN;
    std::map<std::string, double> identityPerSample;  ///< sample name -> cosine (optional in the file)
};

/// Parses the JSON text; `path` names it in errors. std::runtime_error
/// "<path>: <field>: <what>" for text that is not such a report (wrong
/// format or a newer version, wrong types, a drifted name without a
/// per-sample entry).
TransferEvalSummary parseTransferEval(const std::string& text, const std::string& path);
/// Reads and parses `path` (at most 64 MiB).
TransferEvalSummary loadTransferEval(const std::string& path);

}  // namespace synthforge::transfer
