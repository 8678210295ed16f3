// The expression basis of the default head: hand-authored facial actions
// (in the spirit of FACS action units), each a smooth displacement field,
// then Loewdin-orthogonalised so the basis is orthogonal while every
// component stays as close as possible to its named action.
//
// Scale: coefficient 1 is a moderate action, 2 a strong one. Actions that
// move a lip towards the other lip are written as scalings about the lip
// line (never as translations), so that no coefficient in [-2, 2] pushes one
// lip through the other; the mouth opens through the jaw joint.

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

float side(const Eigen::Vector3f& p) { return p.x() >= 0 ? 1.0f : -1.0f; }

struct Ctx {
    const NeutralHead& head;
    RowMatX3f normals;
    Eigen::Vector3f eye, corner, browInner, browPeak, browOuter, upperLip, lowerLip, tip, alar, nasion, menton;
    float stomionY;
    std::vector<float> upperLidL, lowerLidL, upperLidR, lowerLidR, lips;
};

/// Upper/lower eyelid masks: eyelid skin above or below the eye centre, with
/// the corners held still.
void lidMasks(const NeutralHead& head, const std::string& region, const Eigen::Vector3f& c, std::vector<float>& upper,
              std::vector<float>& lower) {
    const auto lid = regionMask(head, region);
    upper.assign(head.numVertices(), 0.0f);
    lower.assign(head.numVertices(), 0.0f);
    for (int v = 0; v < head.numVertices(); ++v) {
        if (lid[v] == 0) continue;
        const Eigen::Vector3f p = head.vertices.row(v);
        const float keepCorners = 1.0f - smoothstep(0.009f, 0.016f, std::abs(p.x() - c.x()));
        (p.y() >= c.y() ? upper : lower)[v] = keepCorners;
    }
}

RowMatX3f eval(const Ctx& c, const std::function<Eigen::Vector3f(int, const Eigen::Vector3f&)>& f) {
    RowMatX3f d(c.head.numVertices(), 3);
    for (int v = 0; v < c.head.numVertices(); ++v) {
        const Part part = static_cast<Part>(c.head.vertexPart[v]);
        if (part == Part::kLeftEyeball || part == Part::kRightEyeball) d.row(v).setZero();
        else d.row(v) = f(v, c.head.vertices.row(v).transpose()).transpose();
    }
    return d;
}

/// Rotation of the masked lid about the horizontal axis through the eye
/// centre (linearised): lids slide over the eyeball instead of through it.
Eigen::Vector3f lidRotation(const Eigen::Vector3f& p, const Eigen::Vector3f& centre, float angle) {
    return angle * Eigen::Vector3f::UnitX().cross(p - centre);
}

/// Lip mask with a Gaussian fall-off around the mouth, so lip actions fade
/// into the surrounding skin.
float mouthWeight(const Ctx& c, const Eigen::Vector3f& p, float sigma) {
    const Eigen::Vector3f centre(0, c.stomionY, 0.5f * (c.upperLip.z() + c.lowerLip.z()));
    const float dx = std::max(0.0f, std::abs(p.x()) - std::abs(c.corner.x()) * 0.6f);
    return std::exp(-(dx * dx + (p.y() - centre.y()) * (p.y() - centre.y()) + std::pow(std::max(0.0f, centre.z() - 0.015f - p.z()), 2.0f)) /
                    (2 * sigma * sigma));
}

}  // namespace

