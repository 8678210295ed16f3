#pragma once
// What is under a view's cursor, and which landmarks are visible, from
// the CPU rasteriser (core/raster) — the single source of truth of every
// annotation — instead of a GL picking pass.
//
// Why CPU and not an integer ID render target: the HUD must report exactly
// what a dataset sample would store (triangle, depth, class), and the GL
// rasteriser only matches ours pixel for pixel on llvmpipe; a GL readback
// also stalls the pipeline every hover, and this logic is testable without a
// display. Rasterising the whole viewport per pose would cost milliseconds,
// so WindowRaster bins the triangles once (O(F)) and rasterises only a tiny
// window (the cursor's pixel, a landmark's 3 x 3 neighbourhood) with the
// rasteriser itself: intrinsics shifted by the window origin (exact: an
// integer shift of the principal point) and only the triangles whose
// bounding box touches the window, in their original order, so the depth
// test and its tie rule (lower index wins) give the full raster's values.
//
// Used by the studio's 3D viewport (HUD hover, landmark colours, painting);
// core/annotate/pixel_pick.h adds the class under a pixel on top of it.

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "core/raster/rasterizer.h"
#include "core/raster/visibility.h"

namespace synthforge::raster {

class WindowRaster {
public:
    WindowRaster() = default;
    /// Bins `faces` of the camera-space `cameraVertices` for a width x height
    /// image seen through `k`. Throws std::invalid_argument for a bad size.
    WindowRaster(const Vertices& cameraVertices, const Triangles& faces, const Intrinsics& k,
                 int width, int height, const RasterOptions& options = {});

    bool empty() const { return width_ == 0; }
    int width() const { return width_; }
    int height() const { return height_; }
    const Intrinsics& intrinsics() const { return k_; }

    /// Rasterises the pixels [x0, x0 + w) x [y0, y0 + h) clipped to the image:
    /// the same values the full image's raster has there. Triangle ids are
    /// the rows of `faces`. `origin` receives the clipped window's top-left
    /// pixel. An empty (0 x 0) result when the window misses the image.
    RasterResult window(int x0, int y0, int w, int h, Eigen::Vector2i* origin = nullptr) const;

private:
    Vertices cam_;
    Triangles faces_;
    Intrinsics k_;
    RasterOptions options_;
    int width_ = 0, height_ = 0;
    int cellsX_ = 0, cellsY_ = 0;
    std::vector<int> cellStart_, cellTris_;  ///< CSR lists of triangles per cell, ascending
};

/// Per landmark (camera-space points), 1 when annotate() would mark it
/// visible in an image of raster's size: the same projection and
/// pointVisible test, on its 3 x 3 neighbourhood only.
std::vector<std::uint8_t> landmarkVisibility(const WindowRaster& raster, const Vertices& landmarksCamera,
                                             float tolerance = kDefaultVisibilityTolerance);

/// Projects camera-space points with `k` (NaN for points behind the camera).
Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> projectPoints(const Vertices& cameraPoints,
                                                                      const Intrinsics& k);

struct LandmarkHit {
    int index = -1;         ///< -1 when there is no finite point
    float distance = 0.0f;  ///< pixels
};
/// The point of `pixels` (n x 2, NaN rows skipped) nearest to (x, y).
LandmarkHit nearestLandmark(const Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor>& pixels, float x, float y);

}  // namespace synthforge::raster
