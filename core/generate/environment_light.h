#pragma once
// The procedural "HDR environment" of a sample: a dome of sky, walls and
// ground around the head, whose diffuse light is kept as second-order
// spherical harmonics (Ramamoorthi & Hanrahan, "An efficient representation
// for irradiance environment maps", 2001: nine coefficients per channel
// reproduce the irradiance of any distant light within a few percent).
// Compact lights (the sun, windows and softboxes, a rim light) are not in
// the dome: they are DirectionalLights with an angular radius, shaded
// explicitly so that they cast shadows and highlights.

#include <algorithm>
#include <array>

#include <Eigen/Core>

namespace synthforge::generate {

using Rgb = Eigen::Vector3f;

/// Radiance of the dome by elevation: zenith above, horizon around, ground
/// below, blended smoothly (linear RGB, same units as the lights).
struct Dome {
    Rgb zenith{0.3f, 0.3f, 0.3f};
    Rgb horizon{0.3f, 0.3f, 0.3f};
    Rgb ground{0.15f, 0.15f, 0.15f};
    /// Brightness of the side the dome is brighter on (a window wall, the
    /// sky toward the sun), as a factor on that side: 1 = uniform.
    float sideGain = 1.0f;
    Eigen::Vector3f sideDirection{1.0f, 0.0f, 0.0f};  ///< unit, FLAME/world frame

    Rgb radiance(const Eigen::Vector3f& direction) const;
};

/// Irradiance of a distant environment as nine SH coefficients per channel,
/// already convolved with the clamped cosine and divided by π, so that
/// ambient(n) is the light a white Lambertian surface facing n reflects.
struct EnvironmentSh {
    std::array<Rgb, 9> c;

    EnvironmentSh() { c.fill(Rgb::Zero()); }  // Eigen leaves value-initialised vectors uninitialised

    /// Projects the dome (numerically, over a Fibonacci sphere of `samples`
    /// directions) and convolves it.
    static EnvironmentSh fromDome(const Dome& dome, int samples = 512);
    /// A constant environment of radiance `value` (then ambient(n) == value).
    static EnvironmentSh constant(const Rgb& value);

    /// Reflected light of a white Lambertian surface with unit normal `n`
    /// (same frame as the dome), clamped at 0. Inline: the renderer calls it
    /// twice per pixel.
    Rgb ambient(const Eigen::Vector3f& n) const {
        const float x = n.x(), y = n.y(), z = n.z();
        const float b[9] = {0.282095f,          0.488603f * y,         0.488603f * z,
                            0.488603f * x,      1.092548f * x * y,     1.092548f * y * z,
                            0.315392f * (3.0f * z * z - 1.0f), 1.092548f * x * z, 0.546274f * (x * x - y * y)};
        float r = 0.0f, g = 0.0f, bl = 0.0f;
        for (int i = 0; i < 9; ++i) {
            r += c[static_cast<std::size_t>(i)].x() * b[i];
            g += c[static_cast<std::size_t>(i)].y() * b[i];
            bl += c[static_cast<std::size_t>(i)].z() * b[i];
        }
        return {std::max(r, 0.0f), std::max(g, 0.0f), std::max(bl, 0.0f)};
    }
};

}  // namespace synthforge::generate
