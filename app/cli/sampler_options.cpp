#include "app/cli/sampler_options.h"

#include <filesystem>
#include <stdexcept>

#include "core/generate/samplers/samplers.h"

namespace synthforge::cli {

using generate::SamplerKind;

void SamplerOptions::addTo(CLI::App& cmd) {
    cmd.add_option("--sampler", sampler,
                   "iid (default), sobol, stratified, diverse, identity or guided; settings in the sampler config's "
                   "\"sampler\" section (docs/samplers.md)")
        ->check(CLI::IsMember({"iid", "sobol", "stratified", "diverse", "identity", "guided"}));
    cmd.add_option("--identities", identities, "Identity sampler: number of identities N (N x K = --count)")
        ->check(CLI::Range(1ull, 100000000ull));
    cmd.add_option("--per-identity", perIdentity, "Identity sampler: samples per identity K")
        ->check(CLI::Range(1ull, 100000000ull));
    cmd.add_option("--guide-run", guideRun,
                   "Guided sampler: the trained Stage I run whose landmark error makes a candidate hard (implies "
                   "--sampler guided)")
        ->type_name("DIR");
    cmd.add_option("--guide-temperature", guideTemperature,
                   "Guided sampler: softmax temperature on the standardised scores (small: hardest only; large: "
                   "i.i.d.; default 1)")
        ->check(CLI::PositiveNumber);
    cmd.add_option("--guide-score", guideScore,
                   "Guided sampler: what makes a candidate hard: nme (the run's landmark error, default) or loss (its "
                   "training loss on every task)")
        ->check(CLI::IsMember({"nme", "loss"}));
    cmd.add_option("--guide-device", guideDevice, "Where the guided sampler's network (or the diverse sampler's backbone) runs: auto, cpu or cuda")
        ->capture_default_str()
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
}

void SamplerOptions::apply(generate::SamplerConfig& config, std::uint64_t count) const {
    generate::SamplingConfig& s = config.sampling;
    if (!sampler.empty()) {
        const SamplerKind kind = generate::parseSamplerKind(sampler, "--sampler");
        // Settings of another sampler in the config would be silently unused.
        if (s.kind != SamplerKind::Iid && s.kind != kind)
            throw std::invalid_argument("--sampler " + sampler + ": the sampler config's \"sampler\" section is for " +
                                        generate::samplerKindName(s.kind) + "; change one or the other");
        // A guided sampler chosen here keeps its own pool and block defaults.
        if (kind == SamplerKind::Guided && s.kind != kind) s.pool = generate::kGuidedPool, s.block = generate::kGuidedBlock;
        s.kind = kind;
    }
    const bool guide = !guideRun.empty() || guideTemperature > 0 || !guideScore.empty();
    if (guide && sampler.empty() && s.kind == SamplerKind::Iid)
        s.kind = SamplerKind::Guided, s.pool = generate::kGuidedPool, s.block = generate::kGuidedBlock;
    if (guide && s.kind != SamplerKind::Guided)
        throw std::invalid_argument(std::string(!guideRun.empty()          ? "--guide-run"
                                                : guideTemperature > 0 ? "--guide-temperature"
                                                                       : "--guide-score") +
                                    ": only with the guided sampler (the sampler is " +
                                    generate::samplerKindName(s.kind) + ")");
    if (s.kind == SamplerKind::Guided) {
        if (!guideRun.empty()) s.run = std::filesystem::absolute(guideRun).lexically_normal().string();
        if (guideTemperature > 0) s.temperature = guideTemperature;
        if (!guideScore.empty()) s.score = guideScore;
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
