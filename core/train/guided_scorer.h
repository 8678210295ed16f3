#pragma once
// The difficulty a trained Stage I run has with a candidate sample, for the
// guided sampler (core/generate/samplers/guided_sampler.h): the candidate is
// rendered at the run's training size by the dataset's own pipeline and the
// run's network predicts it. The score is either
//   nme:  the landmark NME against our exact landmarks (outer-eye-corner
//         normalisation, as `synthforge eval`), or
//   loss: the run's own supervised loss against our exact annotations
//         (segmentation, depth, landmarks and heatmaps, weighted by the
//         run's config.json), the number its validation reports, without
//         the equivariance term (it needs a random warp) and in float32.
// NME targets the landmark task alone; loss weighs every task the way the
// network was trained to, so segmentation and depth failures count too.
// Torch-free: implemented in torch_guided_scorer.cpp.

#include <memory>
#include <string>

#include "core/generate/sample_pipeline.h"
#include "core/generate/samplers/diverse_sampler.h"
#include "core/generate/samplers/guided_sampler.h"

namespace synthforge::train {

struct GuidedScorerOptions {
    std::string run;           ///< Stage I run folder
    std::string weights = "final";  ///< final, best or a .safetensors file (run_weights.h)
    std::string device = "auto";    ///< auto | cpu | cuda
    std::string score = "nme";      ///< nme | loss
    int batch = 16;            ///< candidates per forward pass
    int threads = 0;           ///< torch intra-op threads; 0 = leave torch's default
};

/// A scorer rendering through `pipeline` (its size, sampler and drawer are
/// replaced; segmentation and normals are not computed for scoring).
/// std::runtime_error naming the run for a missing or unfinished run, a
/// Stage II run, a run whose class count differs from the classes the
/// pipeline writes, or (loss) a pipeline without segmentation or a run
/// without a readable config.json; std::invalid_argument for an unknown score.
std::shared_ptr<const generate::DifficultyScorer> makeRunDifficultyScorer(const generate::SamplePipeline& pipeline,
                                                                          const GuidedScorerOptions& options);

/// The diverse sampler's "backbone" features from the same run (`score` is
/// not used): each candidate rendered at the run's size, the backbone's
/// output averaged over the image and scaled to unit length, so distances
/// compare directions of the network's description. Errors as above.
std::shared_ptr<const generate::CandidateFeatures> makeRunCandidateFeatures(const generate::SamplePipeline& pipeline,
                                                                            const GuidedScorerOptions& options);

}  // namespace synthforge::train
