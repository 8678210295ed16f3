#pragma once
// The guided (task-guided) sampler: a dataset that concentrates where a
// trained model is weak. Candidates are drawn i.i.d., scored by a
// DifficultyScorer (a Stage I run's landmark NME against our exact
// annotations: core/train/torch_guided_scorer.h), and kept with a
// probability that rises with their difficulty.
//
// The rule. Sample i lies in block b = i / B (B = "block"). Block b has its
// own pool of P ("pool") i.i.d. candidates, candidate c being the i.i.d.
// draw (seed', b * P + c), seed' derived from the run's seed. Their scores
// s_c are standardised over the pool, z_c = (s_c - mean) / std (all 0 when
// the scores are equal), and each candidate gets the key
// k_c = z_c / T + G_c, with T the temperature and G_c a Gumbel(0, 1) draw
// of (seed'', b * P + c). The block's samples are the B candidates with the
// largest keys, in decreasing key order; sample i is the (i mod B)-th.
// With B = 1 this is the Gumbel-max trick: candidate c is chosen with
// probability exp(z_c / T) / sum exp(z_j / T), a softmax over the pool.
// Taking the top B keys samples B candidates without replacement in that
// softmax's sequential order (Gumbel-top-k), so with B > 1 a block also
// holds some easier candidates: B / P sets how selective a block can be.
// A block depends on (seed, b) only, so shards agree byte for byte and need
// no chain; each block costs P scorings.
//
// Scores are standardised so that T means the same for any scorer: at
// T = 1 a candidate one standard deviation harder than another is e times
// as likely to be kept; large T approaches i.i.d., small T the hardest.

#include <memory>
#include <vector>

#include "core/generate/samplers/samplers.h"

namespace synthforge::generate {

/// How hard each candidate is for the model being improved (higher = harder).
class DifficultyScorer {
public:
    virtual ~DifficultyScorer() = default;
    /// One finite score per spec, in order. Thread-safe.
    virtual std::vector<double> score(const std::vector<SampleSpec>& candidates) const = 0;
};

/// The guided sampler of `config` (kind Guided, validated) scoring with
/// `scorer`. std::invalid_argument for a null scorer.
std::shared_ptr<const Sampler> makeGuidedSampler(const SamplerConfig& config,
                                                 std::shared_ptr<const head::HeadModel> model,
                                                 std::shared_ptr<const DifficultyScorer> scorer);

}  // namespace synthforge::generate
