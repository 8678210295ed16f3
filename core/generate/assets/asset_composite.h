#pragma once
// Compositing a sample's assets over its head, as a post-process of the
// pipeline: the posed assets are rasterised with the head's camera by the
// same CPU rasteriser as the annotations, and wherever an asset is nearer
// than the head (or the head is absent) it replaces colour, class, depth and
// normal. Lenses are a second, transparent layer: they tint the colour and
// count as their asset's class, depth and normal where they are in front,
// but never hide a landmark. Opaque asset pixels in front of a landmark
// make it not visible, by the z-buffer rule of raster::pointVisible.
//
// Shading is deliberately simple: Lambert plus a Blinn-Phong highlight from
// the generator's key light (Generator::sceneLight; a fixed key above and
// left of the camera for a generator without explicit light, such as a
// GAN), and its ambient, evaluated per vertex and interpolated (per-pixel
// shading cost more than the rest of the asset work together), except on
// the small lenses. Asset edges are not anti-aliased. Hair and beards
// modulate that colour per pixel by a streak pattern across their strand
// coordinate (strandTone), the cheap stand-in for strands. Opaque assets
// cast a soft shadow from the same key light onto the head's pixels (a
// screen-space march toward the light against the asset raster's depth), so
// a visor or
// a fringe darkens the forehead under it; the head's labels are unchanged.

#include <array>
#include <cstdint>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "core/annotate/annotator.h"
#include "core/camera/orbit_camera.h"
#include "core/generate/assets/asset_spec.h"
#include "core/generate/generator.h"
#include "core/head/head_model.h"
#include "core/head/lbs.h"
#include "core/raster/rasterizer.h"

namespace synthforge::generate {

/// A raster of the window of the image that a set of faces can cover (the
/// intrinsics shifted by the window's origin, which is exact), so that small
/// assets do not pay for clearing and scanning the whole image.
struct WindowedRaster {
    int x0 = 0, y0 = 0;         ///< the window's top-left pixel in the image
    raster::RasterResult r;     ///< window-sized (0 x 0 when nothing is on screen)
    /// Per window pixel, filled by compositeAnnotations: the face that won
    /// over everything behind it, or -1.
    std::vector<std::int32_t> win;

    bool inside(int x, int y) const { return x >= x0 && y >= y0 && x < x0 + r.width && y < y0 + r.height; }
    std::size_t index(int x, int y) const { return r.index(x - x0, y - y0); }
    /// Face at image pixel (x, y), -1 outside the window or uncovered.
    std::int32_t face(int x, int y) const { return inside(x, y) ? r.triangleId[index(x, y)] : -1; }
    float depth(int x, int y) const { return inside(x, y) ? r.depth[index(x, y)] : 0.0f; }
};

/// The assets of one sample posed, in camera space, rasterised.
struct AssetLayer {
    std::vector<AssetSpec> specs;
    SceneLight light;                     ///< what the assets are shaded in (rasterizeAssets)
    raster::Vertices vertices;            ///< camera space, generator units
    raster::Vertices normals;             ///< camera-space vertex normals
    raster::Triangles opaqueFaces, lensFaces;
    std::vector<std::int32_t> opaqueOwner, lensOwner;  ///< per face: index into specs
    /// Per opaque face: its class slot (assetClassSlot: the side of a brow or lash).
    std::vector<std::uint8_t> opaqueSlot;
    /// Per face: seen from its back (the visible side's normal is the negated one).
    std::vector<std::uint8_t> opaqueBack, lensBack;
    /// Per vertex, linear RGB shaded for the normal's side and for the
    /// opposite side (Gouraud: pixels interpolate these). Zero for lens
    /// vertices: lenses are shaded per pixel.
    std::vector<Eigen::Vector3f> shadeFront, shadeBack;
    /// Per vertex: strand coordinate (AssetMesh::strand; NaN: not hair).
    std::vector<float> strand;
    WindowedRaster opaque, lens;
    /// Soft shadow of the opaque assets on the head from the key light
    /// (compositeAnnotations fills it, compositeImage darkens by it): per
    /// pixel of a window around the assets, 0 (lit) .. 1 (fully shadowed).
    int shadowX0 = 0, shadowY0 = 0, shadowWidth = 0, shadowHeight = 0;
    float focalPixels = 0.0f;  ///< the camera's fx at the image size
    float flameScale = 1.0f;   ///< camera-space units per FLAME metre
    raster::Intrinsics intrinsics{};  ///< the camera's, at the image size
    std::vector<float> shadow;
    /// Stubble (when worn): its spec's index, the head model, its weight per
    /// template vertex and the window of the image the zone can cover;
    /// compositeAnnotations fills `stubble` (per window pixel, how much of
    /// the skin's colour hairs replace) and compositeImage applies it.
    int stubbleOwner = -1;
    const head::HeadModel* model = nullptr;
    std::vector<float> stubbleWeight;
    std::vector<Eigen::Vector2f> stubbleSurface;  ///< per template vertex (StubbleField::surface)
    int stubbleX0 = 0, stubbleY0 = 0, stubbleWidth = 0, stubbleHeight = 0;
    std::vector<float> stubble;

    bool empty() const { return specs.empty(); }
};

/// Builds, poses and rasterises `specs` for `pose` (a forward pass of
/// `model`) seen by `camera` at width x height, shaded in `light` (the
/// generator's, so that assets and head share a key and its shadows; without
/// one, a fixed studio key above and left of the camera). Empty specs give
/// an empty layer.
AssetLayer rasterizeAssets(const std::vector<AssetSpec>& specs, const head::HeadModel& model,
                           const head::HeadPose& pose, const camera::PinholeCamera& camera, int width, int height,
                           int threads, const std::optional<SceneLight>& light = std::nullopt);

/// Class ids per slot (assetClassSlot) in the annotations' table.
using AssetClassIds = std::array<std::uint8_t, kNumAssetClassSlots>;
/// The default table's ids.
AssetClassIds defaultAssetClassIds();

/// Composites the layer into annotations made from the head's raster
/// (a.raster, which stays the head's own): segmentation with `classIds`
/// (indexed by class slot; the annotations' table, before any remap),
/// depth, normals when present, and landmark visibility with `tolerance`.
/// Records the winning pixels in the layer for compositeImage.
void compositeAnnotations(AssetLayer& layer, const AssetClassIds& classIds, float tolerance,
                          annotate::Annotations& a);

/// Per image pixel (width x height, row-major): 1 where compositeImage will
/// paint an opaque asset over the generator's pixel, and whose four
/// neighbours it paints too (so edge smoothing beside them never reads a
/// skipped pixel). Empty when the layer paints nothing. Call after
/// compositeAnnotations.
void paintedOverMask(const AssetLayer& layer, int width, int height, std::vector<std::uint8_t>& mask);

/// Hands the layer's raster buffers back for the next rasterizeAssets on
/// this thread. Optional; without it each sample allocates (and the kernel
/// zero-fills) a few megabytes, which showed as doubled system time.
void recycleAssetLayer(AssetLayer&& layer);

/// The albedo factor of hair at strand coordinate `s` (metres across the
/// strands): streaks about 1.4 mm and 0.5 mm wide, in 0.62..1.0.
float strandTone(float s, float seed);

/// Shades the winning asset pixels into a BGR 8-bit image (and the
/// generator's depth map when it has one of the image's size).
void compositeImage(const AssetLayer& layer, cv::Mat& bgr, cv::Mat& depth);

}  // namespace synthforge::generate
