#include "core/labelmap/brush.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace synthforge::labelmap {

namespace {

// Geometry runs in doubled texel units: snapped centres and texel centres
// (2i + 1) are integers there, so membership is exact.
using i64 = std::int64_t;

i64 floorDiv2(i64 a) { return a >= 0 ? a / 2 : -((-a + 1) / 2); }

void checkDiameter(int diameter) {
    if (diameter < kMinBrushDiameter || diameter > kMaxBrushDiameter)
        throw std::invalid_argument("diameter: " + std::to_string(diameter) + " outside " +
                                    std::to_string(kMinBrushDiameter) + ".." + std::to_string(kMaxBrushDiameter));
}

void checkPoint(const Eigen::Vector2f& p) {
    const float lim = 4.0f * static_cast<float>(kMaxCanvasSide);
    if (!std::isfinite(p.x()) || !std::isfinite(p.y()) || std::abs(p.x()) > lim || std::abs(p.y()) > lim)
        throw std::invalid_argument("points: (" + std::to_string(p.x()) + ", " + std::to_string(p.y()) +
                                    ") is not finite or too far from the map");
}

i64 snapDoubled(float v, int diameter) {
    const double x = static_cast<double>(v);
    return (diameter % 2) ? 2 * static_cast<i64>(std::floor(x)) + 1 : 2 * static_cast<i64>(std::floor(x + 0.5));
}

struct Capsule {
    i64 ax, ay, bx, by, r;  // doubled units; r = diameter

    bool covers(i64 i, i64 j) const {
        const i64 px = 2 * i + 1, py = 2 * j + 1;
        const i64 dx = px - ax, dy = py - ay, ex = bx - ax, ey = by - ay;
        const i64 l2 = ex * ex + ey * ey, r2 = r * r;
        const i64 dot = dx * ex + dy * ey;
        if (l2 == 0 || dot <= 0) return dx * dx + dy * dy <= r2;
        if (dot >= l2) return (px - bx) * (px - bx) + (py - by) * (py - by) <= r2;
        const __int128 cross = static_cast<__int128>(dx) * ey - static_cast<__int128>(dy) * ex;
        return cross * cross <= static_cast<__int128>(r2) * l2;
    }

    /// Approximate covered range of doubled x on doubled row py (lo > hi when empty).
    void rowRange(double py, double& lo, double& hi) const {
        lo = INFINITY;
        hi = -INFINITY;
        const double R = static_cast<double>(r);
        auto disc = [&](double cx, double cy) {
            const double h2 = R * R - (py - cy) * (py - cy);
            if (h2 < 0) return;
            const double h = std::sqrt(h2);
            lo = std::min(lo, cx - h);
            hi = std::max(hi, cx + h);
        };
        disc(static_cast<double>(ax), static_cast<double>(ay));
        disc(static_cast<double>(bx), static_cast<double>(by));
        const double ex = static_cast<double>(bx - ax), ey = static_cast<double>(by - ay);
        const double l2 = ex * ex + ey * ey;
        if (l2 == 0) return;
        double sLo = -INFINITY, sHi = INFINITY;
        const double oy = py - static_cast<double>(ay), axd = static_cast<double>(ax);
        // 0 <= (X - ax) ex + oy ey <= l2
        if (ex == 0) {
            const double d = oy * ey;
            if (d < 0 || d > l2) return;
        } else {
            double a = axd + (0 - oy * ey) / ex, b = axd + (l2 - oy * ey) / ex;
            if (a > b) std::swap(a, b);
            sLo = std::max(sLo, a);
            sHi = std::min(sHi, b);
        }
        // |(X - ax) ey - oy ex| <= R sqrt(l2)
        const double w = R * std::sqrt(l2);
        if (ey == 0) {
            if (std::abs(oy * ex) > w) return;
        } else {
            double a = axd + (oy * ex - w) / ey, b = axd + (oy * ex + w) / ey;
            if (a > b) std::swap(a, b);
            sLo = std::max(sLo, a);
            sHi = std::min(sHi, b);
        }
        if (sLo <= sHi) {
            lo = std::min(lo, sLo);
            hi = std::max(hi, sHi);
        }
    }
};

void drawCapsule(CanvasEdit& edit, const Capsule& c, std::uint8_t id) {
    const int n = edit.canvas().size();
    const i64 yLo = std::min(c.ay, c.by) - c.r, yHi = std::max(c.ay, c.by) + c.r;
    const i64 j0 = std::max<i64>(0, -floorDiv2(-(yLo - 1))), j1 = std::min<i64>(n - 1, floorDiv2(yHi - 1));
    constexpr double kEps = 1e-3;  // float slack; the exact test trims it
    for (i64 j = j0; j <= j1; ++j) {
        double lo, hi;
        c.rowRange(static_cast<double>(2 * j + 1), lo, hi);
        if (!(lo <= hi)) continue;
        i64 i0 = static_cast<i64>(std::ceil((lo - kEps - 1) / 2)), i1 = static_cast<i64>(std::floor((hi + kEps - 1) / 2));
        i0 = std::max<i64>(i0, 0);
        i1 = std::min<i64>(i1, n - 1);
        while (i0 <= i1 && !c.covers(i0, j)) ++i0;
        while (i1 >= i0 && !c.covers(i1, j)) --i1;
        if (i0 <= i1) edit.fillSpan(static_cast<int>(j), static_cast<int>(i0), static_cast<int>(i1), id);
    }
}

}  // namespace

