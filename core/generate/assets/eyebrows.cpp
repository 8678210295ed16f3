// Eyebrows as geometry: over each brow a thin hair shell laid on the skin
// along the template's own brow landmarks (iBUG 21..17 on the subject's
// right, 22..26 on the left, inner to outer), so it fits any head shape.
// The template is too coarse near the brows (3-4 mm between vertices) for a
// shell over its own triangles to draw a brow's outline, so each brow is a
// fine grid (along x across) whose points are projected onto the skin and
// bound to the template vertex they land nearest. The shell tapers to a
// quarter millimetre off the skin at its outline, which is the grid's own
// smooth boundary.
// Strand coordinates make the streak texture run outward and a little up,
// and up at the brow's inner head, as brow hair grows.

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/generate/assets/asset_builders.h"
#include "core/generate/assets/mesh_shapes.h"
#include "core/head/surface_query.h"

namespace synthforge::generate {

namespace {

constexpr float kPi = 3.14159265f;

/// Centripetal-free Catmull-Rom through `pts` at t in [0, 1] (uniform
/// spacing), continued linearly past the ends.
Eigen::Vector3f curveAt(const std::vector<Eigen::Vector3f>& pts, float t) {
    const int n = static_cast<int>(pts.size());
    const float x = t * static_cast<float>(n - 1);
    if (x <= 0.0f) return pts[0] + x * (pts[1] - pts[0]);
    if (x >= static_cast<float>(n - 1)) return pts[static_cast<std::size_t>(n - 1)] + (x - static_cast<float>(n - 1)) * (pts[static_cast<std::size_t>(n - 1)] - pts[static_cast<std::size_t>(n - 2)]);
    const int i = std::min(n - 2, static_cast<int>(x));
    const float u = x - static_cast<float>(i);
    auto p = [&](int k) { return pts[static_cast<std::size_t>(std::clamp(k, 0, n - 1))]; };
    const Eigen::Vector3f p0 = i == 0 ? Eigen::Vector3f(2.0f * p(0) - p(1)) : p(i - 1);
    const Eigen::Vector3f p3 = i + 2 >= n ? Eigen::Vector3f(2.0f * p(n - 1) - p(n - 2)) : p(i + 2);
    const Eigen::Vector3f p1 = p(i), p2 = p(i + 1);
    const float u2 = u * u, u3 = u2 * u;
    return 0.5f * ((2.0f * p1) + (-p0 + p2) * u + (2.0f * p0 - 5.0f * p1 + 4.0f * p2 - p3) * u2 +
                   (-p0 + 3.0f * p1 - 3.0f * p2 + p3) * u3);
}

/// Points onto the template's skin near a feature: the nearest of a few
/// candidate vertices, then the closest point on the faces around it.
class SkinProjector {
public:
    SkinProjector(const head::HeadModel& model, const AssetHeadFrame& hf, const Eigen::Vector3f& lo,
                  const Eigen::Vector3f& hi)
        : model_(model), hf_(hf) {
        const int nv = model.numVertices();
        std::vector<std::uint8_t> isSkin(static_cast<std::size_t>(nv), 0);
        for (std::int32_t v : hf.skin) isSkin[static_cast<std::size_t>(v)] = 1;
        for (std::int32_t v : hf.skin) {
            const Eigen::Vector3f p = model.vTemplate.row(v).transpose();
            if ((p.array() >= lo.array()).all() && (p.array() <= hi.array()).all()) verts_.push_back(v);
        }
        if (verts_.empty()) throw std::invalid_argument("eyebrows: no skin near the brow landmarks");
        facesOf_.resize(static_cast<std::size_t>(nv));
        std::vector<std::uint8_t> near(static_cast<std::size_t>(nv), 0);
        for (std::int32_t v : verts_) near[static_cast<std::size_t>(v)] = 1;
        for (int f = 0; f < model.numFaces(); ++f) {
            const auto t = model.faces.row(f);
            bool skin = true, any = false;
            for (int k = 0; k < 3; ++k) {
                skin = skin && isSkin[static_cast<std::size_t>(t[k])];
                any = any || near[static_cast<std::size_t>(t[k])];
            }
            if (!skin || !any) continue;
            for (int k = 0; k < 3; ++k) facesOf_[static_cast<std::size_t>(t[k])].push_back(f);
        }
    }

    struct Hit {
        Eigen::Vector3f position, normal;
        std::int32_t anchor = -1;
    };

