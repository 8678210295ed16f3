#pragma once
// The difficulty a trained Stage I run has with a candidate sample, for the
// guided sampler (core/generate/samplers/guided_sampler.h): the candidate is
// rendered at the run's training size by the dataset's own pipeline, the
// run's network predicts its landmarks, and the score is the NME against our
// exact landmarks (outer-eye-corner normalisation, as `synthforge eval`).
// Torch-free: implemented in torch_guided_scorer.cpp.

#include <memory>
#include <string>

#include "core/generate/sample_pipeline.h"
#include "core/generate/samplers/guided_sampler.h"

namespace synthforge::train {

struct GuidedScorerOptions {
    std::string run;           ///< Stage I run folder
    std::string weights = "final";  ///< final, best or a .safetensors file (run_weights.h)
    std::string device = "auto";    ///< auto | cpu | cuda
    int batch = 16;            ///< candidates per forward pass
    int threads = 0;           ///< torch intra-op threads; 0 = leave torch's default
};

/// A scorer rendering through `pipeline` (its size, sampler and drawer are
/// replaced; segmentation and normals are not computed for scoring).
/// std::runtime_error naming the run for a missing or unfinished run, a
/// Stage II run, or a run whose class count differs from the classes the
/// pipeline writes.
std::shared_ptr<const generate::DifficultyScorer> makeRunDifficultyScorer(const generate::SamplePipeline& pipeline,
                                                                          const GuidedScorerOptions& options);

}  // namespace synthforge::train
