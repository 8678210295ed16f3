#pragma once
// A fitted FLAME-to-generator alignment (docs/alignment.md, "Fit directory"):
// the affine correction C applied to every posed head before the
// generator's FLAME->world map, what it was fitted for and how well, and
// optional per-sample refinements. Written by `synthforge align`, read by
// `generate --alignment`, `render`, `density` and the studio.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/head/lbs.h"

namespace synthforge::align {

inline constexpr const char* kAlignmentJson = "alignment.json";
inline constexpr const char* kAlignmentTensors = "alignment.safetensors";
inline constexpr const char* kAlignmentLosses = "losses.csv";

struct SampleResidual {
    std::int64_t index = 0;        ///< sample index of the fit's draw
    double residualPx = 0.0;       ///< RMS landmark movement of the per-sample refinement, pixels
    double vertexShiftMm = 0.0;    ///< mean vertex movement of the refinement, FLAME millimetres
};

struct AlignmentFit {
    std::string generatorName, generatorVersion, generatorFile;
    std::string headName;
    std::int64_t vertexCount = 0;
    /// FLAME metres -> FLAME metres, affine (last row 0 0 0 1).
    Eigen::Matrix4f correction = Eigen::Matrix4f::Identity();
    /// The generator's nominal FLAME -> world map M (its metadata's); the file
    /// stores M * C as "flame_to_world" for readers that want the whole map.
    Eigen::Matrix4f nominalFlameToWorld = Eigen::Matrix4f::Identity();
    std::int64_t samples = 0, steps = 0;
    std::map<std::string, double> weights;  ///< loss name -> weight
    std::map<std::string, double> final;    ///< loss name (and "total") -> last value
    std::vector<SampleResidual> perSample;  ///< empty without --per-sample
    /// Per-sample coefficient offsets, samples x K (empty without --per-sample).
    Eigen::MatrixXf sampleShape, sampleExpr;
    /// Per-sample translations, samples x 3, FLAME metres before the correction (empty without --per-sample).
    Eigen::MatrixXf sampleTranslation;

    Eigen::Matrix4f flameToWorld() const { return nominalFlameToWorld * correction; }
};

/// Writes alignment.json and alignment.safetensors into `dir` (created if
/// missing), each atomically.
void saveAlignmentFit(const std::string& dir, const AlignmentFit& fit);
/// Reads a fit directory (or its alignment.json). std::runtime_error naming
/// the file and field for a missing file, bad JSON, a wrong format, a
/// correction that is not a finite, invertible, orientation-keeping affine
/// map, or tensors that disagree with the JSON.
AlignmentFit loadAlignmentFit(const std::string& dirOrJson);

/// Checks a correction; std::invalid_argument naming `what` otherwise.
void validateCorrection(const Eigen::Matrix4f& c, const std::string& what);

}  // namespace synthforge::align