    Hit project(const Eigen::Vector3f& q) const {
        std::int32_t best = verts_.front();
        float bestD = std::numeric_limits<float>::infinity();
        for (std::int32_t v : verts_) {
            const float d = (model_.vTemplate.row(v).transpose() - q).squaredNorm();
            if (d < bestD) bestD = d, best = v;
        }
        Hit h;
        h.position = model_.vTemplate.row(best).transpose();
        h.normal = hf_.normals.row(best).transpose();
        h.anchor = best;
        float bestFace = std::numeric_limits<float>::infinity();
        for (std::int32_t f : facesOf_[static_cast<std::size_t>(best)]) {
            const auto t = model_.faces.row(f);
            const Eigen::Vector3f a = model_.vTemplate.row(t[0]).transpose(), b = model_.vTemplate.row(t[1]).transpose(),
                                  c = model_.vTemplate.row(t[2]).transpose();
            const Eigen::Vector3f w = head::closestBarycentric(q, a, b, c);
            const Eigen::Vector3f p = w.x() * a + w.y() * b + w.z() * c;
            const float d = (p - q).squaredNorm();
            if (d >= bestFace) continue;
            bestFace = d;
            h.position = p;
            h.normal = (w.x() * hf_.normals.row(t[0]) + w.y() * hf_.normals.row(t[1]) + w.z() * hf_.normals.row(t[2]))
                           .transpose()
                           .normalized();
            int k = 0;
            w.maxCoeff(&k);
            h.anchor = t[k];
        }
        return h;
    }

private:
    const head::HeadModel& model_;
    const AssetHeadFrame& hf_;
    std::vector<std::int32_t> verts_;
    std::vector<std::vector<std::int32_t>> facesOf_;
};

constexpr int kAlong = 32, kAcross = 9;
// The outline rows stand this far off the skin: the template's coarse
// triangles meet at creases where a shell chord dips up to ~0.2 mm below
// the skin, so a shell tapering to the skin itself (or sunk into it) drew a
// wavy, broken outline; a 0.25 mm step at the edge is far below a pixel.
constexpr float kEdge = 0.00025f;

void addBrow(AssetMesh& m, const EyebrowsShape& b, const std::vector<Eigen::Vector3f>& innerToOuter,
             const SkinProjector& skin) {
    const float tIn = -0.03f, tOut = b.width;
    const float span = (curveAt(innerToOuter, tOut) - curveAt(innerToOuter, tIn)).norm();
    const int first = m.numVertices();
    for (int i = 0; i <= kAlong; ++i) {
        const float tau = static_cast<float>(i) / kAlong;  // 0 at the inner head, 1 at the tail's tip
        const float t = tIn + (tOut - tIn) * tau;
        // The arch raises the middle (a little past it); the lower edge
        // follows it less than the upper, as brows are drawn.
        const float bump = std::sin(kPi * std::pow(tau, 0.8f));
        const Eigen::Vector3f c0 = curveAt(innerToOuter, t) + Eigen::Vector3f(0.0f, b.arch * bump, 0.0f);
        const Eigen::Vector3f tangent =
            (curveAt(innerToOuter, t + 0.02f) - curveAt(innerToOuter, t - 0.02f)).normalized();
        const SkinProjector::Hit centre = skin.project(c0);
        Eigen::Vector3f up = Eigen::Vector3f::UnitY();
        up -= up.dot(tangent) * tangent;
        up -= up.dot(centre.normal) * centre.normal;
        up.normalize();
        // Full height at the rounded inner head, narrowing to a pointed tail.
        const float head = std::sqrt(std::clamp(tau / 0.07f, 0.0f, 1.0f));
        const float tail = std::sqrt(std::clamp((1.0f - tau) / 0.2f, 0.0f, 1.0f));
        const float half = 0.5f * b.height * (1.0f - 0.5f * tau) * head * tail;
        // Hairs point up at the head, then outward and slightly up.
        const float angle = 0.3f + 1.0f * (1.0f - smoothStep(0.04f, 0.25f, tau));
        const float along = tau * span;
        for (int j = 0; j < kAcross; ++j) {
            const float s = -1.0f + 2.0f * static_cast<float>(j) / (kAcross - 1);
            const float lift = s > 0.0f ? 1.0f : 0.6f;  // the lower edge follows the arch less
            // Stray hairs: the outline rows jitter in and out column by
            // column (a column is about 1.4 mm), so the edge is ragged.
            const float ragged = std::abs(s) > 0.99f
                                     ? 1.0f + 0.18f * valueNoise1(1.7f * static_cast<float>(i) + (s > 0.0f ? 0.0f : 50.0f), b.strandSeed)
                                     : 1.0f;
            const Eigen::Vector3f q =
                centre.position + s * ragged * half * up - (1.0f - lift) * b.arch * bump * Eigen::Vector3f::UnitY();
            const SkinProjector::Hit h = skin.project(q);
            const float profile = std::pow(std::max(0.0f, 1.0f - s * s), 0.6f) * head * tail;
            const float offset = kEdge + b.thickness * profile;
            const float strand = -std::sin(angle) * along + std::cos(angle) * s * half;
            m.addVertex(h.position + offset * h.normal, h.anchor, strand);
        }
    }
    for (int i = 0; i < kAlong; ++i)
        for (int j = 0; j + 1 < kAcross; ++j) {
            const int a = first + i * kAcross + j, c = a + kAcross;
            m.addQuad(a, c, c + 1, a + 1);
        }
}

}  // namespace

AssetMesh buildEyebrows(const EyebrowsShape& b, const head::HeadModel& model, const AssetHeadFrame& hf) {
    if (hf.landmarks.size() != static_cast<std::size_t>(head::kNumLandmarks))
        throw std::invalid_argument("eyebrows: the head model has no 68-landmark embedding to place them by");
    const auto& L = hf.landmarks;
    AssetMesh m;
    for (int side = 0; side < 2; ++side) {
        // iBUG 21..17 is the subject's right brow (FLAME -x), 22..26 the left.
        std::vector<Eigen::Vector3f> pts;
        for (int k = 0; k < 5; ++k) pts.push_back(side == 0 ? L[static_cast<std::size_t>(21 - k)] : L[static_cast<std::size_t>(22 + k)]);
        Eigen::Vector3f lo = pts[0], hi = pts[0];
        for (const Eigen::Vector3f& p : pts) lo = lo.cwiseMin(p), hi = hi.cwiseMax(p);
        const Eigen::Vector3f margin(0.015f, 0.015f, 0.02f);
        const SkinProjector skin(model, hf, lo - margin, hi + margin);
        addBrow(m, b, pts, skin);
    }
    return m;
}

}  // namespace synthforge::generate