Eigen::MatrixXf buildExpressionBasis(const NeutralHead& head, std::vector<std::string>& names) {
    Ctx c{head, fieldNormals(head), anchor(head, "left_eye_centre"), anchor(head, "left_mouth_corner"),
          anchor(head, "left_brow_inner"), anchor(head, "left_brow_peak"), anchor(head, "left_brow_outer"),
          anchor(head, "upper_lip_outer"), anchor(head, "lower_lip_outer"), anchor(head, "nose_tip"),
          anchor(head, "left_alar"), anchor(head, "nasion"), anchor(head, "menton"), stomionY(head),
          {}, {}, {}, {}, {}};
    lidMasks(head, "left_eyelid", c.eye, c.upperLidL, c.lowerLidL);
    lidMasks(head, "right_eyelid", mirrorX(c.eye), c.upperLidR, c.lowerLidR);
    c.lips = regionMask(head, "lips");
    const Eigen::Vector3f cheekL(c.corner.x() + 0.015f, c.corner.y() + 0.025f, c.corner.z() - 0.012f);

    std::vector<RowMatX3f> fields;
    names.clear();
    // Lid actions rotate the lids over the eyeball and lip-line scalings
    // keep the lips apart by construction; every other action is guarded.
    auto addGuarded = [&](const char* name, const std::function<Eigen::Vector3f(int, const Eigen::Vector3f&)>& f,
                          bool eyes, bool lips) {
        names.emplace_back(name);
        fields.push_back(eval(c, f));
        guardField(head, fields.back(), FieldGuards{eyes, lips, false});
    };
    auto add = [&](const char* name, const std::function<Eigen::Vector3f(int, const Eigen::Vector3f&)>& f) {
        addGuarded(name, f, true, true);
    };
    auto corners = [&](const Eigen::Vector3f& p, float sigma) {
        return gaussian(p, c.corner, sigma) + gaussian(p, mirrorX(c.corner), sigma);
    };
    auto smileAt = [&](const Eigen::Vector3f& p, bool leftOnly) {
        if (leftOnly && p.x() < 0) return Eigen::Vector3f(0, 0, 0);
        const float g = leftOnly ? gaussian(p, c.corner, 0.011f) : corners(p, 0.011f);
        const float ch = leftOnly ? gaussian(p, cheekL, 0.014f) : gaussian(p, cheekL, 0.014f) + gaussian(p, mirrorX(cheekL), 0.014f);
        return Eigen::Vector3f(g * Eigen::Vector3f(side(p) * 0.0025f, 0.003f, -0.0015f) + ch * Eigen::Vector3f(0, 0.0015f, 0.001f));
    };
    add("smile", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f { return smileAt(p, false); });
    add("smile_left", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f { return smileAt(p, true); });
    add("frown", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float g = gaussian(p, c.browInner, 0.009f) + gaussian(p, mirrorX(c.browInner), 0.009f);
        // The pull toward the midline vanishes on it, so the two brows'
        // skin compresses there instead of crossing over.
        const float toMid = -side(p) * 0.0018f * smoothstep(0.0f, 0.008f, std::abs(p.x()));
        return Eigen::Vector3f(g * Eigen::Vector3f(toMid, -0.0015f, 0.0005f));
    });
    add("brow_raise_inner", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(0, 0.003f * (gaussian(p, c.browInner, 0.010f) + gaussian(p, mirrorX(c.browInner), 0.010f)), 0);
    });
    add("brow_raise_outer", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(0, 0.003f * (gaussian(p, c.browOuter, 0.011f) + gaussian(p, mirrorX(c.browOuter), 0.011f)), 0);
    });
    add("brow_lower", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float g = gaussian(p, c.browPeak, 0.014f) + gaussian(p, mirrorX(c.browPeak), 0.014f);
        return Eigen::Vector3f(g * Eigen::Vector3f(0, -0.0022f, 0.0004f));
    });
    addGuarded("blink_left", [&](int v, const Eigen::Vector3f& p) -> Eigen::Vector3f { return lidRotation(p, c.eye, 0.2f * c.upperLidL[v]); }, false, true);
    addGuarded("blink_right", [&](int v, const Eigen::Vector3f& p) -> Eigen::Vector3f { return lidRotation(p, mirrorX(c.eye), 0.2f * c.upperLidR[v]); }, false, true);
    addGuarded("squint", [&](int v, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const Eigen::Vector3f centre = p.x() >= 0 ? c.eye : mirrorX(c.eye);
        const float lower = std::max(c.lowerLidL[v], c.lowerLidR[v]);
        const float upper = std::max(c.upperLidL[v], c.upperLidR[v]);
        return Eigen::Vector3f(lidRotation(p, centre, -0.12f * lower + 0.05f * upper));
    }, false, true);
    add("lip_pucker", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float w = mouthWeight(c, p, 0.010f);
        return Eigen::Vector3f(w * Eigen::Vector3f(-0.06f * p.x(), 0, 0.002f));
    });
    add("lip_press", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float w = mouthWeight(c, p, 0.008f);
        return Eigen::Vector3f(w * Eigen::Vector3f(0, -0.12f * (p.y() - c.stomionY), -0.001f));
    });
    add("mouth_stretch", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(corners(p, 0.011f) * Eigen::Vector3f(side(p) * 0.0035f, -0.0008f, -0.0008f));
    });
    add("lip_corners_down", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(corners(p, 0.010f) * Eigen::Vector3f(0, -0.0035f, -0.0004f));
    });
    add("upper_lip_raise", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        if (p.y() < c.stomionY) return Eigen::Vector3f(0, 0, 0);
        const float w = mouthWeight(c, p, 0.010f);
        return Eigen::Vector3f(0, 0.35f * w * (p.y() - c.stomionY), 0.0005f * w);
    });
    add("lower_lip_depress", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        if (p.y() > c.stomionY) return Eigen::Vector3f(0, 0, 0);
        const float w = mouthWeight(c, p, 0.010f);
        return Eigen::Vector3f(0, 0.35f * w * (p.y() - c.stomionY), 0.0004f * w);
    });
    add("cheek_puff", [&](int v, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float g = gaussian(p, cheekL + Eigen::Vector3f(0, -0.02f, -0.005f), 0.016f) +
                        gaussian(p, mirrorX(cheekL + Eigen::Vector3f(0, -0.02f, -0.005f)), 0.016f);
        return Eigen::Vector3f(0.0025f * g * c.normals.row(v).transpose());
    });
    add("nose_wrinkle", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const Eigen::Vector3f side0(c.alar.x() * 0.7f, 0.5f * (c.alar.y() + c.nasion.y()), c.alar.z() + 0.004f);
        const float g = gaussian(p, side0, 0.008f) + gaussian(p, mirrorX(side0), 0.008f);
        return Eigen::Vector3f(g * Eigen::Vector3f(0, 0.002f, -0.0004f));
    });
    add("nostril_flare", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float g = gaussian(p, c.alar, 0.006f) + gaussian(p, mirrorX(c.alar), 0.006f);
        return Eigen::Vector3f(side(p) * 0.0018f * g, 0, 0);
    });
    add("jaw_forward", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float w = smoothstep(c.stomionY + 0.002f, c.stomionY - 0.004f, p.y()) *
                        smoothstep(c.menton.y() - 0.03f, c.menton.y(), p.y()) * smoothstep(0.0f, c.nasion.z() * 0.5f, p.z());
        return Eigen::Vector3f(0, 0, 0.0025f * w);
    });
    add("mouth_left", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        return Eigen::Vector3f(0.0025f * mouthWeight(c, p, 0.011f), 0, 0);
    });
    add("cheek_suck", [&](int v, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const Eigen::Vector3f hollow(c.corner.x() + 0.02f, c.corner.y() + 0.004f, c.corner.z() - 0.03f);
        const float g = gaussian(p, hollow, 0.012f) + gaussian(p, mirrorX(hollow), 0.012f);
        return Eigen::Vector3f(-0.002f * g * c.normals.row(v).transpose());
    });
    add("lip_funnel", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        const float w = mouthWeight(c, p, 0.009f);
        return Eigen::Vector3f(w * Eigen::Vector3f(0, 0.1f * (p.y() - c.stomionY), 0.0014f));
    });
    add("brow_raise_left", [&](int, const Eigen::Vector3f& p) -> Eigen::Vector3f {
        if (p.x() < 0) return Eigen::Vector3f(0, 0, 0);
        return Eigen::Vector3f(0, 0.003f * gaussian(p, c.browPeak, 0.014f), 0);
    });

    Eigen::MatrixXf basis(3 * static_cast<Eigen::Index>(head.numVertices()), static_cast<Eigen::Index>(fields.size()));
    for (std::size_t k = 0; k < fields.size(); ++k)
        basis.col(static_cast<Eigen::Index>(k)) = Eigen::Map<const Eigen::VectorXf>(fields[k].data(), basis.rows());
    return loewdinOrthogonalise(basis);
}

}  // namespace synthforge::head::default_head
