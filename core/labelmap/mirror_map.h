#pragma once
// Left/right mirror of UV positions through the head's geometry, for mirror
// painting. For each texel of a (possibly reduced) grid over the UV square:
// the texel centre's 3D point on the rest-pose mesh (barycentric in the UV
// triangle covering it), mirrored across x = 0 (FLAME's frame: the subject's
// left at +x), then the closest point on the mesh, then that point's UV.
// Works for any HeadModel with UVs: the default head (whose halves are exact
// mirror images) as well as FLAME-style meshes with unpaired vertices or
// asymmetric UV layouts, since nothing assumes vertex pairs.
//
// Lookups interpolate bilinearly between the four grid texels around a point
// when all four lie on the UV atlas and map close together (no seam between
// them), else take the texel under the point, so a grid coarser than the
// canvas still mirrors within about a texel inside islands.

#include <optional>
#include <vector>

#include <Eigen/Core>

#include "core/head/head_model.h"

namespace synthforge::labelmap {

class MirrorMap {
public:
    MirrorMap() = default;
    /// Precomputes the map at resolution x resolution (16..4096; 1024 takes
    /// about a second on one core and 8 MiB). `threads` 0 = all cores.
    /// Throws std::invalid_argument when the model has no UVs or the
    /// resolution is out of range.
    static MirrorMap build(const head::HeadModel& model, int resolution = 1024, int threads = 0);

    bool empty() const { return res_ == 0; }
    int resolution() const { return res_; }
    /// Mirror of UV position `uv` (u right, v up); nullopt off the atlas.
    std::optional<Eigen::Vector2f> mirrorUv(const Eigen::Vector2f& uv) const;
    /// Mirror of a point in texel coordinates of a canvas of side canvasSize
    /// (x = u * size, y = (1 - v) * size); nullopt off the atlas.
    std::optional<Eigen::Vector2f> mirrorTexel(const Eigen::Vector2f& p, int canvasSize) const;
    /// Grid texels that lie on the atlas.
    std::size_t coveredCount() const;

private:
    /// Target UV of grid texel (x, y); NaN where no triangle covers it.
    const Eigen::Vector2f& target(int x, int y) const { return targets_[static_cast<std::size_t>(y) * res_ + x]; }
    int res_ = 0;
    std::vector<Eigen::Vector2f> targets_;
};

}  // namespace synthforge::labelmap
