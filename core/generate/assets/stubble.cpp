#include "core/generate/assets/stubble.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/generate/assets/asset_builders.h"
#include "core/generate/assets/mesh_shapes.h"

namespace synthforge::generate {

std::vector<float> stubbleWeights(const head::HeadModel& model, const AssetHeadFrame& frame) {
    const std::vector<std::uint8_t> zone = beardZone(BeardStyle::Full, model, frame);
    const std::vector<float> inside = distanceInside(model, zone);
    std::vector<float> w(inside.size(), 0.0f);
    for (std::size_t v = 0; v < w.size(); ++v)
        if (zone[v]) w[v] = smoothStep(0.0f, 0.008f, inside[v]);
    return w;
}

namespace {

/// A hash of a lattice site and a seed to three values in [0, 1).
Eigen::Vector3f siteHash(std::int64_t i, std::int64_t j, float seed) {
    std::uint64_t h = static_cast<std::uint64_t>(i) * 0x9E3779B97F4A7C15ull ^
                      static_cast<std::uint64_t>(j) * 0xC2B2AE3D27D4EB4Full ^
                      static_cast<std::uint64_t>(static_cast<std::int64_t>(seed)) * 0x165667B19E3779F9ull;
    Eigen::Vector3f out;
    for (int k = 0; k < 3; ++k) {
        h ^= h >> 31;
        h *= 0xBF58476D1CE4E5B9ull;
        h ^= h >> 29;
        out[k] = static_cast<float>(h >> 40) / static_cast<float>(1ull << 24);
    }
    return out;
}

constexpr float kSpacing = 0.0008f;    // between hair follicles, metres
constexpr float kHairRadius = 0.00007f;  // a stubble hair seen from the front

}  // namespace

float stubbleCoverage(const StubbleShape& s, const Eigen::Vector3f& rest, float pixelMetres) {
    // Surface coordinates: arc length around a vertical axis behind the face
    // (so the jaw's sides are not squeezed) and height.
    constexpr float kRadius = 0.08f, kAxisZ = 0.0f;
    const float u = kRadius * std::atan2(rest.x(), rest.z() - kAxisZ), v = rest.y();
    const float radius = std::max(kHairRadius, 0.5f * pixelMetres);
    const float strength = kHairRadius / radius;  // a widened hair is fainter
    const float len = std::max(0.0f, s.length);
    const auto ci = static_cast<std::int64_t>(std::floor(u / kSpacing));
    const auto cj = static_cast<std::int64_t>(std::floor(v / kSpacing));
    const int reachUp = 1 + static_cast<int>(std::ceil((len + radius) / kSpacing));
    float cover = 0.0f;
    for (std::int64_t j = cj - 1; j <= cj + reachUp; ++j)
        for (std::int64_t i = ci - 1; i <= ci + 1; ++i) {
            const Eigen::Vector3f h = siteHash(i, j, s.seed);
            if (h.z() >= s.density) continue;
            // A hair from its root down the face (stubble lies downward).
            const float ru = (static_cast<float>(i) + h.x()) * kSpacing, rv = (static_cast<float>(j) + h.y()) * kSpacing;
            const float du = u - ru, dv = std::clamp(v, rv - len, rv) - v;
            const float d2 = du * du + dv * dv;
            if (d2 >= radius * radius) continue;
            cover = std::max(cover, strength * (1.0f - d2 / (radius * radius)));
        }
    return std::min(1.0f, cover);
}

}  // namespace synthforge::generate
