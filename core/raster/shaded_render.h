#pragma once
// A quick look at a posed head: FLAME vertices through an OrbitCamera into a
// Lambert-shaded 8-bit image on the CPU rasteriser, with optional wireframe
// and landmark overlays. Meant for checking geometry, poses, cameras and
// landmark semantics (CLI `head render`, tests), not for realism.

#include <vector>

#include <Eigen/Core>
#include <opencv2/core/mat.hpp>

#include "core/camera/orbit_camera.h"
#include "core/raster/rasterizer.h"

namespace synthforge::raster {

struct ShadedRenderOptions {
    int width = 512, height = 512;
    bool smoothNormals = true;  ///< area-weighted vertex normals; false: flat per-face
    bool wireframe = false;     ///< darken pixels where the visible triangle changes
    /// Linear RGB in [0, 1]: a neutral skin-grey. Shaded colours get a 2.2 gamma.
    Eigen::Vector3f albedo{0.72f, 0.66f, 0.62f};
    Eigen::Vector3f background{0.16f, 0.16f, 0.17f};  ///< display RGB in [0, 1] (no gamma): dark grey
    float ambient = 0.18f;
    /// Toward the light, in camera axes (x right, y down, z forward): from the
    /// upper left, in front of the face.
    Eigen::Vector3f lightDirection{-0.35f, -0.45f, -1.0f};
    Vertices vertexColors;  ///< V x 3 linear RGB in [0, 1] replacing the albedo; empty: albedo
    Vertices landmarks;     ///< L x 3 points in FLAME metres to mark; empty: none
    bool landmarkIndices = true;  ///< write each landmark's index next to its dot
    int threads = 0;              ///< rasteriser threads (0: all cores)
};

struct ShadedRender {
    cv::Mat image;       ///< CV_8UC3 in OpenCV's BGR order (cv::imwrite/imencode ready)
    RasterResult raster; ///< the coverage behind the image
    Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> landmarks2d;  ///< L x 2 pixels
    std::vector<bool> landmarkVisible;  ///< in front of the camera and not hidden by the mesh
};

/// Renders `flameVertices` (V x 3, FLAME metres, e.g. head::HeadPose::vertices)
/// with `faces` through `camera`. Landmarks are drawn green when visible and
/// red when occluded. Throws std::invalid_argument on bad sizes or indices.
ShadedRender renderShaded(const Eigen::Ref<const Vertices>& flameVertices, const Eigen::Ref<const Triangles>& faces,
                          const camera::OrbitCamera& camera, const ShadedRenderOptions& options = {});

}  // namespace synthforge::raster
