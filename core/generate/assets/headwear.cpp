// Headwear: a shell over the top of the head, offset outward from the
// template's skin along its normals, closed at its lower edge by a band
// back to the skin so that no gap shows from below; a cap adds a visor.
// Shell vertices are bound to the skin vertex they were offset from, so the
// shell follows every head shape exactly.

#include <cmath>
#include <algorithm>
#include <utility>

#include "core/generate/assets/asset_builders.h"
#include "core/generate/assets/mesh_shapes.h"

namespace synthforge::generate {

AssetMesh buildHeadwear(const HeadwearShape& h, const head::HeadModel& model, const AssetHeadFrame& hf) {
    const int nv = model.numVertices();
    const float eyeY = 0.5f * (hf.leftEye.y() + hf.rightEye.y()), eyeZ = 0.5f * (hf.leftEye.z() + hf.rightEye.z());
    // The lower edge: frontEdge above the eyes at the forehead, sloping down
    // toward the back of the head as hats sit.
    const float foreheadZ = eyeZ + 0.02f;
    auto aboveEdge = [&](const Eigen::Vector3f& p) { return p.y() - (eyeY + h.frontEdge - 0.25f * (foreheadZ - p.z())); };
    auto covered = [&](const Eigen::Vector3f& p) { return aboveEdge(p) > 0.0f; };
    // A beanie's turned-up cuff: 2 cm above the edge stand 4 mm prouder,
    // easing into the crown over 6 mm.
    auto offset = [&](int v) {
        if (h.cap) return h.thickness;
        const float d = aboveEdge(model.vTemplate.row(v).transpose());
        const float t = std::clamp((d - 0.018f) / 0.006f, 0.0f, 1.0f);
        return h.thickness + 0.004f * (1.0f - t * t * (3.0f - 2.0f * t));
    };
    std::vector<std::uint8_t> inShell(static_cast<std::size_t>(nv), 0);
    std::vector<std::uint8_t> isEar(static_cast<std::size_t>(nv), 0);
    for (const auto* e : {&hf.leftEar, &hf.rightEar})
        for (std::int32_t v : *e) isEar[static_cast<std::size_t>(v)] = 1;
    for (std::int32_t v : hf.skin)
        if (!isEar[static_cast<std::size_t>(v)] && covered(model.vTemplate.row(v).transpose()))
            inShell[static_cast<std::size_t>(v)] = 1;

    AssetMesh m;
    const SkinShell sh = addSkinShell(m, model, hf, inShell, [&](int v) {
        return Eigen::Vector3f(model.vTemplate.row(v).transpose() + offset(v) * hf.normals.row(v).transpose());
    });
    const auto& rim = sh.rim;
    auto shell = [&](int v) { return sh.shellIndex[static_cast<std::size_t>(v)]; };

    if (h.cap && !rim.empty()) {
        // Visor: from the rim's front half, reaching forward and a little down.
        constexpr int kSteps = 16;
        constexpr float kSpan = 1.0f;  // radians either side of straight ahead
        const float length = 0.06f;
        std::vector<int> inner, outer;
        for (int s = 0; s <= kSteps; ++s) {
            const float phi = -kSpan + 2.0f * kSpan * static_cast<float>(s) / kSteps;
            const Eigen::Vector2f dir(std::sin(phi), std::cos(phi));
            int best = rim.front().first;
            float bestDot = -2.0f;
            for (const auto& e : rim) {
                const Eigen::Vector2f p(model.vTemplate(e.first, 0), model.vTemplate(e.first, 2));
                const float d = p.normalized().dot(dir);
                if (d > bestDot) bestDot = d, best = e.first;
            }
            const Eigen::Vector3f base = m.vertices[static_cast<std::size_t>(shell(best))];
            const float reach = length * std::pow(std::cos(phi), 1.5f) + 0.004f;
            const Eigen::Vector3f out = Eigen::Vector3f(0.15f * std::sin(phi), -0.22f, 1.0f).normalized();
            inner.push_back(m.addVertex(base, best));
            outer.push_back(m.addVertex(base + reach * out, best));
        }
        for (int s = 0; s < kSteps; ++s) m.addQuad(inner[s], inner[s + 1], outer[s + 1], outer[s]);
    }
    return m;
}

}  // namespace synthforge::generate
