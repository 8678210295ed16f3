// Scalp hair as geometry: a shell over the scalp, offset from the skin by
// the style's volume and tapering to the skin at the hairline, so the
// hairline is where the shell meets the forehead, temples and nape. Styles
// add to it: a curtain falling below the nape (long), a bun at the back
// (tied back), curl relief (curly). A parting is a groove down to the skin.
// Every vertex is bound to the scalp vertex it grows from, so hair follows
// every head shape and pose. Strand coordinates run around the crown, so
// the streak texture follows hair combed down from it (asset_composite.h).

#include <algorithm>
#include <cmath>

#include "core/generate/assets/asset_builders.h"
#include "core/generate/assets/mesh_shapes.h"

namespace synthforge::generate {

namespace {

/// Where the hair reaches on the template, relative to the eye centres.
struct HairZones {
    float eyeY = 0, eyeZ = 0;
    float earY = 0, earZ = 0;  ///< ear centres (height and depth)
    float nape = 0;            ///< lowest point at the back, metres relative to eyeY

    /// Height above the eyes below which a point at `p` has no hair: the
    /// front hairline (raised at the temples), sloping down past the
    /// temples to the sideburns in front of the ears, then to the nape.
    float level(const HairShape& h, const Eigen::Vector3f& p) const {
        const float d = eyeZ - p.z();  // depth behind the eye centres
        const float front = h.hairline + h.recession * smoothStep(0.012f, 0.045f, std::abs(p.x()));
        const float earFront = eyeZ - earZ - 0.02f;
        const float sideburn = earY - eyeY + 0.004f;
        if (d <= 0.02f) return front;
        if (d <= earFront) return front + (sideburn - front) * smoothStep(0.02f, earFront, d);
        return sideburn + (nape - sideburn) * smoothStep(earFront, eyeZ - earZ + 0.035f, d);
    }
};

constexpr float kSunkBand = 0.006f;

float styleNape(HairStyle s) {
    switch (s) {
        case HairStyle::Cropped: return -0.05f;
        case HairStyle::Medium:
        case HairStyle::Long: return -0.075f;
        default: return -0.06f;
    }
}

}  // namespace

AssetMesh buildHair(const HairShape& h, const head::HeadModel& model, const AssetHeadFrame& hf) {
    const int nv = model.numVertices();
    HairZones z;
    z.eyeY = 0.5f * (hf.leftEye.y() + hf.rightEye.y());
    z.eyeZ = 0.5f * (hf.leftEye.z() + hf.rightEye.z());
    std::vector<std::int32_t> ears = hf.leftEar;
    ears.insert(ears.end(), hf.rightEar.begin(), hf.rightEar.end());
    z.earY = hf.ear.y();
    z.earZ = hf.ear.z();
    z.nape = styleNape(h.style);

    std::vector<std::uint8_t> isEar(static_cast<std::size_t>(nv), 0), selected(static_cast<std::size_t>(nv), 0);
    for (std::int32_t v : ears) isEar[static_cast<std::size_t>(v)] = 1;
    // Head vertices within 8 mm of an ear: the rim around an ear hole
    // grows no curtain.
    std::vector<std::uint8_t> nearEar(static_cast<std::size_t>(nv), 0);
    Eigen::Vector3f earLo = Eigen::Vector3f::Constant(1e9f), earHi = Eigen::Vector3f::Constant(-1e9f);
    for (std::int32_t e : ears) {
        earLo = earLo.cwiseMin(model.vTemplate.row(e).transpose());
        earHi = earHi.cwiseMax(model.vTemplate.row(e).transpose());
    }
    for (std::int32_t v : hf.skin) {
        const Eigen::Vector3f p = model.vTemplate.row(v).transpose();
        // A band below the hairline is in the shell too, sunk into the skin
        // (negative offset below), so the hairline the image shows is where
        // the shell leaves the skin: the smooth line level() draws, not the
        // edges of the template's triangles.
        if (!isEar[static_cast<std::size_t>(v)] && p.y() - z.eyeY > z.level(h, p) - kSunkBand)
            selected[static_cast<std::size_t>(v)] = 1;
        if (((p - earLo).cwiseMin(Eigen::Vector3f::Zero()) + (p - earHi).cwiseMax(Eigen::Vector3f::Zero())).norm() > 0.008f)
            continue;  // outside the ears' box grown by 8 mm
        for (std::int32_t e : ears)
            if ((model.vTemplate.row(e).transpose() - p).squaredNorm() < 0.008f * 0.008f) {
                nearEar[static_cast<std::size_t>(v)] = 1;
                break;
            }
    }

    // Volume: full from ~1.5 cm inside the hairline, more at the back and
    // sides for the longer styles.
    const float taperWidth = h.style == HairStyle::Cropped ? 0.004f : 0.015f;
    const bool voluminous = h.style == HairStyle::Medium || h.style == HairStyle::Long || h.style == HairStyle::Curly;
    auto offset = [&](int v) {
        const Eigen::Vector3f p = model.vTemplate.row(v).transpose();
        const float above = p.y() - z.eyeY - z.level(h, p);  // height above the hairline
        if (above <= 0.0f) return 0.5f * above;                 // the sunk band
        const float taper = smoothStep(0.0f, taperWidth, above);
        float o = h.thickness * taper;
        if (voluminous) o *= 1.0f + 0.35f * smoothStep(0.03f, 0.12f, z.eyeZ - p.z());
        if (h.curl > 0.0f) {
            const float n = valueNoise1(p.x() * 180.0f + p.y() * 97.0f, h.strandSeed) *
                            valueNoise1(p.z() * 180.0f - p.y() * 61.0f, h.strandSeed + 3.0f);
            o += h.curl * (0.5f + 0.5f * n) * taper;
        }
        if (h.parted) {
            // The groove runs back from the hairline over the top and fades toward the crown.
            const float along = 1.0f - smoothStep(0.08f, 0.13f, z.eyeZ - p.z());
            const float across = smoothStep(0.0015f, 0.005f, std::abs(p.x() - h.parting));
            o *= 1.0f - along * (1.0f - across) * 0.92f;
        }
        // Rising from the skin at the hairline; 0.8 mm in, the head no longer wins the depth test.
        return std::min(above, 0.0008f) + o;
    };
    // Around a vertical axis through the crown; metres along a circle of 9 cm.
    const float crownZ = z.eyeZ - 0.075f;
    auto strand = [&](int v) {
        const Eigen::Vector3f p = model.vTemplate.row(v).transpose();
        return 0.09f * std::atan2(p.x(), p.z() - crownZ);
    };
    std::vector<float> offsets(static_cast<std::size_t>(nv), 0.0f);
    for (int v = 0; v < nv; ++v)
        if (selected[static_cast<std::size_t>(v)]) offsets[static_cast<std::size_t>(v)] = offset(v);
    AssetMesh m;
    const SkinShell shell = addSkinShell(
        m, model, hf, selected,
        [&](int v) {
            return Eigen::Vector3f(model.vTemplate.row(v).transpose() +
                                   offsets[static_cast<std::size_t>(v)] * hf.normals.row(v).transpose());
        },
        strand);

    if (h.style == HairStyle::Long && h.length > 0.0f) {
        // A curtain from the rim behind the sideburns, falling `length` and
        // easing away from the neck as it goes down.
        constexpr int kRows = 6;
        const float earFrontDepth = z.eyeZ - z.earZ - 0.01f;
        std::vector<std::vector<int>> chain(static_cast<std::size_t>(nv));
        auto chainOf = [&](int v) -> const std::vector<int>& {
            std::vector<int>& c = chain[static_cast<std::size_t>(v)];
            if (!c.empty()) return c;
            const Eigen::Vector3f top = m.vertices[static_cast<std::size_t>(shell.shellIndex[static_cast<std::size_t>(v)])];
            Eigen::Vector2f out(top.x(), top.z() - z.earZ);
            out = out.norm() > 1e-6f ? Eigen::Vector2f(out.normalized()) : Eigen::Vector2f(0.0f, -1.0f);
            c.push_back(shell.shellIndex[static_cast<std::size_t>(v)]);
            for (int r = 1; r <= kRows; ++r) {
                const float t = static_cast<float>(r) / kRows;
                const float away = 0.004f + 0.035f * t;
                const Eigen::Vector3f p = top + Eigen::Vector3f(away * out.x(), -h.length * t, away * out.y());
                c.push_back(m.addVertex(p, v, strand(v)));
            }
            return c;
        };
        for (const auto& [a, b] : shell.rim) {
            const Eigen::Vector3f pa = model.vTemplate.row(a).transpose(), pb = model.vTemplate.row(b).transpose();
            if (nearEar[static_cast<std::size_t>(a)] || nearEar[static_cast<std::size_t>(b)]) continue;
            if (z.eyeZ - pa.z() < earFrontDepth || z.eyeZ - pb.z() < earFrontDepth) continue;
            const std::vector<int> ca = chainOf(a), cb = chainOf(b);
            for (int r = 0; r < kRows; ++r)
                m.addQuad(cb[static_cast<std::size_t>(r)], ca[static_cast<std::size_t>(r)],
                          ca[static_cast<std::size_t>(r + 1)], cb[static_cast<std::size_t>(r + 1)]);
        }
    }

    if (h.style == HairStyle::TiedBack) {
        // A bun at the back of the head, a little above the ears.
        int back = -1;
        for (std::int32_t v : hf.skin) {
            const Eigen::Vector3f p = model.vTemplate.row(v).transpose();
            if (!selected[static_cast<std::size_t>(v)] || std::abs(p.x()) > 0.012f) continue;
            if (p.y() < z.eyeY + 0.005f || p.y() > z.eyeY + 0.05f) continue;
            if (back < 0 || p.z() < model.vTemplate(back, 2)) back = v;
        }
        if (back >= 0) {
            const float r = 0.028f;
            const Eigen::Vector3f c = model.vTemplate.row(back).transpose() + Eigen::Vector3f(0.0f, 0.004f, -0.7f * r);
            constexpr int kLat = 8, kLon = 14;
            const int first = m.numVertices();
            for (int i = 0; i <= kLat; ++i) {
                const float th = 3.14159265f * static_cast<float>(i) / kLat;
                for (int j = 0; j < kLon; ++j) {
                    const float ph = 6.2831853f * static_cast<float>(j) / kLon;
                    const Eigen::Vector3f d(std::sin(th) * std::cos(ph), std::cos(th), std::sin(th) * std::sin(ph));
                    m.addVertex(c + Eigen::Vector3f(r * d.x(), 0.8f * r * d.y(), 0.8f * r * d.z()), back, r * ph);
                }
            }
            for (int i = 0; i < kLat; ++i)
                for (int j = 0; j < kLon; ++j) {
                    const int a = first + i * kLon + j, b = first + i * kLon + (j + 1) % kLon;
                    m.addQuad(a, b, b + kLon, a + kLon);
                }
        }
    }
    return m;
}

}  // namespace synthforge::generate
