// The 68-point iBUG landmark embedding of the default head (a static 68, like
// DECA's full embedding). Points on features the mesh has explicitly (eyelid
// margins, the lip slit, the vermilion border) are taken from those vertex
// loops; the rest are anchor-guided points projected onto the skin.
// iBUG numbering (0-based): jaw 0-16 from the subject's right ear to the
// left, brows 17-21 (right, outer to inner) and 22-26 (left, inner to
// outer), nose bridge 27-30, lower nose 31-35, right eye 36-41, left eye
// 42-47, outer lips 48-59, inner lips 60-67.

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "core/head/default_head/build_parts.h"
#include "core/head/surface_query.h"

namespace synthforge::head::default_head {

namespace {

Eigen::Vector3f mirrorX(Eigen::Vector3f p) {
    p.x() = -p.x();
    return p;
}

struct Builder {
    const NeutralHead& head;
    const RowMatX3i& faces;
    std::vector<std::int32_t> skinFaces;
    std::vector<std::vector<std::int32_t>> facesOfVertex;
    LandmarkEmbedding out;

    Builder(const NeutralHead& h, const RowMatX3i& f) : head(h), faces(f), facesOfVertex(h.numVertices()) {
        for (int i = 0; i < faces.rows(); ++i) {
            bool skin = true;
            for (int k = 0; k < 3; ++k) {
                skin &= static_cast<Part>(head.vertexPart[faces(i, k)]) == Part::kSkin;
                facesOfVertex[faces(i, k)].push_back(i);
            }
            if (skin) skinFaces.push_back(i);
        }
        out.staticFaces.assign(kNumLandmarks, -1);
        out.staticBary.resize(kNumLandmarks, 3);
    }

    void setPoint(int index, const Eigen::Vector3f& p) {
        const SurfacePoint s = closestSurfacePoint(head.vertices, faces, p, skinFaces);
        out.staticFaces[index] = s.face;
        out.staticBary.row(index) = s.bary.transpose();
    }

    void setVertex(int index, std::int32_t v) {
        // Any face around the vertex, preferring a skin face, with all weight on it.
        std::int32_t face = facesOfVertex[v].front();
        for (std::int32_t f : facesOfVertex[v])
            if (std::find(skinFaces.begin(), skinFaces.end(), f) != skinFaces.end()) {
                face = f;
                break;
            }
        out.staticFaces[index] = face;
        for (int k = 0; k < 3; ++k) out.staticBary(index, k) = faces(face, k) == v ? 1.0f : 0.0f;
    }

    Eigen::Vector3f pos(std::int32_t v) const { return head.vertices.row(v).transpose(); }

