// The identity basis of the default head: a procedural population of heads
// whose features vary by anthropometric spreads, reduced by PCA to
// components of one standard deviation each, as FLAME's are.
//
// Each named dimension is a smooth displacement field over the neutral mesh,
// scaled to one standard deviation of its measure (figures below, adult,
// sex-averaged, after Farkas-style norms; rounded). A person of the
// population is a random combination of them, composed with mild
// non-linearity (overall breadth and length scale the other displacements),
// plus small local shape variation (smooth bumps) that no named measure
// covers. Ear angle is not varied: turning the flap towards the head at -2
// sigma pushes it into the skull, as the self-intersection test showed. PCA of that population gives orthogonal components, ordered by
// variance, each scaled to one standard deviation.
//
//   head breadth     SD 6 mm      head length     SD 7 mm     head height  SD 6 mm
//   face length      SD 6.5 mm    bizygomatic     SD 6 mm     bigonial     SD 6 mm
//   brow ridge       SD 2 mm      cheekbones      SD 2.5 mm   chin (fwd)   SD 3 mm
//   chin height      SD 3 mm      nose length     SD 3.5 mm   nose width   SD 2.5 mm
//   nasal bridge     SD 2 mm      nose tip        SD 2.5 mm   IPD          SD 3.5 mm
//   eye size         SD 4 %       upper lip       SD 1.5 mm   lower lip    SD 1.5 mm
//   mouth width      SD 3.5 mm    ear size        SD 5 %
//   soft tissue (fat) SD 2.5 mm   muscle          SD 2 mm     forehead slope SD 3 mm
//   occiput          SD 3 mm      neck girth      SD 8 mm

#include <algorithm>
#include <cmath>
#include <functional>

#include "core/head/basis_builder.h"
#include "core/head/default_head/build_parts.h"

