#pragma once
// Annotations of one posed head seen by one camera, all read from a single
// CPU raster (core/raster), so that they agree with each other exactly:
//
//  - segmentation: per pixel, the UV of the visible surface point
//    (perspective-correct barycentrics of the UV triangle) looked up in the
//    UV label map with nearest sampling; background (0) where no triangle is hit;
//  - depth: float32 camera-space z in generator world units, 0 for background;
//  - normals: camera-space unit normals (OpenCV axes: x right, y down,
//    z forward), interpolated vertex normals turned to face the camera;
//    zero for background;
//  - landmarks: the 68 points in pixels (continuous, pixel (i, j) covers
//    [i, i+1) x [j, j+1)) and in camera space, each with a visibility flag
//    from the z-buffer test of core/raster/visibility.h, and the triangle
//    the model's embedding puts it on. With a dynamic (FLAME) contour, the
//    bin is chosen from the head's yaw relative to the camera: FLAME's rule
//    assumes a frontal camera, our cameras orbit;
//  - face box: the bounding box of the 68 projected landmarks.

#include <cstdint>
#include <vector>

#include <Eigen/Core>
#include <opencv2/core/mat.hpp>

#include "core/annotate/uv_label_map.h"
#include "core/camera/orbit_camera.h"
#include "core/head/head_model.h"
#include "core/head/lbs.h"
#include "core/raster/rasterizer.h"
#include "core/raster/visibility.h"

namespace synthforge::annotate {

struct AnnotationOptions {
    bool segmentation = true;  ///< needs a label map and a model with UVs
    bool normals = false;
    float visibilityTolerance = raster::kDefaultVisibilityTolerance;
    int threads = 1;  ///< rasteriser threads (dataset workers run one sample per core)
};

/// Axis-aligned box in continuous pixel coordinates.
struct Box2f {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool valid() const { return x1 > x0 && y1 > y0; }
};

struct Annotations {
    int width = 0, height = 0;
    cv::Mat segmentation;  ///< CV_8UC1 class ids (empty when not asked)
    cv::Mat depth;         ///< CV_32FC1 camera z, 0 = background
    cv::Mat normals;       ///< CV_32FC3 camera-space (x, y, z) (empty when not asked)
    head::RowMatX2f landmarks2d;          ///< 68 x 2 pixels (NaN behind the camera)
    head::RowMatX3f landmarks3d;          ///< 68 x 3 camera space, generator units
    std::vector<std::uint8_t> landmarkVisible;  ///< 1 = visible
    std::vector<std::int32_t> landmarkFaces;    ///< triangle per landmark
    /// Dynamic contour bin used (from the head's yaw relative to this
    /// camera, not the pose alone), -1 for a static 68 embedding.
    int contourBin = -1;
    Box2f faceBox;
    raster::RasterResult raster;  ///< the coverage behind every map
    double rasterSeconds = 0;     ///< wall time of the rasterisation (for benchmarks)
};

/// Maps FLAME metres to the camera's frame: world2cam * flameToWorld.
Eigen::Matrix4f flameToCamera(const camera::PinholeCamera& camera);

/// The dynamic contour bin for this head seen by this camera (FLAME's rule
/// applied to the head's rotation relative to the camera), or the pose's own
/// bin when the model has no dynamic contour. What annotate() uses; views
/// that draw landmarks call it too so that they show the same points.
int contourBinForCamera(const head::HeadModel& model, const head::HeadPose& pose, const camera::PinholeCamera& camera);

/// Annotates `pose` (a forward pass of `model`) through `camera` at
/// width x height. `labels` may be null when options.segmentation is false.
/// Throws std::invalid_argument when segmentation is asked without a label
/// map or without UVs, or the pose does not belong to the model.
Annotations annotate(const head::HeadModel& model, const head::HeadPose& pose, const camera::PinholeCamera& camera,
                     int width, int height, const UvLabelMap* labels, const AnnotationOptions& options = {});

}  // namespace synthforge::annotate