    /// The vertex of `loop` with y above (upper) or below `splitY` whose x is
    /// nearest `x`.
    std::int32_t nearestX(const std::vector<std::int32_t>& loop, float x, bool upper, float splitY) const {
        std::int32_t best = -1;
        float bestD = std::numeric_limits<float>::infinity();
        for (std::int32_t v : loop) {
            if ((head.vertices(v, 1) >= splitY) != upper) continue;
            const float d = std::abs(head.vertices(v, 0) - x);
            if (d < bestD) {
                bestD = d;
                best = v;
            }
        }
        if (best < 0) throw std::logic_error("default head landmarks: empty contour");
        return best;
    }
};

/// Skin vertices of a region that touch skin outside it: the region's border.
std::vector<std::int32_t> borderOf(const NeutralHead& head, const std::string& region) {
    const auto in = regionMask(head, region);
    std::set<std::int32_t> border;
    for (int f = 0; f < head.numFaces(); ++f) {
        int inside = 0, skinOutside = 0;
        for (int k = 0; k < 3; ++k) {
            const std::int32_t v = head.faces(f, k);
            if (in[v] > 0) ++inside;
            else if (static_cast<Part>(head.vertexPart[v]) == Part::kSkin) ++skinOutside;
        }
        if (inside > 0 && skinOutside > 0)
            for (int k = 0; k < 3; ++k)
                if (in[head.faces(f, k)] > 0) border.insert(head.faces(f, k));
    }
    return {border.begin(), border.end()};
}

void eye(Builder& b, const std::vector<std::int32_t>& rim, bool leftEye) {
    // Corners: extreme x of the eyelid margin.
    auto [mn, mx] = std::minmax_element(rim.begin(), rim.end(), [&](std::int32_t a, std::int32_t c) {
        return b.head.vertices(a, 0) < b.head.vertices(c, 0);
    });
    const std::int32_t inner = leftEye ? *mn : *mx, outer = leftEye ? *mx : *mn;
    const float xi = b.head.vertices(inner, 0), xo = b.head.vertices(outer, 0);
    const float split = 0.5f * (b.head.vertices(inner, 1) + b.head.vertices(outer, 1));
    auto at = [&](float t, bool upper) { return b.nearestX(rim, xi + t * (xo - xi), upper, split); };
    if (leftEye) {  // 42 inner, 43-44 upper, 45 outer, 46-47 lower (outer to inner)
        b.setVertex(42, inner);
        b.setVertex(43, at(1.0f / 3, true));
        b.setVertex(44, at(2.0f / 3, true));
        b.setVertex(45, outer);
        b.setVertex(46, at(2.0f / 3, false));
        b.setVertex(47, at(1.0f / 3, false));
    } else {  // 36 outer, 37-38 upper (outer to inner), 39 inner, 40-41 lower (inner to outer)
        b.setVertex(36, outer);
        b.setVertex(37, at(2.0f / 3, true));
        b.setVertex(38, at(1.0f / 3, true));
        b.setVertex(39, inner);
        b.setVertex(40, at(1.0f / 3, false));
        b.setVertex(41, at(2.0f / 3, false));
    }
}

}  // namespace

LandmarkEmbedding buildLandmarks68(const NeutralHead& head, const RowMatX3i& faces) {
    Builder b(head, faces);
    const Eigen::Vector3f tragion = anchor(head, "left_tragion"), gonion = anchor(head, "left_gonion"),
                          menton = anchor(head, "menton"), eyeOuter = anchor(head, "left_eye_outer_corner"),
                          nasion = anchor(head, "nasion"), tip = anchor(head, "nose_tip"),
                          sn = anchor(head, "subnasale"), alar = anchor(head, "left_alar"),
                          browIn = anchor(head, "left_brow_inner"), browPeak = anchor(head, "left_brow_peak"),
                          browOut = anchor(head, "left_brow_outer");

    // Jaw contour: in front of the ear at eye level, down the ramus to the
    // gonion, along the mandible to the menton. Left half 8..16, mirrored.
    const Eigen::Vector3f ear(tragion.x() - 0.004f, 0.5f * (tragion.y() + eyeOuter.y()) - 0.004f, tragion.z() + 0.014f);
    for (int i = 0; i <= 8; ++i) {
        const float t = static_cast<float>(i) / 8.0f;  // 0 at the menton (8), 1 at the ear (16)
        Eigen::Vector3f p;
        if (t >= 0.4f) {
            p = gonion + (t - 0.4f) / 0.6f * (ear - gonion);
        } else {
            // Along the mandible; pull the chord outward so it follows the bone.
            const float s = t / 0.4f;
            p = menton + s * (gonion - menton);
            p.z() += 0.012f * std::sin(3.14159265f * s);
            p.x() += 0.006f * std::sin(3.14159265f * s);
        }
        b.setPoint(8 + i, p);
        if (i > 0) b.setPoint(8 - i, mirrorX(p));
    }
    // Brows: a quadratic through inner, peak and outer.
    for (int i = 0; i < 5; ++i) {
        const float t = static_cast<float>(i) / 4.0f;  // 0 inner .. 1 outer
        const Eigen::Vector3f p = (1 - t) * (1 - 2 * t) * browIn + 4 * t * (1 - t) * browPeak + t * (2 * t - 1) * browOut;
        b.setPoint(22 + i, p);            // left: 22 inner .. 26 outer
        b.setPoint(21 - i, mirrorX(p));   // right: 21 inner .. 17 outer
    }
    // Nose bridge 27 (nasion) .. 30 (tip); lower nose 31..35 across the base.
    for (int i = 0; i < 4; ++i) b.setPoint(27 + i, nasion + (static_cast<float>(i) / 3.0f) * (tip - nasion));
    b.setPoint(33, sn);
    const Eigen::Vector3f alarBase(alar.x() * 0.72f, sn.y() + 0.003f, 0.5f * (alar.z() + sn.z()));
    const Eigen::Vector3f midBase = 0.5f * (alarBase + sn) + Eigen::Vector3f(0, 0.001f, 0.002f);
    b.setPoint(34, midBase);
    b.setPoint(35, alarBase);
    b.setPoint(32, mirrorX(midBase));
    b.setPoint(31, mirrorX(alarBase));
    // Eyes from the eyelid margins.
    eye(b, rimVertices(head, Part::kLeftEyeSocket), true);
    eye(b, rimVertices(head, Part::kRightEyeSocket), false);

    // Lips: the slit (inner contour) and the vermilion border (outer contour).
    const auto slit = rimVertices(head, Part::kMouthBag);
    const auto border = borderOf(head, "lips");
    const float sto = stomionY(head);
    auto [mn, mx] = std::minmax_element(slit.begin(), slit.end(), [&](std::int32_t a, std::int32_t c) {
        return head.vertices(a, 0) < head.vertices(c, 0);
    });
    const float cx = head.vertices(*mx, 0);  // inner corner |x|
    const float ox = std::abs(anchor(head, "left_mouth_corner").x());
    b.setPoint(48, mirrorX(anchor(head, "left_mouth_corner")));
    b.setPoint(54, anchor(head, "left_mouth_corner"));
    const float outerFrac[5] = {-2.0f / 3, -1.0f / 3, 0, 1.0f / 3, 2.0f / 3};
    for (int i = 0; i < 5; ++i) {
        b.setVertex(49 + i, b.nearestX(border, outerFrac[i] * ox, true, sto));   // 49..53 right to left
        b.setVertex(59 - i, b.nearestX(border, outerFrac[i] * ox, false, sto));  // 59..55 right to left
    }
    b.setVertex(60, *mn);
    b.setVertex(64, *mx);
    const float innerFrac[3] = {-0.5f, 0, 0.5f};
    for (int i = 0; i < 3; ++i) {
        b.setVertex(61 + i, b.nearestX(slit, innerFrac[i] * cx, true, sto));   // 61..63 right to left
        b.setVertex(67 - i, b.nearestX(slit, innerFrac[i] * cx, false, sto));  // 67..65 right to left
    }
    for (int i = 0; i < kNumLandmarks; ++i)
        if (b.out.staticFaces[i] < 0) throw std::logic_error("default head landmarks: point " + std::to_string(i) + " unset");
    return b.out;
}

}  // namespace synthforge::head::default_head
