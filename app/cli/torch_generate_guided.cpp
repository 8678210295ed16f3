// synthforge-torch's half of `generate --sampler guided`: the guided sampler
// with a Stage I run as its scorer (app/cli/guided_sampler_hook.h).

#include "app/cli/guided_sampler_hook.h"
#include "app/cli/commands.h"
#include "core/generate/samplers/guided_sampler.h"
#include "core/train/guided_scorer.h"

namespace synthforge::cli {

void installGuidedSampler() {
    guidedSamplerFactory() = [](const generate::SamplePipeline& pipeline, const std::string& device) {
        train::GuidedScorerOptions o;
        o.run = pipeline.sampler.sampling.run;
        o.device = device;
        o.score = pipeline.sampler.sampling.score;
        return generate::makeGuidedSampler(pipeline.sampler, pipeline.model,
                                           train::makeRunDifficultyScorer(pipeline, o));
    };
}

}  // namespace synthforge::cli
