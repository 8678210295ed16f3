#pragma once
// `generate`'s sampler options: --sampler NAME, --identities N and
// --per-identity K, applied on top of the sampler config's "sampler"
// section (core/generate/samplers/sampling_config.h).

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "core/generate/sampler.h"

namespace synthforge::cli {

struct SamplerOptions {
    std::string sampler;  ///< empty: the config's (default iid)
    std::uint64_t identities = 0, perIdentity = 0;

    void addTo(CLI::App& cmd);
    /// Sets config.sampling from the options and checks the result against
    /// `count`. Throws std::invalid_argument naming the option: --sampler
    /// contradicting the config's section, --identities or --per-identity
    /// with another sampler, the identity sampler without its counts, or
    /// N x K differing from --count.
    void apply(generate::SamplerConfig& config, std::uint64_t count) const;
};

}  // namespace synthforge::cli
