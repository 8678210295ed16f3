#include "core/raster/visibility.h"

#include <cmath>

namespace synthforge::raster {

bool pointVisible(const RasterResult& raster, float u, float v, float z, float tolerance) {
    if (!(z > 0.0f) || !std::isfinite(u) || !std::isfinite(v)) return false;
    if (u < 0.0f || v < 0.0f || u >= static_cast<float>(raster.width) || v >= static_cast<float>(raster.height))
        return false;
    const int px = static_cast<int>(u), py = static_cast<int>(v);
    // On the surface: the point's own pixel decides.
    if (raster.covered(px, py)) return z <= raster.depth[raster.index(px, py)] * (1.0f + tolerance);
    // Its pixel centre fell just off a silhouette: any covered neighbour that
    // does not hide it will do.
    for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
            const int x = px + dx, y = py + dy;
            if (x < 0 || y < 0 || x >= raster.width || y >= raster.height || !raster.covered(x, y)) continue;
            if (z <= raster.depth[raster.index(x, y)] * (1.0f + tolerance)) return true;
        }
    return false;
}

}  // namespace synthforge::raster
