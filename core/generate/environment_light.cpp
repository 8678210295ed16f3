#include "core/generate/environment_light.h"

#include <algorithm>
#include <cmath>

namespace synthforge::generate {

namespace {

/// The nine real SH basis functions (l <= 2) at unit direction d, in the
/// order EnvironmentSh::ambient evaluates them.
std::array<float, 9> basis(const Eigen::Vector3f& d) {
    const float x = d.x(), y = d.y(), z = d.z();
    return {0.282095f,
            0.488603f * y, 0.488603f * z, 0.488603f * x,
            1.092548f * x * y, 1.092548f * y * z, 0.315392f * (3.0f * z * z - 1.0f), 1.092548f * x * z,
            0.546274f * (x * x - y * y)};
}

/// Clamped-cosine convolution per band, divided by π: 1, 2/3, 1/4.
constexpr std::array<float, 9> kBandScale{1.0f, 2.0f / 3, 2.0f / 3, 2.0f / 3, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f};

}  // namespace

Rgb Dome::radiance(const Eigen::Vector3f& d) const {
    const float e = std::clamp(d.y(), -1.0f, 1.0f);
    // Above the horizon: horizon -> zenith as the sine of the elevation
    // rises; below it the ground, reached within a few degrees (a soft
    // horizon line, not a step).
    Rgb value = e >= 0.0f ? Rgb(horizon + (zenith - horizon) * std::sqrt(e))
                          : Rgb(horizon + (ground - horizon) * std::min(1.0f, -e * 8.0f));
    const float side = 0.5f + 0.5f * d.dot(sideDirection);
    return value * (1.0f + (sideGain - 1.0f) * side * side);
}

EnvironmentSh EnvironmentSh::fromDome(const Dome& dome, int samples) {
    EnvironmentSh sh;
    const float weight = 4.0f * static_cast<float>(M_PI) / static_cast<float>(samples);
    for (int k = 0; k < samples; ++k) {
        const float y = 1.0f - 2.0f * (static_cast<float>(k) + 0.5f) / static_cast<float>(samples);
        const float r = std::sqrt(std::max(0.0f, 1.0f - y * y)), phi = 2.399963f * static_cast<float>(k);
        const Eigen::Vector3f d(r * std::cos(phi), y, r * std::sin(phi));
        const Rgb l = dome.radiance(d) * weight;
        const std::array<float, 9> b = basis(d);
        for (int i = 0; i < 9; ++i) sh.c[static_cast<std::size_t>(i)] += l * b[static_cast<std::size_t>(i)];
    }
    for (int i = 0; i < 9; ++i) sh.c[static_cast<std::size_t>(i)] *= kBandScale[static_cast<std::size_t>(i)];
    return sh;
}

EnvironmentSh EnvironmentSh::constant(const Rgb& value) {
    EnvironmentSh sh;
    // A constant L projects onto Y00 only: L * sqrt(4π) (= L / 0.282095).
    sh.c[0] = value * (2.0f * std::sqrt(static_cast<float>(M_PI)));
    return sh;
}

}  // namespace synthforge::generate