namespace synthforge::head::default_head {

namespace {

Eigen::Vector3f mirrorX(Eigen::Vector3f p) {
    p.x() = -p.x();
    return p;
}

/// Evaluates a per-vertex field into a V x 3 displacement.
RowMatX3f field(const NeutralHead& head, const std::function<Eigen::Vector3f(int, const Eigen::Vector3f&)>& f,
                const FieldGuards& guards = {}) {
    RowMatX3f d(head.numVertices(), 3);
    for (int v = 0; v < head.numVertices(); ++v) d.row(v) = f(v, head.vertices.row(v).transpose()).transpose();
    makeEyeballsRigid(head, d);
    guardField(head, d, guards);
    return d;
}

/// Sum of a Gaussian at a left-side point and at its mirror.
float bilateral(const Eigen::Vector3f& p, const Eigen::Vector3f& left, float sigma) {
    return gaussian(p, left, sigma) + gaussian(p, mirrorX(left), sigma);
}

float sideOf(const Eigen::Vector3f& p) { return p.x() >= 0 ? 1.0f : -1.0f; }

/// Ear membership that fades in with the lateral distance from the side of
/// the head. A function of x only, so the thin lobe's two sheets (a
/// millimetre apart) get nearly the same weight and move together, while the
/// root stays attached.
std::vector<float> earWeights(const NeutralHead& head, const std::string& region) {
    const auto ear = regionMask(head, region);
    const float rootX = std::abs(anchor(head, "left_tragion").x());
    std::vector<float> w(head.numVertices(), 0.0f);
    for (int v = 0; v < head.numVertices(); ++v)
        if (ear[v] > 0) w[v] = smoothstep(rootX - 0.002f, rootX + 0.012f, std::abs(head.vertices(v, 0)));
    return w;
}

struct NamedField {
    const char* name;
    RowMatX3f d;
};

std::vector<NamedField> anthropometricFields(const NeutralHead& head) {
    const RowMatX3f normals = fieldNormals(head);
    const Eigen::Vector3f eye = anchor(head, "left_eye_centre"), nasion = anchor(head, "nasion"),
                          tip = anchor(head, "nose_tip"), alar = anchor(head, "left_alar"),
                          corner = anchor(head, "left_mouth_corner"), upperLip = anchor(head, "upper_lip_outer"),
                          lowerLip = anchor(head, "lower_lip_outer"), menton = anchor(head, "menton"),
                          gonion = anchor(head, "left_gonion"), tragion = anchor(head, "left_tragion"),
                          browPeak = anchor(head, "left_brow_peak"), browOuter = anchor(head, "left_brow_outer");
    const float yTop = head.vertices.col(1).maxCoeff();
    const float zBack = head.vertices.col(2).minCoeff();
    const auto leftEar = earWeights(head, "left_ear"), rightEar = earWeights(head, "right_ear");
    // The neck region reaches up behind the jaw to the ear lobes; neck
    // fields fade out above the jaw line so they never push skin into the ears.
    std::vector<float> neck = regionMask(head, "neck");
    for (int v = 0; v < head.numVertices(); ++v)
        neck[v] *= 1.0f - smoothstep(anchor(head, "menton").y() - 0.01f, anchor(head, "menton").y() + 0.025f, head.vertices(v, 1));
    const Eigen::Vector3f zygion(eye.x() + 0.035f, eye.y() - 0.015f, eye.z() - 0.025f);
    const Eigen::Vector3f cheek(corner.x() + 0.022f, corner.y() + 0.012f, corner.z() - 0.025f);
    const Eigen::Vector3f masseter(gonion.x() + 0.004f, gonion.y() + 0.022f, gonion.z() + 0.02f);
    const Eigen::Vector3f submental(0.0f, menton.y() - 0.005f, menton.z() - 0.03f);
    const float front = nasion.z() - 0.06f;  // where the face relief starts

    std::vector<NamedField> out;
    auto add = [&](const char* name, const std::function<Eigen::Vector3f(int, const Eigen::Vector3f&)>& f) {
        out.push_back({name, field(head, f)});
    };
    auto addUnguardedEyes = [&](const char* name, const std::function<Eigen::Vector3f(int, const Eigen::Vector3f&)>& f) {
        out.push_back({name, field(head, f, FieldGuards{false, true, true})});
    };
    add("head_breadth", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {  // 3 mm per side at the eurion
        return Eigen::Vector3f(p.x() * 0.04f * smoothstep(menton.y(), nasion.y(), p.y()), 0, 0);
    });
    add("head_length", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float back = std::min(p.z(), 0.0f) / std::abs(zBack);
        return Eigen::Vector3f(0, 0, 0.007f * back * smoothstep(menton.y(), nasion.y(), p.y()));
    });
    add("head_height", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(0, 0.006f * std::max(0.0f, p.y() - nasion.y()) / (yTop - nasion.y()), 0);
    });
    add("face_length", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float below = std::min(0.0f, std::max(p.y(), menton.y() - 0.02f) - nasion.y()) / (nasion.y() - menton.y());
        return Eigen::Vector3f(0, 0.0065f * below * smoothstep(front - 0.02f, front + 0.03f, p.z()), 0);
    });
    add("bizygomatic", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(sideOf(p) * 0.003f * bilateral(p, zygion, 0.022f), 0, 0);
    });
    add("bigonial", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(sideOf(p) * 0.003f * bilateral(p, gonion, 0.025f), 0, 0);
    });
    add("brow_ridge", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float w = std::min(1.0f, bilateral(p, browPeak, 0.014f) + gaussian(p, Eigen::Vector3f(0, browPeak.y(), nasion.z() + 0.004f), 0.012f));
        return Eigen::Vector3f(0, 0, 0.002f * w);
    });
    add("cheekbones", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(sideOf(p) * 0.0022f, 0, 0.0012f) * bilateral(p, zygion, 0.016f);
    });
    add("chin_projection", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(0, 0, 0.003f * gaussian(p, menton + Eigen::Vector3f(0, 0.01f, 0), 0.018f));
    });
    add("chin_height", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(0, -0.003f * gaussian(p, menton, 0.02f), 0);
    });
    add("nose_length", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float t = std::clamp((nasion.y() - p.y()) / (nasion.y() - tip.y()), 0.0f, 1.0f);
        return Eigen::Vector3f(0, -0.0035f * t * gaussian(p, tip, 0.02f), 0);
    });
    add("nose_width", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const Eigen::Vector3f base(0, alar.y(), alar.z());
        return Eigen::Vector3f(p.x() * 0.07f * gaussian(p, base, 0.014f), 0, 0);
    });
    add("nasal_bridge", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const Eigen::Vector3f mid = 0.5f * (nasion + tip);
        return Eigen::Vector3f(0, 0, 0.002f * gaussian(p, mid, 0.011f));
    });
    add("nose_tip", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(0, 0, 0.0025f * gaussian(p, tip, 0.009f));
    });
    add("eye_spacing", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(sideOf(p) * 0.00175f * bilateral(p, eye, 0.02f), 0, 0);
    });
    addUnguardedEyes("eye_size", [&](int v, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const Part part = static_cast<Part>(head.vertexPart[v]);
        if (part == Part::kLeftEyeball || part == Part::kRightEyeball) return Eigen::Vector3f(0, 0, 0);
        const Eigen::Vector3f c = p.x() >= 0 ? eye : mirrorX(eye);
        Eigen::Vector3f r = p - c;
        r.z() = 0;  // spread the lids over the eyeball, never into it
        return Eigen::Vector3f(0.04f * gaussian(p, c, 0.012f) * r);
    });
    add("upper_lip_fullness", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float w = std::exp(-p.x() * p.x() / (2 * 0.018f * 0.018f) -
                                 (Eigen::Vector2f(p.y(), p.z()) - Eigen::Vector2f(upperLip.y(), upperLip.z())).squaredNorm() /
                                     (2 * 0.006f * 0.006f));
        return Eigen::Vector3f(0, 0, 0.0015f * w);
    });
    add("lower_lip_fullness", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float w = std::exp(-p.x() * p.x() / (2 * 0.018f * 0.018f) -
                                 (Eigen::Vector2f(p.y(), p.z()) - Eigen::Vector2f(lowerLip.y(), lowerLip.z())).squaredNorm() /
                                     (2 * 0.006f * 0.006f));
        return Eigen::Vector3f(0, 0, 0.0015f * w);
    });
    add("mouth_width", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(sideOf(p) * 0.00175f * bilateral(p, corner, 0.011f), 0, 0);
    });
    add("ear_size", [&](int v, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float w = std::max(leftEar[v], rightEar[v]);
        const Eigen::Vector3f t = p.x() >= 0 ? tragion : mirrorX(tragion);
        return Eigen::Vector3f(0.05f * w * (p - t));
    });
    add("soft_tissue", [&](int v, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float w = std::min(1.0f, bilateral(p, cheek, 0.022f) + gaussian(p, submental, 0.02f) + 0.6f * neck[v]);
        return Eigen::Vector3f(0.0025f * w * normals.row(v).transpose());
    });
    add("muscle", [&](int v, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float w = std::min(1.0f, bilateral(p, masseter, 0.016f) + 0.5f * neck[v]);
        return Eigen::Vector3f(0.002f * w * normals.row(v).transpose());
    });
    add("forehead_slope", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(0, 0, -0.003f * smoothstep(browOuter.y(), yTop, p.y()) * smoothstep(0.0f, nasion.z(), p.z()));
    });
    add("occiput", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(0, 0, -0.003f * gaussian(p, Eigen::Vector3f(0, nasion.y() + 0.02f, zBack), 0.035f));
    });
    add("neck_girth", [&](int v, const Eigen::Vector3f&) -> Eigen::Vector3f {
        // The horizontal part of the normal, not renormalised: surfaces that
        // face down (under the chin) barely move instead of jumping sideways.
        Eigen::Vector3f n = normals.row(v).transpose();
        n.y() = 0;
        return Eigen::Vector3f(0.0065f * neck[v] * n);
    });
    return out;
}

