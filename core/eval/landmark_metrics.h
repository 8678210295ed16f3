#pragma once
// Landmark accuracy: the normalised mean error (NME) per image and over a set,
// and the two statistics read off its cumulative error distribution (CED):
// failure rate and area under the curve.
//
//   NME_i = mean_k ||p_k - g_k|| / d_i
//
// with d_i the distance between two ground-truth points, by default the outer
// eye corners (300-W's "inter-ocular" normalisation). Only the ground truth
// defines d_i, so a prediction cannot shrink its own error.
//
// Point layouts (0-based indices):
//  * iBUG-68 / 300-W: outer eye corners 36 (subject's right eye, image left)
//    and 45 (subject's left eye).
//  * LaPa 106 (the JD-landmark 106-point markup, which LaPa reuses): outer eye
//    corners 66 and 79. LaPa's paper defines no landmark metric of its own;
//    these are the points that correspond to iBUG 36 and 45 in the published
//    106 -> 68 correspondences (eyes are 66-73 and 75-82, pupils 104/105), so
//    an NME with them is comparable to a 300-W inter-ocular NME. The
//    JD-landmark challenges themselves normalise by sqrt(w * h) of the
//    ground-truth landmarks' bounding box instead; NmeNormalizer::BoxSqrtArea
//    gives that variant.

#include <cstddef>
#include <vector>

#include <Eigen/Core>

namespace synthforge::eval {

/// N x 2 landmark positions of one image, (x, y) per row, in pixels.
using Landmarks2d = Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor>;

/// iBUG-68 outer eye corners (0-based).
constexpr int kIbug68OuterEyeRight = 36;  ///< subject's right eye (image left)
constexpr int kIbug68OuterEyeLeft = 45;   ///< subject's left eye (image right)
/// LaPa / JD-landmark 106-point outer eye corners (0-based), see the header comment.
constexpr int kLapa106OuterEyeRight = 66;
constexpr int kLapa106OuterEyeLeft = 79;

enum class NmeNormalizer {
    PointPair,    ///< ||g[leftIndex] - g[rightIndex]|| (inter-ocular when those are the eye corners)
    BoxSqrtArea,  ///< sqrt(width * height) of the ground truth's bounding box (JD-landmark challenges)
};

struct NmeOptions {
    int leftIndex = kIbug68OuterEyeRight;  ///< first normalising point (0-based)
    int rightIndex = kIbug68OuterEyeLeft;  ///< second normalising point (0-based)
    NmeNormalizer normalizer = NmeNormalizer::PointPair;
};

/// Outer-eye-corner options for the iBUG-68 and LaPa-106 layouts.
inline NmeOptions ibug68Nme() { return {kIbug68OuterEyeRight, kIbug68OuterEyeLeft, NmeNormalizer::PointPair}; }
inline NmeOptions lapa106Nme() { return {kLapa106OuterEyeRight, kLapa106OuterEyeLeft, NmeNormalizer::PointPair}; }

struct NmeSummary {
    std::vector<double> perImage;  ///< NME of each image, in input order
    double mean = 0.0;             ///< mean of perImage
};

/// NME of one image. `imageIndex` only names the image in error messages.
/// Throws std::invalid_argument (naming the image and the field) when pred and
/// gt differ in size, gt has too few points for the normalising indices, the
/// normaliser is zero, or any coordinate is not finite.
double nme(const Landmarks2d& pred, const Landmarks2d& gt, const NmeOptions& options = {},
           std::size_t imageIndex = 0);

/// NME of each image and their mean. Throws std::invalid_argument when the two
/// lists differ in length or are empty, or for any image as above.
NmeSummary nmeSummary(const std::vector<Landmarks2d>& pred, const std::vector<Landmarks2d>& gt,
                      const NmeOptions& options = {});

/// Fraction of images whose NME is strictly greater than `threshold` (the
/// usual 0.08 for inter-ocular NME on 300-W, 0.10 on WFLW).
double failureRate(const std::vector<double>& nmes, double threshold = 0.08);

/// Area under the CED curve from 0 to `threshold`, divided by `threshold`
/// (so 1 is perfect, 0 means every image failed):
///
///   AUC = (1/t) * integral_0^t CED(e) de,  CED(e) = #{i : NME_i <= e} / n
///       = (1/n) * sum_i max(0, 1 - NME_i / t)
///
/// The second line is the exact integral of the step-shaped CED. Common
/// evaluation scripts sample the CED on a grid (step 1e-4) and integrate
/// numerically; they agree with this to about step/t.
double cedAuc(const std::vector<double>& nmes, double threshold = 0.08);

}  // namespace synthforge::eval
