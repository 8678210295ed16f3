#pragma once
// `generate`'s sampler options: --sampler NAME, --identities N and
// --per-identity K, --guide-run RUN, --guide-temperature T and --guide-score S, applied on top
// of the sampler config's "sampler" section
// (core/generate/samplers/sampling_config.h).

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "core/generate/sampler.h"

namespace synthforge::cli {

struct SamplerOptions {
    std::string sampler;  ///< empty: the config's (default iid)
    std::uint64_t identities = 0, perIdentity = 0;
    std::string guideRun;         ///< guided: the Stage I run (stored absolute)
    double guideTemperature = 0;  ///< guided: 0 = the config's (default 1)
    std::string guideScore;       ///< guided: "" = the config's (default nme)
    std::string guideDevice = "auto";  ///< where the guided sampler's network runs (not part of the dataset)

    void addTo(CLI::App& cmd);
    /// Sets config.sampling from the options and checks the result against
    /// `count`. Throws std::invalid_argument naming the option: --sampler
    /// contradicting the config's section, --identities or --per-identity
    /// with another sampler, the identity sampler without its counts, or
    /// N x K differing from --count, --guide-* with another sampler.
    void apply(generate::SamplerConfig& config, std::uint64_t count) const;
};

}  // namespace synthforge::cli
