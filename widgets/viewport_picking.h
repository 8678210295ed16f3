#pragma once
// What is under the viewport's cursor, and which landmarks are visible, from
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
// No Qt here: this could move to core/raster unchanged.

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/annotate/uv_label_map.h"
#include "core/annotate/uv_relabel.h"
#include "core/head/head_model.h"
#include "core/raster/rasterizer.h"
#include "core/raster/visibility.h"

namespace synthforge::widgets {

class WindowRaster {
public:
    WindowRaster() = default;
    /// Bins `faces` of the camera-space `cameraVertices` for a width x height
    /// image seen through `k`. Throws std::invalid_argument for a bad size.
    WindowRaster(const raster::Vertices& cameraVertices, const raster::Triangles& faces, const raster::Intrinsics& k,
                 int width, int height, const raster::RasterOptions& options = {});

    bool empty() const { return width_ == 0; }
    int width() const { return width_; }
    int height() const { return height_; }
    const raster::Intrinsics& intrinsics() const { return k_; }

    /// Rasterises the pixels [x0, x0 + w) x [y0, y0 + h) clipped to the image:
    /// the same values the full image's raster has there. Triangle ids are
    /// the rows of `faces`. `origin` receives the clipped window's top-left
    /// pixel. An empty (0 x 0) result when the window misses the image.
    raster::RasterResult window(int x0, int y0, int w, int h, Eigen::Vector2i* origin = nullptr) const;

private:
    raster::Vertices cam_;
    raster::Triangles faces_;
    raster::Intrinsics k_;
    raster::RasterOptions options_;
    int width_ = 0, height_ = 0;
    int cellsX_ = 0, cellsY_ = 0;
    std::vector<int> cellStart_, cellTris_;  ///< CSR lists of triangles per cell, ascending
};

/// The surface under one pixel.
struct PixelPick {
    bool hit = false;
    int x = -1, y = -1;        ///< pixel (device pixels of the view)
    std::int32_t triangle = -1;
    std::int32_t vertex = -1;  ///< the triangle's corner with the largest barycentric weight
    Eigen::Vector3f bary = Eigen::Vector3f::Zero();
    float depth = 0.0f;        ///< camera z, generator units (as the depth annotation)
    int classId = -1;          ///< from the UV label map; -1 without one
    std::string className;     ///< "" without a label map; "background" when nothing is hit
};

/// The UV label map as the label editor has it right now (strokes not yet in
/// a UvLabelMap), e.g. GeneratorView::liveLabels(); used instead of the
/// pipeline's map when its map is not empty.
struct LiveLabels {
    const annotate::PaddedLabelMap* map = nullptr;
    const annotate::ClassTable* classes = nullptr;
    bool usable() const { return map && !map->empty() && classes; }
};

/// The pixel (x, y) of `raster` (the full image's geometry): triangle, depth,
/// nearest vertex and, with `labels` (or usable `live` labels) and a model
/// with UVs, the class exactly as the segmentation annotation computes it.
PixelPick pickPixel(const WindowRaster& raster, const head::HeadModel& model, const annotate::UvLabelMap* labels,
                    int x, int y, const LiveLabels& live = {});

/// Per landmark (camera-space points), 1 when annotate() would mark it
/// visible in an image of raster's size: the same projection and
/// raster::pointVisible test, on its 3 x 3 neighbourhood only.
std::vector<std::uint8_t> landmarkVisibility(const WindowRaster& raster, const raster::Vertices& landmarksCamera,
                                             float tolerance = raster::kDefaultVisibilityTolerance);

/// Projects camera-space points with `k` (NaN for points behind the camera).
Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> projectPoints(const raster::Vertices& cameraPoints,
                                                                      const raster::Intrinsics& k);

struct LandmarkHit {
    int index = -1;         ///< -1 when there is no finite point
    float distance = 0.0f;  ///< pixels
};
/// The point of `pixels` (n x 2, NaN rows skipped) nearest to (x, y).
LandmarkHit nearestLandmark(const Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor>& pixels, float x, float y);

}  // namespace synthforge::widgets
