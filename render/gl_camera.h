#pragma once
// The OpenGL view and projection of one of our pinhole cameras, built so that
// the GL rasteriser covers exactly the pixels the CPU rasteriser
// (core/raster/rasterizer.h) covers for the same camera.
//
// Derivation (docs/studio.md, "Projection"):
//  - Our camera space has OpenCV axes (x right, y down, z forward); GL eye
//    space has x right, y up, z backward. So eye = F * cam with
//    F = diag(1, -1, -1, 1), and view = F * world2cam.
//  - CPU pixels: u = fx x/z + cx, v = fy y/z + cy, pixel (i, j) covering
//    [i, i+1) x [j, j+1), row 0 at the top. GL's viewport maps NDC [-1, 1]
//    onto window [0, W] with pixel centres at i + 0.5 too, but row 0 at the
//    bottom: x_ndc = 2u/W - 1 and y_ndc = 1 - 2v/H.
//  - With x = x_e, y = -y_e, z = -z_e and w_clip = -z_e = z:
//      x_clip = (2 fx / W) x_e + (1 - 2 cx / W) z_e
//      y_clip = (2 fy / H) y_e + (2 cy / H - 1) z_e
//    z_clip is the usual near/far mapping. Images read back from GL
//    bottom-up (glReadPixels) must be flipped to compare rows with the CPU's;
//    QImage from grabFramebuffer()/toImage() is already top-down.

#include <Eigen/Core>

#include "core/camera/orbit_camera.h"
#include "core/raster/rasterizer.h"

namespace synthforge::render {

constexpr float kDefaultNear = 0.1f;  ///< generator units; cameras sit ~2.5 from the head
constexpr float kDefaultFar = 20.0f;

struct GlCamera {
    Eigen::Matrix4f view = Eigen::Matrix4f::Identity();        ///< world -> GL eye
    Eigen::Matrix4f projection = Eigen::Matrix4f::Identity();  ///< GL eye -> clip
};

/// diag(1, -1, -1, 1): OpenCV camera axes <-> GL eye axes (its own inverse).
Eigen::Matrix4f openCvToGl();

/// The clip-space projection of pixel intrinsics for a width x height viewport
/// (see the derivation above). Throws std::invalid_argument for a bad size or
/// near/far.
Eigen::Matrix4f projectionFromIntrinsics(const raster::Intrinsics& k, int width, int height,
                                         float nearZ = kDefaultNear, float farZ = kDefaultFar);

/// Pixel intrinsics showing the scene's sceneWidth x sceneHeight image in a
/// viewport of width x height: scaled to the viewport's height and centred
/// horizontally, so a viewport of the scene's aspect gets exactly the
/// scene's (normalised) camera.
raster::Intrinsics viewportIntrinsics(const camera::PinholeCamera& camera, int sceneWidth, int sceneHeight,
                                      int width, int height);

/// View and projection for the viewport.
GlCamera glCamera(const camera::PinholeCamera& camera, int sceneWidth, int sceneHeight, int width, int height);

}  // namespace synthforge::render
