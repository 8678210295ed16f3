#include "core/labelmap/region_fill.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace synthforge::labelmap {

namespace {

/// Scanline flood fill: paints the 4-connected set of texels for which
/// inside(x, y) holds, starting at a texel where it holds. inside() must turn
/// false once a texel is painted (the fill paints a new id), which also
/// stands in for a visited map. Stack of row seeds, not recursion, so a
/// 4096^2 region cannot overflow the call stack.
template <class Inside>
void spanFill(CanvasEdit& edit, int sx, int sy, std::uint8_t id, Inside inside) {
    const int n = edit.canvas().size();
    std::vector<std::pair<int, int>> stack{{sx, sy}};
    while (!stack.empty()) {
        auto [x, y] = stack.back();
        stack.pop_back();
        if (!inside(x, y)) continue;
        int x0 = x, x1 = x;
        while (x0 > 0 && inside(x0 - 1, y)) --x0;
        while (x1 < n - 1 && inside(x1 + 1, y)) ++x1;
        edit.fillSpan(y, x0, x1, id);
        for (int ny : {y - 1, y + 1}) {
            if (ny < 0 || ny >= n) continue;
            bool inRun = false;
            for (int xx = x0; xx <= x1; ++xx) {
                const bool in = inside(xx, ny);
                if (in && !inRun) stack.emplace_back(xx, ny);
                inRun = in;
            }
        }
    }
}

}  // namespace

StrokeRecord floodFillRegion(LabelCanvas& canvas, int x, int y, std::uint8_t classId) {
    CanvasEdit edit(canvas);
    if (canvas.contains(x, y)) {
        const std::uint8_t old = canvas.get(x, y);
        if (old != classId) spanFill(edit, x, y, classId, [&](int px, int py) { return canvas.get(px, py) == old; });
    }
    return edit.commit();
}

StrokeRecord fillIsland(LabelCanvas& canvas, const UvIslandMap& islands, int x, int y, std::uint8_t classId,
                        IslandFill mode) {
    if (islands.size() != canvas.size())
        throw std::invalid_argument("islands: island map of size " + std::to_string(islands.size()) +
                                    " does not match the canvas of size " + std::to_string(canvas.size()));
    CanvasEdit edit(canvas);
    const int island = islands.islandAt(x, y);
    if (island >= 0) {
        if (mode == IslandFill::WholeIsland) {
            const int n = canvas.size();
            for (int py = 0; py < n; ++py)
                for (int px = 0; px < n; ++px)
                    if (islands.islandAt(px, py) == island && canvas.get(px, py) != classId) edit.set(px, py, classId);
        } else {
            const std::uint8_t old = canvas.get(x, y);
            if (old != classId)
                spanFill(edit, x, y, classId, [&](int px, int py) {
                    return canvas.get(px, py) == old && islands.islandAt(px, py) == island;
                });
        }
    }
    return edit.commit();
}

void drawPolygon(CanvasEdit& edit, const std::vector<Eigen::Vector2f>& polygon, std::uint8_t classId) {
    const float lim = 4.0f * static_cast<float>(kMaxCanvasSide);
    for (const auto& p : polygon)
        if (!std::isfinite(p.x()) || !std::isfinite(p.y()) || std::abs(p.x()) > lim || std::abs(p.y()) > lim)
            throw std::invalid_argument("polygon: point (" + std::to_string(p.x()) + ", " + std::to_string(p.y()) +
                                        ") is not finite or too far from the map");
    if (polygon.size() < 3) return;
    const int n = edit.canvas().size();
    double minY = polygon[0].y(), maxY = minY;
    for (const auto& p : polygon) {
        minY = std::min<double>(minY, p.y());
        maxY = std::max<double>(maxY, p.y());
    }
    const int j0 = std::max(0, static_cast<int>(std::floor(minY - 0.5))),
              j1 = std::min(n - 1, static_cast<int>(std::ceil(maxY - 0.5)));
    std::vector<double> xs;
    for (int j = j0; j <= j1; ++j) {
        const double yc = j + 0.5;
        xs.clear();
        for (std::size_t k = 0; k < polygon.size(); ++k) {
            const Eigen::Vector2d a = polygon[k].cast<double>(), b = polygon[(k + 1) % polygon.size()].cast<double>();
            // Half-open in y (a vertex on the row counts for one of its two
            // edges only), so the even-odd count stays right at vertices.
            if ((a.y() <= yc) == (b.y() <= yc)) continue;
            xs.push_back(a.x() + (yc - a.y()) * (b.x() - a.x()) / (b.y() - a.y()));
        }
        std::sort(xs.begin(), xs.end());
        for (std::size_t k = 0; k + 1 < xs.size(); k += 2) {
            // texel centres i + 0.5 in [xs[k], xs[k+1])
            const double lo = std::ceil(xs[k] - 0.5), hi = std::ceil(xs[k + 1] - 0.5) - 1;
            if (hi < 0 || lo > n - 1 || lo > hi) continue;
            edit.fillSpan(j, static_cast<int>(std::max(lo, 0.0)), static_cast<int>(std::min<double>(hi, n - 1)),
                          classId);
        }
    }
}

StrokeRecord fillPolygon(LabelCanvas& canvas, const std::vector<Eigen::Vector2f>& polygon, std::uint8_t classId) {
    CanvasEdit edit(canvas);
    drawPolygon(edit, polygon, classId);
    return edit.commit();
}

}  // namespace synthforge::labelmap
