// Facewear: a face mask over nose, mouth and chin, with ear loops.
//
// The fabric is a height field around a vertical axis through the ears:
// for each (angle, height) cell, the farthest skin from the axis (the
// front of the face: nose, lips, chin and cheeks, never the mouth's
// interior behind the lips) plus the standoff. Smoothing that may only
// move outward then lets it span the hollows under the nose and between
// lips and chin as cloth does. A surgical mask adds horizontal pleats.
// Placed from the template's landmarks and ears; each vertex bound to its
// nearest skin vertex (it opens with the jaw, as a worn mask stretches).

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/generate/assets/asset_builders.h"
#include "core/generate/assets/mesh_shapes.h"

namespace synthforge::generate {

namespace {

constexpr int kCols = 56, kRows = 28;  // angle x height samples
constexpr float kMaxAngle = 1.35f;     // radians either side of straight ahead (ears at ~pi/2)

}  // namespace

AssetMesh buildFacewear(const FacewearShape& f, const head::HeadModel& model, const AssetHeadFrame& hf) {
    if (hf.landmarks.size() != static_cast<std::size_t>(head::kNumLandmarks))
        throw std::invalid_argument("facewear: the head model has no 68-landmark embedding to place it by");
    const auto& L = hf.landmarks;
    const Eigen::Vector3f noseTip = L[30], chin = L[8];
    const float eyeY = 0.5f * (hf.leftEye.y() + hf.rightEye.y());
    const Eigen::Vector3f& ear = hf.ear;
    const float topY = noseTip.y() + f.top * (eyeY - noseTip.y());
    const float bottomY = chin.y() - 0.02f;
    const float axisZ = ear.z();  // the vertical axis through both ears

    // The edge: highest over the nose, falling across the cheeks; the sides
    // stop short of the ears.
    auto angleOf = [&](const Eigen::Vector3f& p) { return std::atan2(p.x(), p.z() - axisZ); };
    const float sideAngle = std::min(kMaxAngle, std::atan2(ear.x(), 0.03f));
    auto topAt = [&](float angle) { return topY - 0.035f * std::max(0.0f, std::abs(angle) - 0.2f); };
    auto heightAt = [&](int r, float angle) {
        const float t = static_cast<float>(r) / (kRows - 1);
        return bottomY + t * (topAt(angle) - bottomY);
    };
    auto angleAtCol = [&](int c) { return -sideAngle + 2.0f * sideAngle * static_cast<float>(c) / (kCols - 1); };

    // Farthest skin from the axis near each sample (within a cell's reach).
    const float dAngle = 2.0f * sideAngle / (kCols - 1);
    std::vector<float> radius(static_cast<std::size_t>(kCols * kRows), 0.0f);
    for (std::int32_t v : hf.skin) {
        const Eigen::Vector3f p = model.vTemplate.row(v).transpose();
        const float a = angleOf(p), rad = std::hypot(p.x(), p.z() - axisZ);
        const int c0 = static_cast<int>(std::floor((a + sideAngle) / dAngle));
        for (int c = c0 - 1; c <= c0 + 2; ++c) {
            if (c < 0 || c >= kCols || std::abs(angleAtCol(c) - a) > 1.5f * dAngle) continue;
            const float angle = angleAtCol(c);
            const float dy = (topAt(angle) - bottomY) / (kRows - 1);
            const int r0 = static_cast<int>(std::floor((p.y() - bottomY) / dy));
            for (int r = r0 - 1; r <= r0 + 2; ++r) {
                if (r < 0 || r >= kRows || std::abs(heightAt(r, angle) - p.y()) > 1.5f * dy) continue;
                float& cell = radius[static_cast<std::size_t>(r * kCols + c)];
                cell = std::max(cell, rad);
            }
        }
    }
    // Cells no skin reached (below the jaw at the sides) take their column's
    // nearest filled value, so the fabric runs on instead of collapsing.
    for (int c = 0; c < kCols; ++c)
        for (int r = 1; r < kRows; ++r) {
            float& cell = radius[static_cast<std::size_t>(r * kCols + c)];
            if (cell == 0.0f) cell = radius[static_cast<std::size_t>((r - 1) * kCols + c)];
        }
    for (int c = 0; c < kCols; ++c)
        for (int r = kRows - 2; r >= 0; --r) {
            float& cell = radius[static_cast<std::size_t>(r * kCols + c)];
            if (cell == 0.0f) cell = radius[static_cast<std::size_t>((r + 1) * kCols + c)];
        }
    std::vector<float> floor = radius, next = radius;
    for (float& v : floor) v += 0.0008f;
    std::vector<float> fabric = floor;
    for (int r = 0; r < kRows; ++r)  // the standoff grows from the edge inward
        for (int c = 0; c < kCols; ++c) {
            const float edge = std::min({static_cast<float>(r), static_cast<float>(kRows - 1 - r), static_cast<float>(c),
                                         static_cast<float>(kCols - 1 - c)});
            const float s = f.standoff * smoothStep(0.0f, 3.0f, edge);
            floor[static_cast<std::size_t>(r * kCols + c)] += s;
            fabric[static_cast<std::size_t>(r * kCols + c)] += s;
        }
    for (int it = 0; it < 40; ++it) {
        for (int r = 1; r + 1 < kRows; ++r)
            for (int c = 1; c + 1 < kCols; ++c) {
                const std::size_t i = static_cast<std::size_t>(r * kCols + c);
                const float mean = 0.25f * (fabric[i - 1] + fabric[i + 1] + fabric[i - kCols] + fabric[i + kCols]);
                next[i] = std::max(mean, floor[i]);
            }
        for (int r = 1; r + 1 < kRows; ++r)
            for (int c = 1; c + 1 < kCols; ++c) fabric[static_cast<std::size_t>(r * kCols + c)] = next[static_cast<std::size_t>(r * kCols + c)];
    }
    AssetMesh m;
    auto position = [&](int r, int c) {
        const float angle = angleAtCol(c);
        float rad = fabric[static_cast<std::size_t>(r * kCols + c)];
        if (f.pleated && r > 0 && r + 1 < kRows && std::abs(angle) < 0.7f)
            rad += 0.0012f * std::sin(static_cast<float>(r) * 6.2831853f / 6.0f) * (1.0f - smoothStep(0.45f, 0.7f, std::abs(angle)));
        return Eigen::Vector3f(rad * std::sin(angle), heightAt(r, angle), axisZ + rad * std::cos(angle));
    };
    for (int r = 0; r < kRows; ++r)
        for (int c = 0; c < kCols; ++c) m.addVertex(position(r, c));
    for (int r = 0; r + 1 < kRows; ++r)
        for (int c = 0; c + 1 < kCols; ++c) {
            const int a = r * kCols + c;
            m.addQuad(a, a + 1, a + 1 + kCols, a + kCols);
        }

    // Ear loops from the mask's side corners over and under each ear, kept
    // just off the skin.
    auto offSkin = [&](Eigen::Vector3f q) {
        float best = 1e9f;
        int bestV = -1;
        for (std::int32_t v : hf.skin) {
            const float d = (model.vTemplate.row(v).transpose() - q).squaredNorm();
            if (d < best) best = d, bestV = v;
        }
        if (bestV < 0) return q;
        const Eigen::Vector3f n = hf.normals.row(bestV).transpose();
        const float out = (q - model.vTemplate.row(bestV).transpose()).dot(n);
        if (out < 0.0025f) q += (0.0025f - out) * n;
        return q;
    };
    for (int side : {-1, 1}) {
        const int c = side < 0 ? 0 : kCols - 1;
        const Eigen::Vector3f earSide(side * ear.x(), ear.y(), ear.z());
        for (const auto& [row, dy] : {std::make_pair(kRows - 2, 0.022f), std::make_pair(1, -0.022f)}) {
            const Eigen::Vector3f a = m.vertices[static_cast<std::size_t>(row * kCols + c)];
            const Eigen::Vector3f end = earSide + Eigen::Vector3f(0.0f, dy, 0.0f);
            std::vector<Eigen::Vector3f> pts;
            constexpr int kSteps = 10;
            for (int k = 0; k <= kSteps; ++k) pts.push_back(offSkin(a + (end - a) * (static_cast<float>(k) / kSteps)));
            pts.push_back(offSkin(earSide + Eigen::Vector3f(0.0f, 0.6f * dy, -0.02f)));  // behind the ear
            addTube(m, pts, Eigen::Vector3f(static_cast<float>(side), 0.0f, 0.0f), 0.0012f, 0.0025f);
        }
    }
    bindNearest(m, model, hf.skin);
    return m;
}

}  // namespace synthforge::generate
