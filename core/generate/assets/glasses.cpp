// Parametric glasses: two rims around the eyes in a plane just in front of
// the brow and cheeks, a bridge arched over the nose, temples running back
// along the side of the head to the top of the ears, and lenses as
// transparent faces filling the rims.

#include <cmath>

#include "core/generate/assets/asset_builders.h"
#include "core/generate/assets/mesh_shapes.h"

namespace synthforge::generate {

namespace {

constexpr int kRimSegments = 40;
constexpr float kClearance = 0.004f;  // frame to skin, metres

/// Point of the rim outline at angle t: an ellipse, or a superellipse
/// (a rounded rectangle) for rectangular frames.
Eigen::Vector2f outline(float t, float ra, float rb, bool rectangular) {
    const float c = std::cos(t), s = std::sin(t);
    if (!rectangular) return {ra * c, rb * s};
    const float e = 2.0f / 5.0f;
    return {ra * std::copysign(std::pow(std::abs(c), e), c), rb * std::copysign(std::pow(std::abs(s), e), s)};
}

struct RimFrame {
    float centreX, centreY, planeZ;
};

/// One rim as a box-section ring plus its lens; `side` +1 = subject's left (+x).
void addRim(AssetMesh& m, const GlassesShape& g, const RimFrame& f, float side) {
    const float fz = f.planeZ + 0.5f * g.frameDepth, bz = f.planeZ - 0.5f * g.frameDepth;
    const float a = g.rimHalfWidth, b = g.rimHalfHeight, w = g.frameWidth;
    const int first = m.numVertices();
    for (int i = 0; i < kRimSegments; ++i) {
        const float t = 6.2831853f * static_cast<float>(i) / kRimSegments;
        const Eigen::Vector2f outer = outline(t, a + w, b + w, g.rectangular), inner = outline(t, a, b, g.rectangular);
        const float ox = side * (f.centreX + outer.x()), ix = side * (f.centreX + inner.x());
        m.addVertex({ox, f.centreY + outer.y(), fz});
        m.addVertex({ix, f.centreY + inner.y(), fz});
        m.addVertex({ix, f.centreY + inner.y(), bz});
        m.addVertex({ox, f.centreY + outer.y(), bz});
    }
    for (int i = 0; i < kRimSegments; ++i) {
        const int j = (i + 1) % kRimSegments;
        for (int k = 0; k < 4; ++k) {
            const int kn = (k + 1) % 4;
            m.addQuad(first + 4 * i + k, first + 4 * i + kn, first + 4 * j + kn, first + 4 * j + k);
        }
    }
    // The lens: a fan in the rim's mid plane, inside the inner outline.
    const int centre = m.addVertex({side * f.centreX, f.centreY, f.planeZ});
    const int ring = m.numVertices();
    for (int i = 0; i < kRimSegments; ++i) {
        const Eigen::Vector2f p = outline(6.2831853f * static_cast<float>(i) / kRimSegments, a, b, g.rectangular);
        m.addVertex({side * (f.centreX + p.x()), f.centreY + p.y(), f.planeZ});
    }
    for (int i = 0; i < kRimSegments; ++i) m.addTriangle(centre, ring + i, ring + (i + 1) % kRimSegments, true);
}

}  // namespace

AssetMesh buildGlasses(const GlassesShape& g, const head::HeadModel& model, const AssetHeadFrame& hf) {
    const std::vector<std::int32_t>& skin = hf.skin;
    const float eyeX = 0.5f * (hf.leftEye.x() - hf.rightEye.x());
    const float eyeY = 0.5f * (hf.leftEye.y() + hf.rightEye.y()), eyeZ = 0.5f * (hf.leftEye.z() + hf.rightEye.z());
    const float a = g.rimHalfWidth, b = g.rimHalfHeight, w = g.frameWidth;
    RimFrame f{eyeX + 0.001f, eyeY + 0.002f, 0.0f};
    // The rim plane clears the brow ridge and cheeks behind the rims (the
    // nose is left out: the rims' inner corners sit beside it, as on pads).
    const float skinZ = maxOver(
        model, skin,
        [&](const Eigen::Vector3f& p) {
            const float x = std::abs(p.x());
            return std::abs(p.y() - f.centreY) < b + w && x > f.centreX - 0.6f * a && x < f.centreX + a + w;
        },
        [](const Eigen::Vector3f& p) { return p.z(); }, eyeZ);
    f.planeZ = std::max(eyeZ + 0.02f, skinZ + kClearance + 0.5f * g.frameDepth);

    AssetMesh m;
    addRim(m, g, f, +1.0f);
    addRim(m, g, f, -1.0f);

    // Bridge: between the rims' inner edges, arched forward over the nose.
    const float bridgeY = f.centreY + 0.3f * b;
    const Eigen::Vector2f innerEdge = outline(3.14159265f - 0.3f, a + 0.5f * w, b + 0.5f * w, g.rectangular);
    const float bridgeX = f.centreX - std::abs(innerEdge.x());
    const float noseZ = maxOver(
        model, skin, [&](const Eigen::Vector3f& p) { return std::abs(p.x()) < 0.006f && std::abs(p.y() - bridgeY) < 0.004f; },
        [](const Eigen::Vector3f& p) { return p.z(); }, f.planeZ);
    const float bump = std::max(0.0f, noseZ + kClearance - f.planeZ);
    std::vector<Eigen::Vector3f> bridge;
    for (int i = 0; i <= 6; ++i) {
        const float u = -1.0f + 2.0f * static_cast<float>(i) / 6.0f;
        bridge.emplace_back(u * bridgeX, bridgeY + 0.002f * (1.0f - u * u), f.planeZ + bump * (1.0f - u * u));
    }
    addTube(m, bridge, Eigen::Vector3f::UnitY(), 0.0015f, 0.0015f);

    // Temples: from the rims' upper outer corners straight back to the top
    // of the ears, pushed outward wherever the side of the head would cut
    // through them, then bent down behind the ear.
    const Eigen::Vector2f hinge = outline(0.35f, a + w, b + w, g.rectangular);
    // The ears stick out: temples rest on their top, so they do not push the
    // temples outward.
    std::vector<std::uint8_t> isEar(static_cast<std::size_t>(model.numVertices()), 0);
    for (const auto* e : {&hf.leftEar, &hf.rightEar})
        for (std::int32_t v : *e) isEar[static_cast<std::size_t>(v)] = 1;
    std::vector<std::int32_t> headSide;
    for (std::int32_t v : skin)
        if (!isEar[static_cast<std::size_t>(v)]) headSide.push_back(v);
    for (float side : {+1.0f, -1.0f}) {
        const std::vector<std::int32_t>& ear = side > 0 ? hf.leftEar : hf.rightEar;
        float endY = f.centreY + hinge.y(), endZ = hf.jaw.z() - 0.01f;
        if (!ear.empty()) {
            float z = 0.0f, top = -1e9f;
            for (std::int32_t v : ear) z += model.vTemplate(v, 2), top = std::max(top, model.vTemplate(v, 1));
            endZ = z / static_cast<float>(ear.size());
            endY = top + 0.002f;
        }
        const Eigen::Vector3f start(side * (f.centreX + hinge.x()), f.centreY + hinge.y(), f.planeZ - 0.5f * g.frameDepth);
        constexpr int kPoints = 10;
        std::vector<Eigen::Vector3f> temple;
        // Only the skin along the temple's band can push it out: filter once.
        std::vector<std::int32_t> band;
        const float yLo = std::min(start.y(), endY) - 0.007f, yHi = std::max(start.y(), endY) + 0.007f;
        for (std::int32_t v : headSide)
            if (model.vTemplate(v, 0) * side > 0.0f && model.vTemplate(v, 1) > yLo && model.vTemplate(v, 1) < yHi)
                band.push_back(v);
        auto skinX = [&](float y, float z) {
            return maxOver(
                model, band,
                [&](const Eigen::Vector3f& p) {
                    return p.x() * side > 0.0f && std::abs(p.y() - y) < 0.006f && std::abs(p.z() - z) < 0.006f;
                },
                [&](const Eigen::Vector3f& p) { return std::abs(p.x()); }, 0.0f);
        };
        const float endX = std::max(std::abs(start.x()), skinX(endY, endZ) + kClearance);
        for (int k = 0; k <= kPoints; ++k) {
            const float t = static_cast<float>(k) / kPoints;
            const float y = start.y() + t * (endY - start.y()), z = start.z() + t * (endZ - start.z());
            const float straight = std::abs(start.x()) + t * (endX - std::abs(start.x()));
            const float x = k == 0 ? straight : std::max(straight, skinX(y, z) + kClearance);
            temple.emplace_back(side * x, y, z);
        }
        temple.emplace_back(side * endX, endY - 0.012f, endZ - 0.016f);
        addTube(m, temple, Eigen::Vector3f::UnitY(), 0.002f, 0.0012f);
    }
    bindNearest(m, model, hf.steadySkin);
    return m;
}

}  // namespace synthforge::generate
