#include "app/cli/sampler_options.h"

#include <stdexcept>

#include "core/generate/samplers/samplers.h"

namespace synthforge::cli {

using generate::SamplerKind;

void SamplerOptions::addTo(CLI::App& cmd) {
    cmd.add_option("--sampler", sampler,
                   "iid (default), sobol, stratified, diverse or identity; settings in the sampler config's "
                   "\"sampler\" section (docs/samplers.md)")
        ->check(CLI::IsMember({"iid", "sobol", "stratified", "diverse", "identity"}));
    cmd.add_option("--identities", identities, "Identity sampler: number of identities N (N x K = --count)")
        ->check(CLI::Range(1ull, 100000000ull));
    cmd.add_option("--per-identity", perIdentity, "Identity sampler: samples per identity K")
        ->check(CLI::Range(1ull, 100000000ull));
}

void SamplerOptions::apply(generate::SamplerConfig& config, std::uint64_t count) const {
    generate::SamplingConfig& s = config.sampling;
    if (!sampler.empty()) {
        const SamplerKind kind = generate::parseSamplerKind(sampler, "--sampler");
        // Settings of another sampler in the config would be silently unused.
        if (s.kind != SamplerKind::Iid && s.kind != kind)
            throw std::invalid_argument("--sampler " + sampler + ": the sampler config's \"sampler\" section is for " +
                                        generate::samplerKindName(s.kind) + "; change one or the other");
        s.kind = kind;
    }
    const bool counts = identities > 0 || perIdentity > 0;
    if (counts && sampler.empty() && s.kind == SamplerKind::Iid) s.kind = SamplerKind::Identity;
    if (counts && s.kind != SamplerKind::Identity)
        throw std::invalid_argument(std::string(identities > 0 ? "--identities" : "--per-identity") +
                                    ": only with the identity sampler (the sampler is " +
                                    generate::samplerKindName(s.kind) + ")");
    if (s.kind == SamplerKind::Identity) {
        if (identities > 0) s.identities = identities;
        if (perIdentity > 0) s.perIdentity = perIdentity;
        if (s.identities == 0 && s.perIdentity == 0)
            throw std::invalid_argument("--sampler identity: needs --identities N and --per-identity K (N x K = --count)");
        // One of the two follows from --count when it divides evenly.
        if (s.identities == 0) {
            if (count % s.perIdentity != 0)
                throw std::invalid_argument("--per-identity " + std::to_string(s.perIdentity) + ": does not divide --count " +
                                            std::to_string(count) + "; give --identities too");
            s.identities = count / s.perIdentity;
        }
        if (s.perIdentity == 0) {
            if (count % s.identities != 0)
                throw std::invalid_argument("--identities " + std::to_string(s.identities) + ": does not divide --count " +
                                            std::to_string(count) + "; give --per-identity too");
            s.perIdentity = count / s.identities;
        }
    }
    config.validate();
    generate::checkSampleCount(s, count);
}

}  // namespace synthforge::cli
