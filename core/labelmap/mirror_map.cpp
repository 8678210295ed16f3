#include "core/labelmap/mirror_map.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/annotate/label_map_io.h"
#include "core/labelmap/triangle_grid.h"

namespace synthforge::labelmap {

MirrorMap MirrorMap::build(const head::HeadModel& model, int resolution, int threads) {
    if (!model.hasUv() || model.uvFaces.rows() != model.faces.rows())
        throw std::invalid_argument("model: '" + model.name + "' has no UVs (uv / uv_faces)");
    if (resolution < 16 || resolution > 4096)
        throw std::invalid_argument("resolution: " + std::to_string(resolution) + " outside 16..4096");
    const Eigen::Index nt = model.uv.rows();
    if (model.uvFaces.minCoeff() < 0 || model.uvFaces.maxCoeff() >= nt)
        throw std::invalid_argument("model: uv_faces indexes past uv");
    const TriangleGrid grid(model.vTemplate, model.faces);
    const raster::RasterResult r = annotate::rasterizeUvAtlas(model.uv, model.uvFaces, resolution);

    MirrorMap m;
    m.res_ = resolution;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    m.targets_.assign(static_cast<std::size_t>(resolution) * resolution, Eigen::Vector2f(nan, nan));
    const auto& V = model.vTemplate;
    const auto& F = model.faces;
    auto work = [&](int y) {
        for (int x = 0; x < resolution; ++x) {
            const std::size_t i = r.index(x, y);
            const int f = r.triangleId[i];
            if (f < 0) continue;
            const float b0 = r.bary0[i], b1 = r.bary1[i], b2 = 1.0f - b0 - b1;
            const Eigen::Vector3f p = b0 * V.row(F(f, 0)).transpose() + b1 * V.row(F(f, 1)).transpose() +
                                      b2 * V.row(F(f, 2)).transpose();
            const head::SurfacePoint s = grid.closest({-p.x(), p.y(), p.z()});
            const auto& uf = model.uvFaces;
            m.targets_[i] = s.bary[0] * model.uv.row(uf(s.face, 0)).transpose() +
                            s.bary[1] * model.uv.row(uf(s.face, 1)).transpose() +
                            s.bary[2] * model.uv.row(uf(s.face, 2)).transpose();
        }
    };
    int n = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    n = std::min(n, resolution);
    std::atomic<int> next{0};
    auto loop = [&] {
        for (int y; (y = next.fetch_add(1)) < resolution;) work(y);
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < n; ++t) pool.emplace_back(loop);
    loop();
    for (auto& t : pool) t.join();
    return m;
}

std::optional<Eigen::Vector2f> MirrorMap::mirrorUv(const Eigen::Vector2f& uv) const {
    if (res_ == 0 || !std::isfinite(uv.x()) || !std::isfinite(uv.y())) return std::nullopt;
    const float gx = uv.x() * static_cast<float>(res_), gy = (1.0f - uv.y()) * static_cast<float>(res_);
    const int ix = static_cast<int>(std::floor(gx)), iy = static_cast<int>(std::floor(gy));
    if (ix < 0 || iy < 0 || ix >= res_ || iy >= res_) return std::nullopt;
    const Eigen::Vector2f& here = target(ix, iy);
    if (!std::isfinite(here.x())) return std::nullopt;
    // Bilinear between the four grid centres around the point, unless one is
    // off the atlas or across a seam (its target jumps).
    const float cx = gx - 0.5f, cy = gy - 0.5f;
    const int x0 = static_cast<int>(std::floor(cx)), y0 = static_cast<int>(std::floor(cy));
    if (x0 < 0 || y0 < 0 || x0 + 1 >= res_ || y0 + 1 >= res_) return here;
    const float jump = 3.0f / static_cast<float>(res_);
    const Eigen::Vector2f* c[4] = {&target(x0, y0), &target(x0 + 1, y0), &target(x0, y0 + 1), &target(x0 + 1, y0 + 1)};
    for (const auto* t : c)
        if (!std::isfinite(t->x()) || (*t - here).norm() > jump) return here;
    const float fx = cx - static_cast<float>(x0), fy = cy - static_cast<float>(y0);
    return ((1 - fx) * (1 - fy)) * *c[0] + (fx * (1 - fy)) * *c[1] + ((1 - fx) * fy) * *c[2] + (fx * fy) * *c[3];
}

std::optional<Eigen::Vector2f> MirrorMap::mirrorTexel(const Eigen::Vector2f& p, int canvasSize) const {
    if (canvasSize < 1) throw std::invalid_argument("canvasSize: must be >= 1");
    const float n = static_cast<float>(canvasSize);
    const auto uv = mirrorUv({p.x() / n, 1.0f - p.y() / n});
    if (!uv) return std::nullopt;
    return Eigen::Vector2f(uv->x() * n, (1.0f - uv->y()) * n);
}

std::size_t MirrorMap::coveredCount() const {
    return static_cast<std::size_t>(
        std::count_if(targets_.begin(), targets_.end(), [](const Eigen::Vector2f& t) { return std::isfinite(t.x()); }));
}

}  // namespace synthforge::labelmap
