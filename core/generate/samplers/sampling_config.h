#pragma once
// Which sampler turns (seed, index) into a sample, and its settings: the
// "sampler" section of a sampler config (core/generate/sampler.h), and what
// `synthforge generate --sampler` selects. docs/samplers.md describes each.
//
//   "sampler": {"name": "iid" | "sobol" | "stratified" | "diverse" | "identity" | "guided",
//               "axes": ["yaw", "pitch", "fov", "jaw", "shape:0", "expr:2"],  sobol, stratified
//               "bins": [5, 3],                                             stratified (one per axis)
//               "ranges": [[-0.4, 0.4], [-0.2, 0.3]],                       sobol, stratified (optional)
//               "features": "params" | "landmarks" | "backbone", "pool": 512, "block": 32,
//               "window": 8, "run": "runs/stage1" (backbone only),           diverse
//               "identities": 100, "per_identity": 10,                      identity
//               "run": "runs/stage1", "score": "nme" | "loss", "temperature": 1,
//               "pool": 64, "block": 16}                                     guided
//
// Keys that the chosen sampler does not read are refused, so a config never
// says something it does not do. "ranges", one [lo, hi] per axis, replaces
// the camera/head section's range for that axis only (the head section has
// one range for all shape components; a region found in the explorer grid
// is often one component's).

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace synthforge::generate {

/// A closed interval [lo, hi]; lo == hi fixes the value.
struct Range {
    double lo = 0.0, hi = 0.0;
    bool operator==(const Range& o) const { return lo == o.lo && hi == o.hi; }
};

enum class SamplerKind { Iid, Sobol, Stratified, Diverse, Identity, Guided };

/// "iid", "sobol", ... ; parse throws std::invalid_argument naming `field`
/// and the known names.
std::string samplerKindName(SamplerKind k);
SamplerKind parseSamplerKind(const std::string& name, const std::string& field);

/// One parameter a sobol or stratified sampler controls.
struct SamplingAxis {
    enum class Kind { Yaw, Pitch, Fov, Jaw, Shape, Expr } kind = Kind::Yaw;
    int component = 0;  ///< for Shape and Expr
    bool operator==(const SamplingAxis& o) const { return kind == o.kind && component == o.component; }
    /// "yaw", "pitch", "fov", "jaw", "shape:K", "expr:K".
    std::string name() const;
    /// Throws std::invalid_argument naming `field` and the accepted forms.
    static SamplingAxis parse(const std::string& text, const std::string& field);
};

/// What the diverse sampler measures distances in: the sampled parameters,
/// the projected landmarks, or a trained Stage I backbone's pooled features
/// of the rendered candidate (`run`; torch, through CandidateFeatures).
enum class DiverseFeatures { Params, Landmarks, Backbone };

/// The most axes a Sobol sampler takes (the direction numbers it carries).
constexpr int kMaxSobolAxes = 21;

struct SamplingConfig {
    SamplerKind kind = SamplerKind::Iid;
    std::vector<SamplingAxis> axes;  ///< sobol, stratified (empty: yaw and pitch)
    std::vector<int> bins;           ///< stratified, one per axis (empty: 5 for yaw, 3 otherwise)
    std::vector<Range> ranges;       ///< sobol, stratified: one per axis (empty: the config's ranges)
    DiverseFeatures features = DiverseFeatures::Params;
    int pool = 512;     ///< diverse, guided (default 64): candidates per block
    int block = 32;     ///< diverse, guided (default 16): samples chosen together
    int window = 8;     ///< diverse: earlier blocks whose picks a block keeps away from
    std::uint64_t identities = 0, perIdentity = 0;  ///< identity
    std::string run;           ///< guided, diverse backbone: the Stage I run (a folder)
    std::string score = "nme"; ///< guided: what makes a candidate hard: the run's landmark NME, or its loss
    double temperature = 1.0;  ///< guided: softmax temperature on the pool's standardised scores

    bool operator==(const SamplingConfig& o) const;
    bool operator!=(const SamplingConfig& o) const { return !(*this == o); }

    /// Axes and bins with their defaults filled in.
    std::vector<SamplingAxis> effectiveAxes() const;
    std::vector<int> effectiveBins() const;

    /// Throws std::invalid_argument naming the field ("sampler.bins: ..."):
    /// an axis repeated or outside the head's components, bins not one per
    /// axis or below 1, more than kMaxSobolAxes Sobol axes, pool < block,
    /// ranges not one per axis or not finite with lo <= hi,
    /// identity counts missing or zero, a guided sampler without a run or
    /// with a temperature that is not positive. `shapeComponents` and
    /// `exprComponents` are the head section's (an axis beyond them would
    /// control nothing).
    void validate(int shapeComponents, int exprComponents) const;
};

/// The guided sampler's pool and block when the section does not set them:
/// every candidate costs a render and a network forward pass, so its pool
/// is smaller than diverse's.
constexpr int kGuidedPool = 64, kGuidedBlock = 16;

/// Parses the "sampler" section (only the keys; validate() checks values
/// against the rest of the config). Errors: std::runtime_error
/// "<source>: sampler.<key>: <what>".
SamplingConfig parseSamplingSection(const nlohmann::json& section, const std::string& source);
/// The section with every key the sampler reads (parses back equal).
std::string samplingSectionJson(const SamplingConfig& c);

}  // namespace synthforge::generate
