#pragma once
// How `generate` gets the guided sampler (core/generate/samplers/guided_sampler.h).
// Its scorer runs a trained network, which only synthforge-torch links:
// there, torch_generate_guided.cpp sets guidedSamplerFactory(). The front
// end sets guidedSamplerFallback() instead, which replaces the process with
// synthforge-torch and the same argv (forward_to_torch.cpp), so
// `synthforge generate --sampler guided` works from either executable.

#include <functional>
#include <memory>
#include <string>

#include "core/generate/sample_pipeline.h"

namespace synthforge::cli {

/// Builds the guided drawer for `pipeline` (its sampler config is the guided
/// one), the network running on `device`.
using GuidedSamplerFactory =
    std::function<std::shared_ptr<const generate::Sampler>(const generate::SamplePipeline& pipeline,
                                                          const std::string& device)>;
GuidedSamplerFactory& guidedSamplerFactory();
/// Called when there is no factory; does not return (re-runs the command in
/// synthforge-torch). Also used for `--generator FILE.pt` (pipeline_options.h).
std::function<void()>& guidedSamplerFallback();

}  // namespace synthforge::cli
