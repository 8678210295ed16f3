// Facial hair as geometry: a shell over the skin of the upper lip, chin,
// jaw and cheeks, placed from the template's own landmarks (mouth corners,
// lip midpoints, subnasale, chin) so it fits any head shape, and bound to
// the skin it grows from, so it opens with the jaw. The lips stay bare.
// Strands run down the face (strand coordinate = x).

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/generate/assets/asset_builders.h"
#include "core/generate/assets/mesh_shapes.h"

namespace synthforge::generate {

std::vector<std::uint8_t> beardZone(BeardStyle style, const head::HeadModel& model, const AssetHeadFrame& hf) {
    if (hf.landmarks.size() != static_cast<std::size_t>(head::kNumLandmarks))
        throw std::invalid_argument("beard: the head model has no 68-landmark embedding to place it by");
    const auto& L = hf.landmarks;
    const Eigen::Vector3f mouthR = L[48], mouthL = L[54], lipTop = L[51], lipBottom = L[57];
    const Eigen::Vector3f subnasale = L[33], chin = L[8];
    const float mouthX = 0.5f * (mouthR.x() + mouthL.x()), halfW = 0.5f * std::abs(mouthL.x() - mouthR.x());
    const float lipMidY = 0.5f * (lipTop.y() + lipBottom.y());
    const float lipHalfH = 0.5f * (lipTop.y() - lipBottom.y()) + 0.0015f;
    const Eigen::Vector3f& ear = hf.ear;
    const float earX = std::max(ear.x(), halfW + 0.03f);

    auto onLips = [&](const Eigen::Vector3f& p) {
        const float ex = (p.x() - mouthX) / (halfW + 0.002f), ey = (p.y() - lipMidY) / lipHalfH;
        return ex * ex + ey * ey < 1.0f;
    };
    auto frontOfFace = [&](const Eigen::Vector3f& p) { return p.z() > chin.z() - 0.035f; };
    auto moustache = [&](const Eigen::Vector3f& p) {
        return p.y() > lipTop.y() - 0.001f && p.y() < subnasale.y() - 0.003f && std::abs(p.x() - mouthX) < halfW + 0.004f &&
               frontOfFace(p);
    };
    auto goatee = [&](const Eigen::Vector3f& p) {
        const float ax = std::abs(p.x() - mouthX);
        const bool chinPatch = ax < 0.8f * halfW + 0.006f && p.y() < lipBottom.y() - 0.001f && p.y() > chin.y() - 0.012f &&
                               p.z() > chin.z() - 0.03f;
        const bool sides = ax < halfW + 0.006f && p.y() <= lipTop.y() && p.y() >= lipBottom.y() - 0.002f && frontOfFace(p);
        return chinPatch || sides;
    };
    auto full = [&](const Eigen::Vector3f& p) {
        // Above the jaw: up to a cheek line from beside the nose to the sideburns.
        const float t = std::clamp((std::abs(p.x() - mouthX) - halfW) / (earX - halfW), 0.0f, 1.0f);
        const float top = (subnasale.y() - 0.004f) * (1.0f - t) + (ear.y() + 0.005f) * t;
        if (p.y() > top) return false;
        if (p.z() < ear.z() + 0.012f) return false;                 // in front of the ears
        if (p.y() < chin.y() - 0.03f) return false;                 // down to the throat under the chin
        if (p.y() < chin.y() && p.z() < chin.z() - 0.06f) return false;  // not down the neck behind the jaw
        return true;
    };
    const int nv = model.numVertices();
    std::vector<std::uint8_t> selected(static_cast<std::size_t>(nv), 0);
    for (std::int32_t v : hf.skin) {
        const Eigen::Vector3f p = model.vTemplate.row(v).transpose();
        if (onLips(p)) continue;
        bool in = false;
        switch (style) {
            case BeardStyle::Moustache: in = moustache(p); break;
            case BeardStyle::Goatee: in = moustache(p) || goatee(p); break;
            case BeardStyle::Full: in = moustache(p) || goatee(p) || full(p); break;
        }
        selected[static_cast<std::size_t>(v)] = in ? 1 : 0;
    }
    return selected;
}

AssetMesh buildBeard(const BeardShape& b, const head::HeadModel& model, const AssetHeadFrame& hf) {
    const std::vector<std::uint8_t> selected = beardZone(b.style, model, hf);
    const std::vector<float> inside = distanceInside(model, selected);
    AssetMesh m;
    addSkinShell(
        m, model, hf, selected,
        [&](int v) {
            const float o = 0.0006f + b.thickness * smoothStep(0.0f, 0.006f, inside[static_cast<std::size_t>(v)]);
            return Eigen::Vector3f(model.vTemplate.row(v).transpose() + o * hf.normals.row(v).transpose());
        },
        [&](int v) { return model.vTemplate(v, 0); });
    return m;
}

}  // namespace synthforge::generate
