#pragma once
// Helpers shared by the sampler property tests.

#include <memory>
#include <vector>

#include "core/generate/samplers/samplers.h"
#include "tests/support/tiny_head.h"

namespace synthforge::generate::testing {

inline std::shared_ptr<const head::HeadModel> tinyModel() {
    return std::make_shared<const head::HeadModel>(testutil::makeTinyHead(7, 4, 3));
}

/// A config for the tiny head: its 4 shape and 3 expression components.
inline SamplerConfig tinyConfig(SamplerKind kind) {
    SamplerConfig c;
    c.head.shapeComponents = 4;
    c.head.exprComponents = 3;
    c.latentDim = 48;
    c.sampling.kind = kind;
    return c;
}

/// Points of `n` samples on `axes`, each coordinate in 0..1.
inline std::vector<std::vector<double>> unitPoints(const Sampler& s, const SamplerConfig& c,
                                                   const std::vector<SamplingAxis>& axes, int n, std::uint64_t seed) {
    std::vector<std::vector<double>> pts;
    for (int i = 0; i < n; ++i) {
        const SampleSpec spec = s.draw(seed, static_cast<std::uint64_t>(i));
        std::vector<double> p;
        for (const SamplingAxis& a : axes) p.push_back(axisUnit(spec, c, a));
        pts.push_back(p);
    }
    return pts;
}

/// Equality of everything a spec holds.
inline bool sameSpec(const SampleSpec& a, const SampleSpec& b) {
    return a.index == b.index && a.params.shape == b.params.shape && a.params.expr == b.params.expr &&
           a.params.pose == b.params.pose && a.camera.yaw == b.camera.yaw && a.camera.pitch == b.camera.pitch &&
           a.camera.eg3dFovDeg == b.camera.eg3dFovDeg && a.camera.radius == b.camera.radius && a.z == b.z &&
           a.identity == b.identity;
}

}  // namespace synthforge::generate::testing
