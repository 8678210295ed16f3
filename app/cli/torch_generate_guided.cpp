// synthforge-torch's half of `generate --sampler guided` (a Stage I run as
// its scorer) and of the diverse sampler on backbone features (the run's
// backbone as its feature extractor); app/cli/guided_sampler_hook.h.

#include "app/cli/guided_sampler_hook.h"
#include "app/cli/commands.h"
#include "core/generate/samplers/diverse_sampler.h"
#include "core/generate/samplers/guided_sampler.h"
#include "core/train/guided_scorer.h"

namespace synthforge::cli {

void installGuidedSampler() {
    guidedSamplerFactory() = [](const generate::SamplePipeline& pipeline, const std::string& device)
        -> std::shared_ptr<const generate::Sampler> {
        train::GuidedScorerOptions o;
        o.run = pipeline.sampler.sampling.run;
        o.device = device;
        if (pipeline.sampler.sampling.kind == generate::SamplerKind::Diverse)
            return generate::makeDiverseSampler(pipeline.sampler, pipeline.model,
                                                train::makeRunCandidateFeatures(pipeline, o));
        o.score = pipeline.sampler.sampling.score;
        return generate::makeGuidedSampler(pipeline.sampler, pipeline.model,
                                           train::makeRunDifficultyScorer(pipeline, o));
    };
}

}  // namespace synthforge::cli
