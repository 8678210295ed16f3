// Headwear: a shell over the top of the head, offset outward from the
// template's skin along its normals, closed at its lower edge by a band
// back to the skin so that no gap shows from below; a cap adds a visor.
// Shell vertices are bound to the skin vertex they were offset from, so the
// shell follows every head shape exactly.

#include <cmath>
#include <algorithm>
#include <utility>

#include "core/generate/assets/asset_builders.h"

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
    std::vector<int> shellIndex(static_cast<std::size_t>(nv), -1), edgeIndex(static_cast<std::size_t>(nv), -1);
    auto shell = [&](int v) {
        int& i = shellIndex[static_cast<std::size_t>(v)];
        if (i < 0)
            i = m.addVertex(model.vTemplate.row(v).transpose() + offset(v) * hf.normals.row(v).transpose(), v);
        return i;
    };
    // Edges used by one shell face are the shell's rim; the face's order
    // gives each its direction, so the closing band keeps the shell's winding.
    // An edge is on the rim when its reverse is not also a shell edge (the
    // skin is a consistently wound manifold): sort the directed edges and
    // look each reverse up.
    std::vector<std::pair<int, int>> directed;
    for (int f = 0; f < model.numFaces(); ++f) {
        const auto t = model.faces.row(f);
        if (!inShell[static_cast<std::size_t>(t[0])] || !inShell[static_cast<std::size_t>(t[1])] ||
            !inShell[static_cast<std::size_t>(t[2])])
            continue;
        m.addTriangle(shell(t[0]), shell(t[1]), shell(t[2]));
        for (int k = 0; k < 3; ++k) directed.emplace_back(t[k], t[(k + 1) % 3]);
    }
    std::sort(directed.begin(), directed.end());
    std::vector<std::pair<int, int>> rim;
    for (const auto& e : directed)
        if (!std::binary_search(directed.begin(), directed.end(), std::make_pair(e.second, e.first))) rim.push_back(e);
    auto atSkin = [&](int v) {
        int& i = edgeIndex[static_cast<std::size_t>(v)];
        if (i < 0) i = m.addVertex(model.vTemplate.row(v).transpose() + 0.0005f * hf.normals.row(v).transpose(), v);
        return i;
    };
    for (const auto& [a, b] : rim) m.addQuad(shell(b), shell(a), atSkin(a), atSkin(b));

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
