#pragma once
// Head pose from 68 landmarks, for datasets that have landmarks but no
// pose (300W, LaPa, ...): a perspective-n-point fit (OpenCV's solvePnP,
// iterative Levenberg-Marquardt from an EPnP start) of the head model's rest
// landmarks to the 2D points, reported in the orbit camera's yaw and pitch
// (core/camera/orbit_camera.h) so that benchmarks and our datasets share
// one coverage plot.
//
// Only the brows (every other point), nose and eyes are used (iBUG 17-47,
// 27 points): the jaw contour is defined differently by FLAME and the
// benchmarks (and FLAME's moves with yaw), and the mouth moves with
// expression. Using all 51 inner points was worse (mean 4.1 deg, worst 13.0
// against 4.0 and 9.7 on the test's renders); nose and eye corners alone
// about the same.
//
// The model is the neutral head, so a face of another shape is fitted only
// approximately: on our renders (20 shape components in +-2 sigma) the view
// direction is off by 4 deg on average and 10 at worst; on neutral heads it
// is exact. Without intrinsics, a long focal length (4x the image side,
// nearly orthographic) did as well as the true one; the image side itself
// (a wide lens) was off by 10 deg on average.

#include <vector>

#include <Eigen/Core>

#include "core/head/head_model.h"

namespace synthforge::dataset {

/// The landmarks the fit uses (iBUG indices).
const std::vector<int>& headPoseLandmarks();

struct HeadPose {
    double yaw = 0, pitch = 0;         ///< radians, orbit convention
    Eigen::Matrix3d rotation;          ///< FLAME rest frame -> OpenCV camera
    Eigen::Vector3d translation;       ///< FLAME metres, camera frame
    double rmsPixels = 0;              ///< reprojection error of the fitted points
};

/// The rest positions (FLAME metres) of the model's 68 landmarks, frontal
/// contour. std::invalid_argument when the model has no 68-landmark embedding.
std::vector<Eigen::Vector3f> restLandmarks(const head::HeadModel& model);

/// Fits the pose. `landmarks` are 68 x 2 pixel positions (NaN marks a
/// missing point; at least 6 of the fitted ones are needed), `model` the
/// 68 rest landmarks; the camera has focal length `focal` pixels and its
/// principal point at (cx, cy). Without known intrinsics, use 4x the
/// image's larger side (see above). Throws
/// std::invalid_argument for wrong sizes, too few points or a fit that fails.
HeadPose estimateHeadPose(const Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor>& landmarks,
                          const std::vector<Eigen::Vector3f>& model, double focal, double cx, double cy);

}  // namespace synthforge::dataset
