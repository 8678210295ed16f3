#pragma once
// Soft shadows of a mesh onto itself from a distant light: the mesh is
// rasterised as seen from the light (a camera far away along the light's
// direction, so the projection is nearly parallel) into a small depth map,
// and a point is in shadow where something nearer to the light covers it.
// Percentage-closer filtering over a square of texels, scaled by the
// light's angular size, makes the penumbra soft: a sun gives crisp shadows
// under the nose, a window a wide, soft one.

#include <vector>

#include <Eigen/Core>

#include "core/raster/rasterizer.h"

namespace synthforge::generate {

class ShadowMap {
public:
    ShadowMap() = default;
    /// `vertices` in any frame (the caller's camera space), `toLight` the unit
    /// direction toward the light in that frame. `size` texels per side.
    ShadowMap(const raster::Vertices& vertices, const raster::Triangles& faces, const Eigen::Vector3f& toLight,
              int size = 256) {
        build(vertices, faces, toLight, size);
    }
    /// The same into this map's buffers (a renderer keeps one map per thread
    /// and rebuilds it per frame instead of allocating megabytes each time).
    void build(const raster::Vertices& vertices, const raster::Triangles& faces, const Eigen::Vector3f& toLight,
               int size);

    /// Fraction of the light blocked at point `p` (same frame), 0 lit .. 1
    /// shadowed. `normal` (unit, facing the viewer) offsets the look-up off
    /// the surface by a texel so that a surface never shadows itself;
    /// `penumbraTexels` is the half-width of the filter (0: a hard edge).
    float occlusion(const Eigen::Vector3f& p, const Eigen::Vector3f& normal, int penumbraTexels) const;

    /// Texel size in the vertices' units (for choosing a penumbra).
    float texelSize() const { return texel_; }

private:
    Eigen::Vector3f right_, down_, forward_, centre_;
    float distance_ = 0, focal_ = 0, texel_ = 0;
    int size_ = 0;
    raster::RasterResult raster_;  ///< depth is the distance along forward_ from the light's camera
    raster::Vertices light_;       ///< the vertices in the light camera's frame
};

}  // namespace synthforge::generate
