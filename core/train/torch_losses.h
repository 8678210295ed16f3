#pragma once
// Stage I losses (docs/training.md): segmentation cross-entropy,
// masked depth L1, keypoint L2 plus heatmap supervision, and the
// self-supervised affine-equivariance loss. Torch types appear here, so only
// torch_*.cpp files may include it.

#include <torch/arg.h>
#include <torch/types.h>

#include <functional>
#include <string>

#include "core/train/torch_multitask_net.h"

namespace synthforge::train {

/// The "ignore" class id of segmentation targets (docs/design.md).
constexpr int64_t kIgnoreIndex = 255;

/// Mean cross-entropy over pixels whose target is not kIgnoreIndex (0 when
/// every pixel is ignored). logits B x K x H x W, target B x H x W integer.
/// With classBalance = a > 0 the mean is weighted: a pixel of class c counts
/// (m / f_c)^a, f_c the share of the batch's counted pixels that are c and m
/// the median share over the classes present (median-frequency balancing,
/// softened by the exponent), so small parts pull as hard as skin does.
torch::Tensor segmentationLoss(const torch::Tensor& logits, const torch::Tensor& target, double classBalance = 0);

/// Soft Dice loss, 1 - mean over classes of (2 sum p t + 1) / (sum p + sum t + 1),
/// with p the softmax of `logits` and t the one-hot target, summed over the
/// batch and the pixels whose target is not kIgnoreIndex. Unlike the
/// per-pixel cross-entropy it weighs every class alike, so small parts (eyes,
/// brows, lips: a few hundred pixels against tens of thousands of skin)
/// start being predicted early; the +1 keeps a class absent from both maps
/// at 0 loss. logits B x K x H x W, target B x H x W integer.
torch::Tensor diceLoss(const torch::Tensor& logits, const torch::Tensor& target);

/// Mean |pred - target| over the face mask (0 when the mask is empty).
/// pred and target B x 1 x H x W (or B x H x W); mask of the same shape
/// (bool or 0/1). An undefined mask means target > 0: depth maps hold 0 on
/// the background (docs/dataset.md).
torch::Tensor depthLoss(const torch::Tensor& pred, const torch::Tensor& target, const torch::Tensor& mask = {});

/// Mean over landmarks of the squared Euclidean distance in normalised
/// coordinates, ||pred - target||^2. pred and target B x L x 2; weights
/// (B x L, e.g. visibility) are optional; the mean is weighted.
torch::Tensor keypointLoss(const torch::Tensor& pred, const torch::Tensor& target, const torch::Tensor& weights = {});

/// Target heatmaps: B x L x h x w Gaussians of std `sigma` heatmap pixels at
/// the landmarks (normalised coordinates, softArgmax's convention), each
/// normalised to sum 1.
torch::Tensor gaussianHeatmaps(const torch::Tensor& landmarks, int64_t h, int64_t w, double sigma);

/// Spatial cross-entropy between the target Gaussians and the softmax over
/// each predicted map's pixels, -sum_p t_p log softmax(h)_p, averaged over
/// batch, stacks and landmarks (weighted by `weights`, B x L, if given). It
/// is the supervision that matches soft-argmax decoding. heatmaps
/// B x S x L x h x w (or B x L x h x w) logits.
torch::Tensor heatmapLoss(const torch::Tensor& heatmaps, const torch::Tensor& landmarks, double sigma,
                          const torch::Tensor& weights = {});

// ------------------------------------------------------ equivariance

/// affine_grid matrices (B x 2 x 3) for the forward map "rotate by `angle`
/// radians about the image centre (from +x toward +y in image axes, x right
/// and y down: clockwise on screen), then shift by `shift` pixels (B x 2,
/// x y)" of an H x W image. The rotation acts on pixels, not on normalised
/// coordinates, so non-square images are not sheared.
torch::Tensor affineTheta(const torch::Tensor& angle, const torch::Tensor& shift, int64_t height, int64_t width);

/// A·x: bilinear warp by affineTheta's matrices, zeros outside
/// (grid_sample, align_corners=false, matching softArgmax's coordinates).
torch::Tensor warpAffine(const torch::Tensor& x, const torch::Tensor& theta);

/// Random matrices: angle uniform in ±maxAngle, shift uniform in
/// ±maxShift·H pixels on each axis (torch's global generator).
torch::Tensor randomAffineTheta(int64_t batch, int64_t height, int64_t width, double maxAngle, double maxShift,
                                const torch::TensorOptions& options = {});

/// L1(backbone(A·x), A·backbone(x).detach()), averaged over channels and the
/// pixels where A·(all ones) is 1, i.e. where the warped features are not
/// filled in from outside the image (there the two sides cannot agree).
/// `features`, if given, is backbone(x) already computed (saves a pass).
torch::Tensor equivarianceLoss(const std::function<torch::Tensor(const torch::Tensor&)>& backbone,
                               const torch::Tensor& x, const torch::Tensor& theta, const torch::Tensor& features = {});

// ------------------------------------------------------------- total

struct MultiTaskLossOptions {
    TORCH_ARG(double, segmentation) = 1.0;
    TORCH_ARG(double, dice) = 0.0;             ///< soft Dice on the segmentation (off by default)
    TORCH_ARG(double, classBalance) = 0.0;     ///< segmentationLoss's exponent (0: plain mean)
    TORCH_ARG(double, depth) = 1.0;
    TORCH_ARG(double, keypoints) = 1.0;
    TORCH_ARG(double, heatmap) = 1.0;
    TORCH_ARG(double, equivariance) = 1.0;
    TORCH_ARG(double, heatmapSigma) = 1.0;     ///< heatmap pixels (64x64 maps for 256x256 input)
    TORCH_ARG(double, maxAngle) = 1.0;         ///< radians: ±57.3°
    TORCH_ARG(double, maxShift) = 1.0 / 3.0;   ///< fraction of the image height: ±h/3
    /// "fp32", or "bf16": the network's forward passes under autocast
    /// (torch_autocast.h); the losses are computed in float32 either way.
    TORCH_ARG(std::string, precision) = "fp32";
};

/// One batch's targets. Undefined members switch their losses off.
struct MultiTaskTargets {
    torch::Tensor segmentation;     ///< B x H x W int64, kIgnoreIndex ignored
    torch::Tensor depth;            ///< B x 1 x H x W
    torch::Tensor faceMask;         ///< B x 1 x H x W; undefined = depth > 0
    torch::Tensor landmarks;        ///< B x 68 x 2, normalised coordinates
    torch::Tensor landmarkWeights;  ///< B x 68, optional
};

struct MultiTaskLosses {
    torch::Tensor total, segmentation, dice, depth, keypoints, heatmap, equivariance;  ///< unweighted terms; total weighted
};

/// The supervised terms of the network's outputs `out` (float32) against
/// `targets`, weighted into `total`; the equivariance term is 0 (it needs the
/// network). Validation scores the outputs `eval` computes with it.
MultiTaskLosses supervisedLosses(const MultiTaskOutput& out, const MultiTaskTargets& targets,
                                 const MultiTaskLossOptions& options = {});

/// Runs the network on `images` and sums the weighted losses. The
/// equivariance term (on the backbone, with a fresh random affine) is skipped
/// when its weight is 0.
MultiTaskLosses multiTaskLoss(MultiTaskNet& net, const torch::Tensor& images, const MultiTaskTargets& targets,
                              const MultiTaskLossOptions& options = {});

}  // namespace synthforge::train