/// Smooth local bumps along the normal: individual shape detail. Half of
/// them come in mirrored pairs, half are one-sided (faces are not quite
/// symmetric), all deterministic.
std::vector<RowMatX3f> detailFields(const NeutralHead& head, int count) {
    const RowMatX3f normals = fieldNormals(head);
    const auto face = regionMask(head, "face");
    std::vector<int> faceVerts;
    for (int v = 0; v < head.numVertices(); ++v)
        if (face[v] > 0 && static_cast<Part>(head.vertexPart[v]) == Part::kSkin) faceVerts.push_back(v);
    std::vector<RowMatX3f> out;
    NormalSampler rng(20261121u);
    for (int i = 0; i < count; ++i) {
        const float u = 0.5f * (1.0f + std::erf(rng.next() / std::sqrt(2.0f)));  // uniform (0,1)
        const int centreVertex = faceVerts[std::min<std::size_t>(faceVerts.size() - 1, static_cast<std::size_t>(u * faceVerts.size()))];
        const Eigen::Vector3f c = head.vertices.row(centreVertex);
        const float sigma = 0.010f + 0.006f * std::abs(rng.next());
        const bool symmetric = i % 2 == 0;
        const float amplitude = symmetric ? 0.0010f : 0.0006f;
        out.push_back(field(head, [&](int v, const Eigen::Vector3f& p) -> Eigen::Vector3f {
            float w = gaussian(p, c, sigma);
            if (symmetric) w += gaussian(p, mirrorX(c), sigma);
            return Eigen::Vector3f(amplitude * w * normals.row(v).transpose());
        }));
    }
    return out;
}

}  // namespace

Eigen::MatrixXf buildShapeBasis(const NeutralHead& head, int count) {
    const auto named = anthropometricFields(head);
    const auto detail = detailFields(head, 40);
    const Eigen::Index D = 3 * static_cast<Eigen::Index>(head.numVertices());
    const int population = 600;
    Eigen::MatrixXf samples(D, population);
    NormalSampler rng(7u);
    const auto& breadth = named[0].d;  // head_breadth scales the lateral part of everything else
    for (int n = 0; n < population; ++n) {
        RowMatX3f d = RowMatX3f::Zero(head.numVertices(), 3);
        const float sBreadth = rng.next();
        for (std::size_t k = 1; k < named.size(); ++k) d += rng.next() * named[k].d;
        for (const auto& f : detail) d += rng.next() * f;
        // Mild non-linearity: a broader head is broader in every feature too.
        d.col(0) *= 1.0f + 0.03f * sBreadth;
        d += sBreadth * breadth;
        samples.col(n) = Eigen::Map<const Eigen::VectorXf>(d.data(), D);
    }
    return pcaBasis(samples, count).components;
}

}  // namespace synthforge::head::default_head
