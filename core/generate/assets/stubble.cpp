#include "core/generate/assets/stubble.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/generate/assets/asset_builders.h"
#include "core/generate/assets/mesh_shapes.h"

namespace synthforge::generate {

StubbleField stubbleField(const head::HeadModel& model, const AssetHeadFrame& frame) {
    const std::vector<std::uint8_t> zone = beardZone(BeardStyle::Full, model, frame);
    const std::vector<float> inside = distanceInside(model, zone);
    StubbleField f;
    f.weight.assign(inside.size(), 0.0f);
    f.surface.assign(inside.size(), Eigen::Vector2f::Zero());
    // The axis stands behind the face, so the zone (in front of the ears)
    // never meets atan2's seam.
    constexpr float kRadius = 0.08f;
    const float axisZ = frame.ear.z() - 0.03f;
    for (std::size_t v = 0; v < inside.size(); ++v) {
        if (!zone[v]) continue;
        f.weight[v] = smoothStep(0.0f, 0.008f, inside[v]);
        const auto p = model.vTemplate.row(static_cast<Eigen::Index>(v));
        f.surface[v] = Eigen::Vector2f(kRadius * std::atan2(p.x(), p.z() - axisZ), p.y());
    }
    return f;
}

namespace {

/// A hash of a lattice site and a seed to three values in [0, 1) (21 bits
/// each of one mix: this runs a few times per stubble pixel).
Eigen::Vector3f siteHash(std::int64_t i, std::int64_t j, float seed) {
    std::uint64_t h = static_cast<std::uint64_t>(i) * 0x9E3779B97F4A7C15ull ^
                      static_cast<std::uint64_t>(j) * 0xC2B2AE3D27D4EB4Full ^
                      static_cast<std::uint64_t>(static_cast<std::int64_t>(seed)) * 0x165667B19E3779F9ull;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 32;
    constexpr float kScale = 1.0f / static_cast<float>(1u << 21);
    return Eigen::Vector3f(static_cast<float>(h & 0x1FFFFF), static_cast<float>((h >> 21) & 0x1FFFFF),
                           static_cast<float>((h >> 42) & 0x1FFFFF)) * kScale;
}

constexpr float kSpacing = 0.0008f;    // between hair follicles, metres
constexpr float kHairRadius = 0.00007f;  // a stubble hair seen from the front

}  // namespace

float stubbleCoverage(const StubbleShape& s, const Eigen::Vector2f& surface, float pixelMetres) {
    const float u = surface.x(), v = surface.y();
    const float radius = std::max(kHairRadius, 0.5f * pixelMetres);
    const float strength = kHairRadius / radius;  // a widened hair is fainter
    const float len = std::max(0.0f, s.length);
    // Only sites whose hair (root at rv, running down to rv - len) can come
    // within `radius`: roots in [u - radius, u + radius] x [v - radius, v + len + radius].
    const auto i0 = static_cast<std::int64_t>(std::floor((u - radius) / kSpacing));
    const auto i1 = static_cast<std::int64_t>(std::floor((u + radius) / kSpacing));
    const auto j0 = static_cast<std::int64_t>(std::floor((v - radius) / kSpacing));
    const auto j1 = static_cast<std::int64_t>(std::floor((v + len + radius) / kSpacing));
    float cover = 0.0f;
    for (std::int64_t j = j0; j <= j1; ++j)
        for (std::int64_t i = i0; i <= i1; ++i) {
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
