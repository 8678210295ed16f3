#pragma once
// Painting the UV label map on the 3D head: the viewport's mouse
// positions become surface points (the CPU pick of core/annotate/pixel_pick.h,
// so the texel painted is the one the segmentation annotation reads at that
// pixel), surface points become texels through the model's UVs, and texels
// are painted with the label editor's own brush (core/labelmap/brush.h).
//
// Brush size is in screen space: the editor's diameter is taken as device
// pixels on screen and converted to texels by the local scale of the UV map
// under the cursor, texels per pixel = sqrt(uvArea * size^2 / screenArea) of
// the hit triangle (the geometric mean of its two stretch directions), so a
// zoomed-in or a grazing surface gets a smaller or larger texel brush that
// covers about the same screen disc.
//
// Consecutive hits on one UV island are joined by the brush's swept disc;
// a miss (background) or a hit on another island starts a new segment, so a
// stroke never draws a line across the UV atlas where the mesh has a seam.
//
// The viewport widget does the events and the undo stack; this part needs no
// display and is tested headless.

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include <Eigen/Core>

#include "core/head/head_model.h"
#include "core/labelmap/label_canvas.h"
#include "core/labelmap/mirror_map.h"
#include "core/labelmap/uv_islands.h"
#include "core/raster/rasterizer.h"
#include "core/raster/window_raster.h"

namespace synthforge::labelmap {

/// The surface under one screen point, in UV and texel terms.
struct SurfacePoint {
    bool hit = false;
    int triangle = -1;
    Eigen::Vector3f bary = Eigen::Vector3f::Zero();
    Eigen::Vector2f uv = Eigen::Vector2f::Zero();
    Eigen::Vector2f texel = Eigen::Vector2f::Zero();  ///< continuous texel coordinates (x = u*size, y = (1-v)*size)
    float texelsPerPixel = 0.0f;                      ///< local scale; 0 when unknown
};

/// UV of barycentrics on a triangle: the annotator's expression, term for term.
Eigen::Vector2f uvAt(const head::HeadModel& model, int triangle, const Eigen::Vector3f& bary);
/// Continuous texel coordinates of a UV point on a size^2 map (row 0 = v 1).
Eigen::Vector2f uvToTexel(const Eigen::Vector2f& uv, int size);

/// Texels per screen pixel of `triangle` (camera-space vertices seen through
/// k, onto a canvas of `size`): sqrt of its UV area in texels^2 over its
/// screen area in pixels^2. Infinity for a triangle seen edge-on, 0 for one
/// without UV area.
float texelsPerPixel(const head::HeadModel& model, const raster::Vertices& cameraVertices, const raster::Intrinsics& k,
                     int triangle, int size);

/// A brush of `screenDiameter` pixels on a surface with `texelsPerPixel`:
/// its diameter in texels, rounded and clamped to the brush's 1..200.
int brushTexelDiameter(float screenDiameter, float texelsPerPixel);

/// The posed head as one viewport sees it: picks surface points under
/// device pixels. Built once per view (camera, pose or size change; ~0.3 ms).
class SurfacePicker {
public:
    SurfacePicker() = default;
    /// `model` must outlive the picker. Throws std::invalid_argument for a bad size.
    SurfacePicker(const head::HeadModel& model, raster::Vertices cameraVertices, const raster::Intrinsics& k,
                  int width, int height);
    bool empty() const { return model_ == nullptr; }
    /// The surface under device pixel (floor(x), floor(y)) (what the HUD and
    /// the segmentation see there), for a canvas of side `canvasSize`.
    SurfacePoint pick(float x, float y, int canvasSize) const;
    const raster::Vertices& cameraVertices() const { return cam_; }
    const raster::Intrinsics& intrinsics() const { return raster_.intrinsics(); }

private:
    const head::HeadModel* model_ = nullptr;
    raster::Vertices cam_;
    raster::WindowRaster raster_;
};

/// What a 3D stroke paints with (read from the label editor at press).
struct SurfaceBrush {
    float screenDiameter = 9.0f;  ///< device pixels
    std::uint8_t classId = 1;
    /// Mirror painting: the mirror map (null: off) and the flip partner of each class.
    std::shared_ptr<const MirrorMap> mirror;
    std::array<std::uint8_t, 256> flip{};
};

/// One mouse drag on the head, painted live into one open CanvasEdit.
class SurfaceStroke {
public:
    /// One stamp or swept segment, as painted: points in texels, diameter in texels.
    struct Dab {
        std::vector<Eigen::Vector2f> points;  ///< 1 (a segment's first hit) or 2 (joined hits)
        int diameter = 1;
        int segment = 0;
    };

    /// `islands` (may be null) tells which hits are on one UV island; without
    /// it, a jump in texels much larger than the screen motion implies is taken
    /// as a seam. `canvas` must outlive the stroke.
    SurfaceStroke(LabelCanvas& canvas, SurfaceBrush brush,
                  std::shared_ptr<const UvIslandMap> islands);
    ~SurfaceStroke();
    SurfaceStroke(const SurfaceStroke&) = delete;
    SurfaceStroke& operator=(const SurfaceStroke&) = delete;

    /// Adds the surface under the cursor at `screen` (device pixels). A hit
    /// continues the current segment or starts a new one (after a miss, or
    /// on another island); a miss ends the segment. Returns the texels
    /// written since the last call (for a live refresh).
    TexelRect add(const SurfacePoint& p, const Eigen::Vector2f& screen);
    /// Ends the drag: the record of what changed (one undo step). With mirror
    /// painting the live edit is dropped and the whole stroke painted again,
    /// every dab and then every dab's mirror (the mirror wins where they
    /// overlap, as paintStrokeMirrored does); `shown` gets the
    /// rectangle the live edit had touched (restored now), to refresh.
    StrokeRecord finish(TexelRect* shown = nullptr);

    const std::vector<Dab>& dabs() const { return dabs_; }
    int segmentCount() const { return segments_; }

private:
    bool sameIsland(const SurfacePoint& a, const Eigen::Vector2f& sa, const SurfacePoint& b,
                    const Eigen::Vector2f& sb) const;
    void paint(CanvasEdit& edit, const Dab& dab, bool mirrorToo) const;

    LabelCanvas& canvas_;
    SurfaceBrush brush_;
    std::shared_ptr<const UvIslandMap> islands_;
    std::unique_ptr<CanvasEdit> edit_;
    std::vector<Dab> dabs_;
    SurfacePoint last_;
    Eigen::Vector2f lastScreen_ = Eigen::Vector2f::Zero();
    TexelRect live_;  ///< everything the live edit wrote
    bool open_ = false;  ///< the last add() was a hit: the next hit may join it
    int segments_ = 0;
};

}  // namespace synthforge::labelmap
