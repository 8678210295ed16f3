#pragma once
// The sampler interface: (seed, index) -> one sample's parameters, for the
// dataset writer, `render` and the studio. Every sampler is deterministic in
// (config, model, seed, index) and reads no other sample's result, so shards
// of a run write exactly what one process writes (shard.h). The kinds, their
// config keys and trade-offs: sampling_config.h and docs/samplers.md.

#include <cstdint>
#include <memory>

#include "core/generate/sampler.h"

namespace synthforge::generate {

class Sampler {
public:
    virtual ~Sampler() = default;
    /// Sample `index` of the run with `seed`. Thread-safe.
    virtual SampleSpec draw(std::uint64_t seed, std::uint64_t index) const = 0;
};

/// The sampler `config.sampling` names. Throws std::invalid_argument for a
/// config that does not validate.
std::shared_ptr<const Sampler> makeSampler(const SamplerConfig& config, std::shared_ptr<const head::HeadModel> model);

/// Throws std::invalid_argument naming --identities and --per-identity when
/// the identity sampler's N x K samples are not `count`.
void checkSampleCount(const SamplingConfig& sampling, std::uint64_t count);

/// Where a sample's value of `axis` lies in the axis's configured range,
/// 0..1 (0.5 for a range of one value). For tests and coverage summaries.
double axisUnit(const SampleSpec& spec, const SamplerConfig& config, const SamplingAxis& axis);
/// Sets `axis` of `spec` to `value` in the axis's own units (radians for yaw,
/// pitch and jaw, degrees for the EG3D FOV, coefficients for shape:K, expr:K).
/// std::invalid_argument for a component the spec does not hold.
void setAxisValue(SampleSpec& spec, const SamplingAxis& axis, double value);
/// Sets `axis` of `spec` to the point `u` in 0..1 of its configured range.
void setAxisUnit(SampleSpec& spec, const SamplerConfig& config, const SamplingAxis& axis, double u);

/// The latent dimensions the identity sampler keeps per identity: the
/// procedural appearance's person (skin, hair, brows, lips, eyes, skin
/// texture and relief) and everything past what the procedural appearance
/// reads (a learned generator's latent code). The lighting, exposure and
/// background dimensions (isSceneLatentDim, appearance.h) vary per sample.
bool isIdentityLatentDim(int k);

}  // namespace synthforge::generate
