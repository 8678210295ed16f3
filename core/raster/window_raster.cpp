#include "core/raster/window_raster.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <unordered_map>

namespace synthforge::raster {

namespace {
constexpr int kCell = 8;  ///< pixels per bin side: most head triangles cover one or two bins
}

WindowRaster::WindowRaster(const Vertices& cameraVertices, const Triangles& faces,
                           const Intrinsics& k, int width, int height, const RasterOptions& options)
    : cam_(cameraVertices), faces_(faces), k_(k), options_(options), width_(width), height_(height) {
    if (width <= 0 || height <= 0 || width > kMaxImageSide || height > kMaxImageSide)
        throw std::invalid_argument("WindowRaster: bad image size");
    options_.threads = 1;  // windows are a few pixels: threads would cost more than they save
    cellsX_ = (width + kCell - 1) / kCell;
    cellsY_ = (height + kCell - 1) / kCell;
    // Each triangle's pixel box, as the rasteriser projects (in double), one
    // pixel wider on each side to cover its 1/256-pixel snapping.
    const int numTris = static_cast<int>(faces.rows());
    std::vector<Eigen::Vector4i> boxes(numTris, Eigen::Vector4i(0, -1, 0, -1));
    std::vector<int> count(static_cast<std::size_t>(cellsX_) * cellsY_ + 1, 0);
    const int numVerts = static_cast<int>(cam_.rows());
    for (int f = 0; f < numTris; ++f) {
        double u0 = std::numeric_limits<double>::infinity(), u1 = -u0, v0 = u0, v1 = -u0;
        bool ok = true;
        for (int c = 0; c < 3 && ok; ++c) {
            const int i = faces(f, c);
            if (i < 0 || i >= numVerts) { ok = false; break; }
            const double z = cam_(i, 2);
            if (!(z > options_.nearZ)) { ok = false; break; }  // the rasteriser drops it
            const double u = k.fx * (cam_(i, 0) / z) + k.cx, v = k.fy * (cam_(i, 1) / z) + k.cy;
            // Outside the guard band (or not finite) the rasteriser drops it too.
            if (!(std::abs(u) < kGuardBandPixels) || !(std::abs(v) < kGuardBandPixels)) { ok = false; break; }
            u0 = std::min(u0, u), u1 = std::max(u1, u), v0 = std::min(v0, v), v1 = std::max(v1, v);
        }
        if (!ok || u1 < -1.0 || v1 < -1.0 || u0 > width + 1.0 || v0 > height + 1.0) continue;
        const int x0 = std::max(0, static_cast<int>(std::floor(u0)) - 1) / kCell;
        const int x1 = std::min(width - 1, static_cast<int>(std::floor(u1)) + 1) / kCell;
        const int y0 = std::max(0, static_cast<int>(std::floor(v0)) - 1) / kCell;
        const int y1 = std::min(height - 1, static_cast<int>(std::floor(v1)) + 1) / kCell;
        boxes[f] = Eigen::Vector4i(x0, x1, y0, y1);
        for (int cy = y0; cy <= y1; ++cy)
            for (int cx = x0; cx <= x1; ++cx) ++count[static_cast<std::size_t>(cy) * cellsX_ + cx + 1];
    }
    for (std::size_t i = 1; i < count.size(); ++i) count[i] += count[i - 1];
    cellStart_ = count;
    cellTris_.resize(static_cast<std::size_t>(count.back()));
    std::vector<int> fill(count.begin(), count.end() - 1);
    for (int f = 0; f < numTris; ++f)  // ascending f: every cell's list keeps the triangle order
        for (int cy = boxes[f][2]; cy <= boxes[f][3]; ++cy)
            for (int cx = boxes[f][0]; cx <= boxes[f][1]; ++cx)
                cellTris_[static_cast<std::size_t>(fill[static_cast<std::size_t>(cy) * cellsX_ + cx]++)] = f;
}

RasterResult WindowRaster::window(int x0, int y0, int w, int h, Eigen::Vector2i* origin) const {
    const int xa = std::max(0, x0), ya = std::max(0, y0);
    const int xb = std::min(width_, x0 + w), yb = std::min(height_, y0 + h);
    if (origin) *origin = Eigen::Vector2i(xa, ya);
    RasterResult out;
    if (empty() || xa >= xb || ya >= yb) return out;
    // Candidates: the triangles of every bin the window touches, ascending.
    std::vector<int> tris;
    for (int cy = ya / kCell; cy <= (yb - 1) / kCell; ++cy)
        for (int cx = xa / kCell; cx <= (xb - 1) / kCell; ++cx) {
            const std::size_t c = static_cast<std::size_t>(cy) * cellsX_ + cx;
            tris.insert(tris.end(), cellTris_.begin() + cellStart_[c], cellTris_.begin() + cellStart_[c + 1]);
        }
    std::sort(tris.begin(), tris.end());
    tris.erase(std::unique(tris.begin(), tris.end()), tris.end());
    // A compact copy of just those triangles and their vertices.
    std::unordered_map<int, int> remap;
    Triangles subT(static_cast<Eigen::Index>(tris.size()), 3);
    std::vector<int> used;
    for (std::size_t t = 0; t < tris.size(); ++t)
        for (int c = 0; c < 3; ++c) {
            const int v = faces_(tris[t], c);
            const auto [it, fresh] = remap.emplace(v, static_cast<int>(used.size()));
            if (fresh) used.push_back(v);
            subT(static_cast<Eigen::Index>(t), c) = it->second;
        }
    Vertices subV(static_cast<Eigen::Index>(used.size()), 3);
    for (std::size_t i = 0; i < used.size(); ++i) subV.row(static_cast<Eigen::Index>(i)) = cam_.row(used[i]);
    // Shifting the principal point by the (integer) window origin moves every
    // projected vertex by exactly that many pixels, so the snapped integer
    // geometry, coverage and depths are the full image's.
    Intrinsics kw = k_;
    kw.cx -= static_cast<float>(xa);
    kw.cy -= static_cast<float>(ya);
    rasterize(subV, kw, subT, xb - xa, yb - ya, options_, out);
    for (std::int32_t& id : out.triangleId)
        if (id >= 0) id = tris[static_cast<std::size_t>(id)];
    return out;
}

Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> projectPoints(const Vertices& points,
                                                                      const Intrinsics& k) {
    Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> out(points.rows(), 2);
    for (Eigen::Index i = 0; i < points.rows(); ++i) {
        const Eigen::Vector3f p = points.row(i);
        if (!(p.z() > 0.0f)) {
            out.row(i).setConstant(std::numeric_limits<float>::quiet_NaN());
            continue;
        }
        // annotate()'s float expression, so pixels (and visibility) agree bit for bit.
        out.row(i) << k.fx * p.x() / p.z() + k.cx, k.fy * p.y() / p.z() + k.cy;
    }
    return out;
}

std::vector<std::uint8_t> landmarkVisibility(const WindowRaster& raster, const Vertices& landmarksCamera,
                                             float tolerance) {
    std::vector<std::uint8_t> visible(static_cast<std::size_t>(landmarksCamera.rows()), 0);
    if (raster.empty()) return visible;
    const auto px = projectPoints(landmarksCamera, raster.intrinsics());
    for (Eigen::Index i = 0; i < landmarksCamera.rows(); ++i) {
        const float u = px(i, 0), v = px(i, 1), z = landmarksCamera(i, 2);
        // pointVisible's own image test, against the full image.
        if (!(z > 0.0f) || !std::isfinite(u) || !std::isfinite(v) || u < 0.0f || v < 0.0f ||
            u >= static_cast<float>(raster.width()) || v >= static_cast<float>(raster.height()))
            continue;
        const int x = static_cast<int>(u), y = static_cast<int>(v);
        Eigen::Vector2i o;
        const RasterResult w = raster.window(x - 1, y - 1, 3, 3, &o);
        // The window is clipped to the image as pointVisible clips its
        // neighbourhood; u - o.x() is exact (an integer shift of a float).
        visible[static_cast<std::size_t>(i)] =
            pointVisible(w, u - static_cast<float>(o.x()), v - static_cast<float>(o.y()), z, tolerance) ? 1 : 0;
    }
    return visible;
}

LandmarkHit nearestLandmark(const Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor>& pixels, float x, float y) {
    LandmarkHit best;
    float bestSq = std::numeric_limits<float>::infinity();
    for (Eigen::Index i = 0; i < pixels.rows(); ++i) {
        if (!std::isfinite(pixels(i, 0)) || !std::isfinite(pixels(i, 1))) continue;
        const float dx = pixels(i, 0) - x, dy = pixels(i, 1) - y, d = dx * dx + dy * dy;
        if (d < bestSq) bestSq = d, best.index = static_cast<int>(i);
    }
    if (best.index >= 0) best.distance = std::sqrt(bestSq);
    return best;
}

}  // namespace synthforge::raster
