#include "core/transfer/transfer_eval_report.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/io/file_util.h"

namespace synthforge::transfer {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& field, const std::string& what) {
    throw std::runtime_error(path + ": " + field + ": " + what);
}

/// A number, or NaN for null (the writer's non-finite values).
double number(const nlohmann::json& j, const char* key, const std::string& path, const std::string& where) {
    if (!j.is_object() || !j.contains(key)) fail(path, where + "." + key, "missing");
    const nlohmann::json& v = j[key];
    if (v.is_null()) return NAN;
    if (!v.is_number()) fail(path, where + "." + key, "not a number");
    return v.get<double>();
}

}  // namespace

TransferEvalSummary parseTransferEval(const std::string& text, const std::string& path) {
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) fail(path, "(file)", "not a JSON object (truncated or not a transfer eval report)");
    if (!j.contains("format") || j["format"] != "synthforge-transfer-eval")
        fail(path, "format", "not synthforge-transfer-eval");
    if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int64_t>() < 1)
        fail(path, "version", "not a positive whole number");
    if (j["version"].get<int64_t>() > 1) fail(path, "version", std::to_string(j["version"].get<int64_t>()) + " is newer than this build reads (1)");
    TransferEvalSummary s;
    if (j.contains("structure")) {
        const nlohmann::json& st = j["structure"];
        if (!st.is_object()) fail(path, "structure", "not an object");
        s.hasStructure = true;
        if (!st.contains("nme") || !st["nme"].is_object()) fail(path, "structure.nme", "missing or not an object");
        s.sourceNme = number(st["nme"], "source", path, "structure.nme");
        s.translatedNme = number(st["nme"], "translated", path, "structure.nme");
        s.maxNmeIncrease = number(st, "max_nme_increase", path, "structure");
        if (!st.contains("per_sample") || !st["per_sample"].is_array())
            fail(path, "structure.per_sample", "missing or not an array");
        for (const auto& e : st["per_sample"]) {
            if (!e.is_object() || !e.contains("name") || !e["name"].is_string())
                fail(path, "structure.per_sample", "an entry without a name");
            const std::string name = e["name"].get<std::string>();
            s.nmeIncrease[name] = number(e, "nme_increase", path, "structure.per_sample");
            if (e.contains("translated_landmarks")) {
                const nlohmann::json& pts = e["translated_landmarks"];
                const std::string field = "structure.per_sample." + name + ".translated_landmarks";
                if (!pts.is_array() || pts.size() != 136) fail(path, field, "not 68 (x, y) pairs (136 numbers)");
                std::vector<float> v;
                for (const auto& x : pts) {
                    if (!x.is_number() || !std::isfinite(x.get<double>())) fail(path, field, "not finite numbers");
                    v.push_back(x.get<float>());
                }
                s.translatedLandmarks[name] = std::move(v);
            }
        }
        if (!st.contains("drifted") || !st["drifted"].is_array()) fail(path, "structure.drifted", "missing or not an array");
        for (const auto& d : st["drifted"]) {
            if (!d.is_string()) fail(path, "structure.drifted", "not a list of sample names");
            if (!s.nmeIncrease.count(d.get<std::string>()))
                fail(path, "structure.drifted", "'" + d.get<std::string>() + "' has no per_sample entry");
            s.drifted.insert(d.get<std::string>());
        }
    }
    if (j.contains("identity")) {
        const nlohmann::json& id = j["identity"];
        if (!id.is_object()) fail(path, "identity", "not an object");
        s.hasIdentity = true;
        s.identityCosine = number(id, "source_to_translated", path, "identity");
        s.sameIdentity = number(id, "same_identity", path, "identity");
        s.differentIdentity = number(id, "different_identity", path, "identity");
        if (id.contains("per_sample")) {
            if (!id["per_sample"].is_array()) fail(path, "identity.per_sample", "not an array");
            for (const auto& e : id["per_sample"]) {
                if (!e.is_object() || !e.contains("name") || !e["name"].is_string())
                    fail(path, "identity.per_sample", "an entry without a name");
                s.identityPerSample[e["name"].get<std::string>()] = number(e, "cosine", path, "identity.per_sample");
            }
        }
    }
    return s;
}

TransferEvalSummary loadTransferEval(const std::string& path) {
    return parseTransferEval(io::readFileText(path, 64ull << 20), path);
}

}  // namespace synthforge::transfer