Eigen::Vector2f snapBrushCentre(const Eigen::Vector2f& p, int diameter) {
    checkDiameter(diameter);
    checkPoint(p);
    return {static_cast<float>(snapDoubled(p.x(), diameter)) * 0.5f,
            static_cast<float>(snapDoubled(p.y(), diameter)) * 0.5f};
}

std::vector<Texel> brushTexels(const Eigen::Vector2f& p, int diameter) {
    checkDiameter(diameter);
    checkPoint(p);
    const i64 cx = snapDoubled(p.x(), diameter), cy = snapDoubled(p.y(), diameter);
    const Capsule c{cx, cy, cx, cy, diameter};
    std::vector<Texel> out;
    for (i64 j = floorDiv2(cy - diameter) - 1; j <= floorDiv2(cy + diameter) + 1; ++j)
        for (i64 i = floorDiv2(cx - diameter) - 1; i <= floorDiv2(cx + diameter) + 1; ++i)
            if (c.covers(i, j)) out.push_back({static_cast<int>(i), static_cast<int>(j)});
    return out;
}

void drawStroke(CanvasEdit& edit, const std::vector<Eigen::Vector2f>& points, int diameter, std::uint8_t classId) {
    checkDiameter(diameter);
    for (const auto& p : points) checkPoint(p);
    if (points.empty()) return;
    i64 px = snapDoubled(points[0].x(), diameter), py = snapDoubled(points[0].y(), diameter);
    drawCapsule(edit, {px, py, px, py, diameter}, classId);
    for (std::size_t k = 1; k < points.size(); ++k) {
        const i64 qx = snapDoubled(points[k].x(), diameter), qy = snapDoubled(points[k].y(), diameter);
        if (qx == px && qy == py) continue;  // same footprint as the last stamp
        drawCapsule(edit, {px, py, qx, qy, diameter}, classId);
        px = qx;
        py = qy;
    }
}

StrokeRecord paintStroke(LabelCanvas& canvas, const std::vector<Eigen::Vector2f>& points, int diameter,
                         std::uint8_t classId) {
    CanvasEdit edit(canvas);
    drawStroke(edit, points, diameter, classId);
    return edit.commit();
}

StrokeRecord eraseStroke(LabelCanvas& canvas, const std::vector<Eigen::Vector2f>& points, int diameter,
                         std::uint8_t eraseTo) {
    return paintStroke(canvas, points, diameter, eraseTo);
}

}  // namespace synthforge::labelmap
