// Eyelashes as geometry: a fringe along each eyelid margin, from the
// template's own eye landmarks (iBUG 36-41 right, 42-47 left): a narrow
// band rooted at the margin, from which tapering teeth (one per lash) lean
// forward and curl up (down for the shorter lower lashes), longest a third
// of the way in from the outer corner. Every vertex of a lash is bound to
// the skin vertex nearest its root, so lashes follow the lids as they
// blink. The compositor gives them their eye's class and never lets them
// hide a landmark (assetHidesLandmarks).

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/generate/assets/asset_builders.h"
#include "core/generate/assets/mesh_shapes.h"

namespace synthforge::generate {

namespace {

/// Catmull-Rom through four points at u in [0, 1], ends doubled.
Eigen::Vector3f lidAt(const Eigen::Vector3f (&p)[4], float u) {
    const float x = std::clamp(u, 0.0f, 1.0f) * 3.0f;
    const int i = std::min(2, static_cast<int>(x));
    const float t = x - static_cast<float>(i), t2 = t * t, t3 = t2 * t;
    const Eigen::Vector3f p0 = i == 0 ? Eigen::Vector3f(2.0f * p[0] - p[1]) : p[i - 1];
    const Eigen::Vector3f p3 = i == 2 ? Eigen::Vector3f(2.0f * p[3] - p[2]) : p[i + 2];
    const Eigen::Vector3f &p1 = p[i], &p2 = p[i + 1];
    return 0.5f * ((2.0f * p1) + (-p0 + p2) * t + (2.0f * p0 - 5.0f * p1 + 4.0f * p2 - p3) * t2 +
                   (-p0 + 3.0f * p1 - 3.0f * p2 + p3) * t3);
}

struct Lid {
    Eigen::Vector3f pts[4];  ///< outer corner to inner corner
    bool upper = true;
    float side = 1.0f;       ///< +1 on the subject's left (FLAME +x), -1 on the right
};

/// One lid's fringe: `count` lashes between u0 and u1 (0 = outer corner).
void addFringe(AssetMesh& m, const Lid& lid, const EyelashesShape& s, int count, float u0, float u1,
               float lengthScale, const head::HeadModel& model, const std::vector<std::int32_t>& near) {
    constexpr int kSegments = 4;
    constexpr float kBand = 0.3f;  // the band's share of a lash's length
    auto nearest = [&](const Eigen::Vector3f& p) {
        std::int32_t best = near.front();
        float bestD = std::numeric_limits<float>::infinity();
        for (std::int32_t v : near) {
            const float d = (model.vTemplate.row(v).transpose() - p).squaredNorm();
            if (d < bestD) bestD = d, best = v;
        }
        return best;
    };
    // A lash's centreline at u, a fraction r of its length out.
    auto lashPoint = [&](float u, float r) {
        const Eigen::Vector3f root = lidAt(lid.pts, u);
        // Outer lashes lean outward; all start a little up and curl further.
        const float lean = 0.45f * (1.0f - u);
        const Eigen::Vector3f fwd = Eigen::Vector3f(lid.side * lean, 0.0f, 1.0f).normalized();
        Eigen::Vector3f up = Eigen::Vector3f::UnitY() * (lid.upper ? 1.0f : -1.0f);
        up = (up - up.dot(fwd) * fwd).normalized();
        const float bump = std::exp(-std::pow((u - 0.35f) / 0.4f, 2.0f));
        const float length = s.length * lengthScale * (0.4f + 0.6f * bump);
        Eigen::Vector3f p = root + 0.0004f * fwd;  // from the margin's front edge
        const int steps = std::max(1, static_cast<int>(std::ceil(r * kSegments)));
        for (int k = 0; k < steps; ++k) {
            const float a = (static_cast<float>(k) + 0.5f) / steps * r;  // mid-step fraction
            const float theta = 0.25f + s.curl * a;
            p += (r / steps) * length * (std::cos(theta) * fwd + std::sin(theta) * up);
        }
        return p;
    };
    const float du = (u1 - u0) / static_cast<float>(count);
    // The band: a continuous strip along the margin, from the root to kBand.
    const int samples = 2 * count + 1;
    std::vector<int> root(static_cast<std::size_t>(samples)), band(static_cast<std::size_t>(samples));
    for (int j = 0; j < samples; ++j) {
        const float u = u0 + 0.5f * du * static_cast<float>(j);
        const std::int32_t anchor = nearest(lidAt(lid.pts, u));
        root[static_cast<std::size_t>(j)] = m.addVertex(lashPoint(u, 0.0f), anchor);
        band[static_cast<std::size_t>(j)] = m.addVertex(lashPoint(u, kBand), anchor);
    }
    for (int j = 0; j + 1 < samples; ++j)
        m.addQuad(root[static_cast<std::size_t>(j)], root[static_cast<std::size_t>(j + 1)],
                  band[static_cast<std::size_t>(j + 1)], band[static_cast<std::size_t>(j)]);
    // The teeth: from the band (the full spacing wide) narrowing to a point.
    for (int i = 0; i < count; ++i) {
        const float uc = u0 + du * (static_cast<float>(i) + 0.5f);
        const std::int32_t anchor = nearest(lidAt(lid.pts, uc));
        int left = band[static_cast<std::size_t>(2 * i)], right = band[static_cast<std::size_t>(2 * i + 2)];
        for (int k = 1; k <= 2; ++k) {
            const float r = kBand + (1.0f - kBand) * (k == 1 ? 0.45f : 0.8f);
            const float half = du * (k == 1 ? 0.2f : 0.08f);
            const int l = m.addVertex(lashPoint(uc - half, r), anchor), rr = m.addVertex(lashPoint(uc + half, r), anchor);
            m.addQuad(left, right, rr, l);
            left = l, right = rr;
        }
        const int tip = m.addVertex(lashPoint(uc, 1.0f), anchor);
        m.addTriangle(left, right, tip);
    }
}

}  // namespace

AssetMesh buildEyelashes(const EyelashesShape& s, const head::HeadModel& model, const AssetHeadFrame& hf) {
    if (hf.landmarks.size() != static_cast<std::size_t>(head::kNumLandmarks))
        throw std::invalid_argument("eyelashes: the head model has no 68-landmark embedding to place them by");
    if (s.count < 1) throw std::invalid_argument("eyelashes: count must be at least 1");
    const auto& L = hf.landmarks;
    // Outer corner to inner corner, upper lid then lower lid, per side.
    const int right[2][4] = {{36, 37, 38, 39}, {36, 41, 40, 39}};
    const int left[2][4] = {{45, 44, 43, 42}, {45, 46, 47, 42}};
    AssetMesh m;
    for (int side = 0; side < 2; ++side) {
        const int(&idx)[2][4] = side == 0 ? right : left;
        const Eigen::Vector3f eye = side == 0 ? hf.rightEye : hf.leftEye;
        // Skin vertices around the eye: lashes bind to the lid they grow from.
        std::vector<std::int32_t> near;
        for (std::int32_t v : hf.skin)
            if ((model.vTemplate.row(v).transpose() - eye).norm() < 0.03f) near.push_back(v);
        if (near.empty()) throw std::invalid_argument("eyelashes: no skin around the eyes");
        for (int lidIndex = 0; lidIndex < 2; ++lidIndex) {
            Lid lid;
            for (int k = 0; k < 4; ++k) lid.pts[k] = L[static_cast<std::size_t>(idx[lidIndex][k])];
            lid.upper = lidIndex == 0;
            lid.side = side == 0 ? -1.0f : 1.0f;
            if (lid.upper)
                addFringe(m, lid, s, s.count, 0.02f, 0.92f, 1.0f, model, near);
            else
                addFringe(m, lid, s, std::max(1, s.count * 3 / 5), 0.08f, 0.85f, 0.4f, model, near);
        }
    }
    return m;
}

}  // namespace synthforge::generate
