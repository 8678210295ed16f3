#pragma once
// Head pose from 68 landmarks, for datasets that have landmarks but no
// pose (300W, LaPa, ...), reported in the orbit camera's yaw and pitch
// (core/camera/orbit_camera.h) so that benchmarks and our datasets share
// one coverage plot.
//
// Two fits. The rigid one is a perspective-n-point fit (OpenCV's solvePnP,
// EPnP then Levenberg-Marquardt) of the neutral head's rest landmarks: a
// face of another shape leaves its difference in the pose, so on our
// renders (20 shape and 10 expression components in +-2 sigma) the view
// direction was off by 4.0 deg on average and 9.7 at worst. The
// shape-aware fit starts there and refines rotation, translation and the
// first 20 shape and 10 expression coefficients together, with a Gaussian
// prior on the coefficients. Measured on 144 renders (3 seeds x 48, 256
// pixels, known intrinsics): mean 0.4-0.55 deg, worst 2.8 (prior weight
// 1e-5); with 1 pixel of noise added to the landmarks the rigid fit gives
// mean 3.8-4.3, worst 12.3 and the shape fit mean 1.8-2.1, worst 6.8 at the
// prior weight 1e-4 that such noise calls for (see HeadPoseFitOptions).
//
// Only the brows (every other point), nose and eyes are used (iBUG 17-47,
// 27 points): the jaw contour is defined differently by FLAME and the
// benchmarks (and FLAME's moves with yaw), and the mouth moves with the
// jaw, which neither fit models. All 51 inner points were worse for both
// fits. Without intrinsics, a long focal length (4x the image side, nearly
// orthographic) did about as well as the true one; the image side itself
// (a wide lens) was off by 10 deg on average in the rigid fit.

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
    Eigen::VectorXd shape, expr;       ///< fitted coefficients (empty for the rigid fit)
};

/// Fills pose.yaw and pose.pitch from its rotation and translation: the
/// orbit angles of the camera centre seen from the generator world's origin.
void setOrbitAngles(HeadPose& pose);

/// The rest positions (FLAME metres) of the model's 68 landmarks, frontal
/// contour. std::invalid_argument when the model has no 68-landmark embedding.
std::vector<Eigen::Vector3f> restLandmarks(const head::HeadModel& model);

/// Fits the pose. `landmarks` are 68 x 2 pixel positions (NaN marks a
/// missing point; at least 6 of the fitted ones are needed), `model` the
/// 68 rest landmarks; the camera has focal length `focal` pixels and its
/// principal point at (cx, cy). Without known intrinsics, use 4x the
/// image's larger side (see above). Throws
/// std::invalid_argument for wrong sizes, too few points or a fit that fails.
/// This is the rigid fit of the neutral head; the overload below also fits
/// the head's shape and is the more accurate one.
HeadPose estimateHeadPose(const Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor>& landmarks,
                          const std::vector<Eigen::Vector3f>& model, double focal, double cx, double cy);

/// The model's 68 landmarks (zero pose, frontal contour) as a linear function
/// of the leading shape and expression coefficients:
/// landmark k = rest[k] + rows 3k..3k+2 of (shape * beta + expr * psi).
struct LandmarkBasis {
    std::vector<Eigen::Vector3f> rest;
    Eigen::MatrixXd shape;  ///< 204 x K
    Eigen::MatrixXd expr;   ///< 204 x E
};

/// The basis for the first `shapeComponents` and `exprComponents` (clamped to
/// what the model has). std::invalid_argument for a model without a
/// 68-landmark embedding or negative counts. The defaults had the lowest
/// mean error of 10/20/40 shape and 10/20 expression components on our
/// renders, which vary exactly these (the sampler's defaults); 40 shape
/// components did as well, so real faces may use more.
LandmarkBasis landmarkBasis(const head::HeadModel& model, int shapeComponents = 20, int exprComponents = 10);

/// The prior weight for hand-annotated landmarks (300-W, LaPa): best of
/// 1e-5..1e-3 on our 256-pixel renders with 1 pixel of noise added to each
/// landmark coordinate (with 2 pixels, 3e-4 was best).
constexpr double kAnnotatedLandmarkPrior = 1e-4;

struct HeadPoseFitOptions {
    /// Weight of the prior ||beta||^2 + ||psi||^2 (coefficients in standard
    /// deviations) against the squared reprojection error measured in units
    /// of the fitted landmarks' box side. As a Gaussian prior it is the
    /// landmarks' noise variance in those units: 1e-5 suits exact landmarks
    /// (our renders; larger weights bias the shape and so the pose), about
    /// 1e-4 human annotations (kAnnotatedLandmarkPrior).
    double priorWeight = 1e-5;
    int iterations = 30;  ///< Levenberg-Marquardt steps at most
    std::vector<int> points;  ///< iBUG indices the refinement fits; empty: headPoseLandmarks()
};

/// PnP start (the overload above, on the rest landmarks and the chosen
/// points among headPoseLandmarks(), at least 6 of them), then rotation,
/// translation and the basis's coefficients refined together by
/// Levenberg-Marquardt on the reprojection error of the same points plus
/// the prior. The fitted coefficients come back in `shape` and `expr`.
/// Throws as the overload above.
HeadPose estimateHeadPose(const Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor>& landmarks,
                          const LandmarkBasis& basis, double focal, double cx, double cy,
                          const HeadPoseFitOptions& options = {});

}  // namespace synthforge::dataset
