#pragma once
// The diverse sampler: greedy farthest-point selection from a pool of i.i.d.
// candidates, in blocks so that it stays deterministic and shard-safe.
//
// The rule. Sample i lies in block b = i / B (B = "block"). Block b has its
// own pool of P ("pool") i.i.d. candidates, candidate c being the i.i.d.
// draw (seed', b * P + c) with seed' derived from the run's seed. From the
// pool, B candidates are picked greedily: each pick is the candidate
// farthest (Euclidean, in the feature space) from everything picked so far
// in this block and from a fixed set of A ("anchors") i.i.d. points shared
// by all blocks; the first pick, with no anchors, is candidate 0. Sample i
// is the (i mod B)-th pick. Block b therefore depends only on (seed, b):
// any process computes it alone, and shards agree byte for byte.
//
// The trade-off. Spread is enforced within a block (and away from the
// anchors), not between blocks: two samples of different blocks are as
// close as two independent draws from the selection's distribution (which
// leans toward the edges of the ranges, as farthest-point selection does).
// A larger B spreads more samples jointly but costs more per block: P
// candidate draws (with "landmarks", P head forward passes) and B * P
// distance updates, paid by every process that needs any sample of the
// block. With interleaved shards (sample i on shard i mod n) every shard
// touches every block once B >= n, so the selection work is repeated per
// shard; rendering usually costs far more than the selection.
//
// Features: "params" are the sampled camera and head parameters (yaw,
// pitch, FOV, radius, shape and expression coefficients, jaw, gaze) each
// scaled to 0..1 by its configured range (fixed ones left out); "landmarks"
// are the 68 landmarks projected by the exact camera, in units of the image
// side (so pose, shape, expression and framing together).

#include <memory>

#include <Eigen/Core>

#include "core/generate/samplers/samplers.h"

namespace synthforge::generate {

std::shared_ptr<const Sampler> makeDiverseSampler(const SamplerConfig& config,
                                                  std::shared_ptr<const head::HeadModel> model);

/// The feature vector of a spec (for tests: distances the selection uses).
Eigen::VectorXd diverseFeatures(const SampleSpec& spec, const SamplerConfig& config, const head::HeadModel& model);

}  // namespace synthforge::generate
