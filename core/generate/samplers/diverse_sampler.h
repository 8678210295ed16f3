#pragma once
// The diverse sampler: greedy farthest-point selection from a pool of i.i.d.
// candidates, in blocks so that it stays deterministic and shard-safe.
//
// The rule. Sample i lies in block b = i / B (B = "block"). Block b has its
// own pool of P ("pool") i.i.d. candidates, candidate c being the i.i.d.
// draw (seed', b * P + c) with seed' derived from the run's seed. From the
// pool, B candidates are picked greedily: each pick is the candidate
// farthest (Euclidean, in the feature space) from everything picked so far
// in this block and in the W ("window") blocks before it; block 0's first
// pick is candidate 0. Sample i is the (i mod B)-th pick of its block.
// Block b thus depends on (seed, b) and blocks b-W .. b-1, which depend on
// theirs: a chain that starts at block 0 and involves nothing but the seed.
// Any process computes it alone, so shards agree byte for byte.
//
// The trade-off. Spread is enforced among the samples of W + 1 consecutive
// blocks; samples further apart in index than W * B are as close as two
// independent draws from the selection's distribution (which leans toward
// the edges of the ranges, as farthest-point selection does). The chain is
// sequential: every process walks it from block 0 up to its last sample,
// so shards repeat the selection rather than divide it. A block costs P
// candidate draws (with "landmarks", P head forward passes) and
// P * B * (W + 1) distances, so a larger block or window spreads more
// samples jointly at a cost per sample that grows with both. Rendering
// usually costs far more than the selection.
//
// Features: "params" are the sampled camera and head parameters (yaw,
// pitch, FOV, radius, shape and expression coefficients, jaw, gaze) each
// scaled to 0..1 by its configured range (fixed ones left out); "landmarks"
// are the 68 landmarks projected by the exact camera, in units of the image
// side (so pose, shape, expression and framing together); "backbone" are
// what a trained Stage I network sees in the rendered candidate: its
// backbone's features, averaged over the image and scaled to unit length
// (CandidateFeatures, core/train/backbone_features.h), so appearance,
// lighting and background count too. Backbone candidates cost a render and
// a forward pass each.

#include <memory>
#include <vector>

#include <Eigen/Core>

#include "core/generate/samplers/samplers.h"

namespace synthforge::generate {

/// Feature vectors of candidate samples, for "backbone" features (a network
/// the torch side provides).
class CandidateFeatures {
public:
    virtual ~CandidateFeatures() = default;
    /// One vector per spec, in order, all of one length. Thread-safe.
    virtual std::vector<Eigen::VectorXd> features(const std::vector<SampleSpec>& specs) const = 0;
};

/// std::invalid_argument when the features are "backbone" and `extractor`
/// is null (or "landmarks" on a model without them).
std::shared_ptr<const Sampler> makeDiverseSampler(const SamplerConfig& config,
                                                  std::shared_ptr<const head::HeadModel> model,
                                                  std::shared_ptr<const CandidateFeatures> extractor = nullptr);

/// The feature vector of a spec (for tests: distances the selection uses).
Eigen::VectorXd diverseFeatures(const SampleSpec& spec, const SamplerConfig& config, const head::HeadModel& model);

}  // namespace synthforge::generate
