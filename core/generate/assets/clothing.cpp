// Clothing: a collar around the lower neck that widens below the neck's end
// into the start of a top, so that the neck stump's cut never shows. Rings
// follow the neck's own cross-section (its widest skin at each angle and
// height) plus the cloth thickness; each vertex is bound to the nearest neck
// vertex.

#include <cmath>
#include <stdexcept>

#include "core/generate/assets/asset_builders.h"

namespace synthforge::generate {

AssetMesh buildClothing(const ClothingShape& c, const head::HeadModel& model, const AssetHeadFrame& hf) {
    if (hf.neck.empty()) throw std::invalid_argument("clothing: the head model has no 'neck' region");
    Eigen::Vector2f centre(0.0f, 0.0f);
    float yMin = 1e9f, yMax = -1e9f;
    for (std::int32_t v : hf.neck) {
        centre += Eigen::Vector2f(model.vTemplate(v, 0), model.vTemplate(v, 2));
        yMin = std::min(yMin, model.vTemplate(v, 1));
        yMax = std::max(yMax, model.vTemplate(v, 1));
    }
    centre /= static_cast<float>(hf.neck.size());
    constexpr int kAround = 48;
    const float height = std::min(c.height, 0.6f * (yMax - yMin));

    // Radius of the neck skin at angle theta and height y (window of 8 mm,
    // 0.2 rad); `fallback` where no vertex falls in it.
    // Each neck vertex's unit direction and distance from the axis, once.
    std::vector<Eigen::Vector2f> dirs;
    std::vector<float> dists;
    for (std::int32_t v : hf.neck) {
        const Eigen::Vector2f d = Eigen::Vector2f(model.vTemplate(v, 0), model.vTemplate(v, 2)) - centre;
        dists.push_back(d.norm());
        dirs.push_back(d.norm() > 0.0f ? Eigen::Vector2f(d / d.norm()) : Eigen::Vector2f(0.0f, 1.0f));
    }
    const float cosWindow = std::cos(0.2f);
    // Neck vertices within 8 mm of a ring's height (rebuilt per ring).
    std::vector<std::size_t> near;
    auto selectHeight = [&](float y) {
        near.clear();
        for (std::size_t k = 0; k < hf.neck.size(); ++k)
            if (std::abs(model.vTemplate(hf.neck[k], 1) - y) <= 0.008f) near.push_back(k);
    };
    auto neckRadius = [&](float theta, float fallback) {
        const Eigen::Vector2f dir(std::sin(theta), std::cos(theta));
        float best = -1.0f;
        for (std::size_t k : near)
            if (dirs[k].dot(dir) > cosWindow) best = std::max(best, dists[k]);
        return best > 0.0f ? best : fallback;
    };

    // Rings from the bottom (widest, below the neck's end) to the collar's
    // top, then a last ring tucked against the skin.
    struct Ring {
        float y, scale, extra;
    };
    const float base = yMin + 0.004f;
    const std::vector<Ring> rings{{base - 0.03f, 1.0f + c.flare, 0.0f},
                                  {base - 0.015f, 1.0f + 0.55f * c.flare, 0.0f},
                                  {base, 1.0f + 0.15f * c.flare, 0.0f},
                                  {base + 0.5f * height, 1.0f, 0.0f},
                                  {base + height, 1.0f, 0.0f},
                                  {base + height + 0.001f, 1.0f, -1.0f}};
    AssetMesh m;
    std::vector<float> skinR(kAround, 0.05f);
    for (std::size_t r = 0; r < rings.size(); ++r) {
        // Below the neck's end there is no skin: those rings read the base ring's height.
        selectHeight(std::max(rings[r].y, base));
        for (int i = 0; i < kAround; ++i) {
            const float theta = 6.2831853f * static_cast<float>(i) / kAround;
            const float skin = neckRadius(theta, skinR[static_cast<std::size_t>(i)]);
            if (rings[r].y <= base) skinR[static_cast<std::size_t>(i)] = skin;
            const float radius = rings[r].extra < 0.0f ? skin + 0.0005f : (skin + c.thickness) * rings[r].scale;
            m.addVertex({centre.x() + radius * std::sin(theta), rings[r].y, centre.y() + radius * std::cos(theta)});
        }
    }
    for (int r = 0; r + 1 < static_cast<int>(rings.size()); ++r)
        for (int i = 0; i < kAround; ++i) {
            const int j = (i + 1) % kAround;
            m.addQuad(r * kAround + i, r * kAround + j, (r + 1) * kAround + j, (r + 1) * kAround + i);
        }
    bindNearest(m, model, hf.neck);
    return m;
}

}  // namespace synthforge::generate
