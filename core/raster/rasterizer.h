#pragma once
// A CPU z-buffer triangle rasteriser: per pixel, the nearest triangle's id,
// its perspective-correct barycentrics and the camera-space depth. Every
// headless annotation (segmentation, depth, normals, landmark visibility)
// reads this one result, so its rules are exact and documented:
//
//  - Pixels: pixel (x, y) covers [x, x+1) x [y, y+1) and is sampled at its
//    centre (x + 0.5, y + 0.5). Projection: u = fx * X/Z + cx, v = fy * Y/Z + cy
//    (OpenCV camera axes: x right, y down, z forward).
//  - Coverage: projected vertices are snapped to 1/2^kSubpixelBits pixel and
//    edge functions are evaluated in exact integer arithmetic with the
//    top-left fill rule. A pixel centre on an edge shared by two triangles is
//    therefore drawn by exactly one of them, and a closed fan around a vertex
//    covers each pixel exactly once.
//  - Values: barycentrics are perspective-correct (screen-space weights
//    divided by depth, renormalised) on the snapped triangle; depth is the
//    exact camera z of the plane through the triangle along the pixel's ray.
//  - Depth test: a fragment wins only when its float32 depth is strictly
//    smaller, so on ties the lower triangle index wins; results do not depend
//    on the thread count or band height.
//  - Near plane: triangles with any vertex at z <= nearZ are dropped whole,
//    not clipped. Triangles whose projection leaves a guard band of
//    +-kGuardBandPixels are dropped too (only possible within a hair of the
//    camera plane). Our cameras sit ~2.5 units from the head, far from both.
//  - Both windings are drawn unless `cull` says otherwise. A triangle whose
//    vertices appear counter-clockwise in the image (as displayed, y down) is
//    front-facing: with outward-CCW meshes like FLAME, that is the visible side.

#include <cstdint>
#include <vector>

#include <Eigen/Core>

namespace synthforge::raster {

using Vertices = Eigen::Matrix<float, Eigen::Dynamic, 3, Eigen::RowMajor>;
using Triangles = Eigen::Matrix<std::int32_t, Eigen::Dynamic, 3, Eigen::RowMajor>;

constexpr int kSubpixelBits = 8;
constexpr double kGuardBandPixels = 1 << 21;
constexpr int kMaxImageSide = 1 << 15;

/// Pinhole intrinsics in pixels.
struct Intrinsics {
    float fx = 1.0f, fy = 1.0f, cx = 0.0f, cy = 0.0f;
    /// The same camera for an image `factor` times larger in each direction
    /// (pixel edges sit on integers, so continuous coordinates simply scale):
    /// how a supersampled render is set up.
    Intrinsics scaled(float factor) const { return {fx * factor, fy * factor, cx * factor, cy * factor}; }
    /// From a 3x3 pixel K (skew ignored).
    static Intrinsics fromMatrix(const Eigen::Matrix3f& k) { return {k(0, 0), k(1, 1), k(0, 2), k(1, 2)}; }
};

enum class CullMode { None, Back, Front };

struct RasterOptions {
    float nearZ = 1e-2f;          ///< triangles with any vertex z <= nearZ are dropped
    CullMode cull = CullMode::None;
    int threads = 0;              ///< 0: std::thread::hardware_concurrency(); 1: no worker threads
    int bandRows = 16;            ///< rows per work item (threads take bands as they finish)
};

/// Per-triangle counts, for diagnostics.
struct RasterStats {
    int drawn = 0;       ///< set up and scanned (may still lose every depth test)
    int nearCulled = 0;  ///< a vertex at z <= nearZ, or outside the guard band
    int faceCulled = 0;  ///< removed by CullMode
    int degenerate = 0;  ///< zero area after snapping
    int offscreen = 0;   ///< covers no pixel centre of the image
};

/// Row-major images of width * height entries; index = y * width + x.
struct RasterResult {
    int width = 0, height = 0;
    std::vector<std::int32_t> triangleId;  ///< -1 = background
    std::vector<float> bary0, bary1;       ///< weights of the triangle's vertices 0 and 1; vertex 2 gets 1 - b0 - b1
    std::vector<float> depth;              ///< camera z; 0 for background
    RasterStats stats;

    std::size_t index(int x, int y) const { return static_cast<std::size_t>(y) * width + x; }
    std::int32_t triangleAt(int x, int y) const { return triangleId[index(x, y)]; }
    bool covered(int x, int y) const { return triangleId[index(x, y)] >= 0; }
};

/// Rasterises `triangles` (indices into the rows of `cameraVertices`) into a
/// width x height image. Throws std::invalid_argument for a non-positive or
/// over-large image size, non-finite vertices, or triangle indices out of range.
RasterResult rasterize(const Eigen::Ref<const Vertices>& cameraVertices, const Intrinsics& intrinsics,
                       const Eigen::Ref<const Triangles>& triangles, int width, int height,
                       const RasterOptions& options = {});

/// The same, into an existing result whose buffers are reused: for loops that
/// render many frames of one size without reallocating.
void rasterize(const Eigen::Ref<const Vertices>& cameraVertices, const Intrinsics& intrinsics,
               const Eigen::Ref<const Triangles>& triangles, int width, int height, const RasterOptions& options,
               RasterResult& out);

}  // namespace synthforge::raster
