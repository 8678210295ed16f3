#include "core/train/torch_losses.h"

#include "core/train/torch_autocast.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace synthforge::train {

namespace F = torch::nn::functional;

namespace {

/// A mean that is 0, not NaN, when nothing counts (an all-ignore crop, a
/// face-less depth map), so one odd batch cannot poison the weights.
torch::Tensor safeMean(const torch::Tensor& sum, const torch::Tensor& count) {
    return sum / count.clamp_min(1e-12) * (count > 0).to(sum.dtype());
}

/// B x L (or undefined) -> weights broadcastable against B x L terms.
torch::Tensor landmarkWeights(const torch::Tensor& weights, const torch::Tensor& like) {
    return weights.defined() ? weights.to(like.dtype()) : torch::ones({like.size(0), like.size(1)}, like.options());
}

}  // namespace

torch::Tensor segmentationLoss(const torch::Tensor& logits, const torch::Tensor& target, double classBalance) {
    if (classBalance < 0 || !std::isfinite(classBalance))
        throw std::invalid_argument("segmentationLoss: classBalance must be a non-negative number");
    const auto t = target.to(torch::kLong);
    const auto countedMask = t != kIgnoreIndex;
    auto weight = countedMask.to(logits.dtype());
    if (classBalance > 0) {
        const int64_t k = logits.size(1);
        const auto ids = t.masked_select(countedMask);
        if (ids.numel() > 0) {
            if (ids.max().item<int64_t>() >= k || ids.min().item<int64_t>() < 0)
                throw std::invalid_argument("segmentationLoss: a target id is not a class of the logits");
            const auto counts = torch::bincount(ids, {}, k).to(logits.dtype());
            const auto present = counts > 0;
            const auto share = counts / counts.sum();
            // The lower median of the present classes' shares (torch's median).
            const auto median = share.masked_select(present).median();
            const auto perClass = torch::where(present, (median / share.clamp_min(1e-12)).pow(classBalance),
                                               torch::zeros_like(share));
            weight = weight * perClass.index({t.where(countedMask, torch::zeros_like(t))});
        }
    }
    const auto perPixel = F::cross_entropy(
        logits, t, F::CrossEntropyFuncOptions().ignore_index(kIgnoreIndex).reduction(torch::kNone));
    return safeMean((perPixel * weight).sum(), weight.sum());
}

torch::Tensor diceLoss(const torch::Tensor& logits, const torch::Tensor& target) {
    const int64_t k = logits.size(1);
    const auto t = target.to(torch::kLong);
    const auto valid = (t != kIgnoreIndex).unsqueeze(1).to(logits.dtype());  // B x 1 x H x W
    const auto oneHot = F::one_hot(t.where(t != kIgnoreIndex, torch::zeros_like(t)), k)
                            .permute({0, 3, 1, 2})
                            .to(logits.dtype()) *
                        valid;
    const auto p = logits.softmax(1) * valid;
    const std::vector<int64_t> dims{0, 2, 3};
    const auto overlap = (p * oneHot).sum(dims), sizes = p.sum(dims) + oneHot.sum(dims);
    return 1 - ((2 * overlap + 1) / (sizes + 1)).mean();
}

torch::Tensor depthLoss(const torch::Tensor& pred, const torch::Tensor& target, const torch::Tensor& mask) {
    if (pred.sizes() != target.sizes()) throw std::invalid_argument("depthLoss: pred and target shapes differ");
    const auto m = (mask.defined() ? mask : target > 0).to(pred.dtype());
    if (m.sizes() != pred.sizes()) throw std::invalid_argument("depthLoss: mask shape differs from pred");
    return safeMean(((pred - target).abs() * m).sum(), m.sum());
}

torch::Tensor keypointLoss(const torch::Tensor& pred, const torch::Tensor& target, const torch::Tensor& weights) {
    if (pred.sizes() != target.sizes() || pred.dim() != 3 || pred.size(2) != 2)
        throw std::invalid_argument("keypointLoss expects pred and target of shape B x L x 2");
    const auto w = landmarkWeights(weights, pred);
    const auto d2 = (pred - target).pow(2).sum(-1);  // B x L
    return safeMean((d2 * w).sum(), w.sum());
}

torch::Tensor gaussianHeatmaps(const torch::Tensor& landmarks, int64_t h, int64_t w, double sigma) {
    if (sigma <= 0) throw std::invalid_argument("gaussianHeatmaps: sigma must be > 0");
    const auto opts = landmarks.options();
    // Landmarks to continuous heatmap pixels; pixel centres at i + 0.5.
    const auto px = ((landmarks.select(-1, 0) + 1) * (w / 2.0)).unsqueeze(-1);  // B x L x 1
    const auto py = ((landmarks.select(-1, 1) + 1) * (h / 2.0)).unsqueeze(-1);
    const auto dx2 = (torch::arange(w, opts) + 0.5 - px).pow(2);  // B x L x w
    const auto dy2 = (torch::arange(h, opts) + 0.5 - py).pow(2);  // B x L x h
    const auto logits = -(dy2.unsqueeze(-1) + dx2.unsqueeze(-2)) / (2 * sigma * sigma);  // B x L x h x w
    // A softmax normalises stably even for a landmark far outside the map,
    // where every plain exp() would underflow to 0.
    const auto b = landmarks.size(0), l = landmarks.size(1);
    return torch::softmax(logits.reshape({b, l, h * w}), -1).reshape({b, l, h, w});
}

torch::Tensor heatmapLoss(const torch::Tensor& heatmaps, const torch::Tensor& landmarks, double sigma,
                          const torch::Tensor& weights) {
    const auto maps = heatmaps.dim() == 4 ? heatmaps.unsqueeze(1) : heatmaps;  // B x S x L x h x w
    if (maps.dim() != 5 || maps.size(0) != landmarks.size(0) || maps.size(2) != landmarks.size(1))
        throw std::invalid_argument("heatmapLoss: heatmaps must be B x S x L x h x w for B x L x 2 landmarks");
    const int64_t b = maps.size(0), s = maps.size(1), l = maps.size(2), h = maps.size(3), w = maps.size(4);
    const auto target = gaussianHeatmaps(landmarks.to(maps.dtype()), h, w, sigma).reshape({b, 1, l, h * w});
    const auto logp = torch::log_softmax(maps.reshape({b, s, l, h * w}), -1);
    const auto ce = -(target * logp).sum(-1);  // B x S x L
    const auto wt = landmarkWeights(weights, landmarks).unsqueeze(1);
    return safeMean((ce * wt).sum(), wt.sum() * s);
}

torch::Tensor affineTheta(const torch::Tensor& angle, const torch::Tensor& shift, int64_t height, int64_t width) {
    // Forward map in centred pixels: q = R p + t. affine_grid wants the
    // inverse in normalised coordinates n = D^-1 p, D = diag(W/2, H/2):
    // n_in = D^-1 R^T D n_out - D^-1 R^T t.
    const auto c = angle.cos(), s = angle.sin();
    const double hw = static_cast<double>(height) / width, wh = static_cast<double>(width) / height;
    const auto tx = shift.select(1, 0), ty = shift.select(1, 1);
    const auto ox = -(c * tx + s * ty) / (width / 2.0);
    const auto oy = -(-s * tx + c * ty) / (height / 2.0);
    return torch::stack({c, s * hw, ox, -s * wh, c, oy}, 1).reshape({-1, 2, 3});
}

torch::Tensor warpAffine(const torch::Tensor& x, const torch::Tensor& theta) {
    const auto grid = F::affine_grid(theta.to(x.dtype()), x.sizes(), /*align_corners=*/false);
    return F::grid_sample(x, grid,
                          F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(
                              false));
}

torch::Tensor randomAffineTheta(int64_t batch, int64_t height, int64_t width, double maxAngle, double maxShift,
                                const torch::TensorOptions& options) {
    const auto opts = options.dtype(torch::kFloat32);
    const auto angle = (torch::rand({batch}, opts) * 2 - 1) * maxAngle;
    const auto shift = (torch::rand({batch, 2}, opts) * 2 - 1) * (maxShift * height);
    return affineTheta(angle, shift, height, width);
}

torch::Tensor equivarianceLoss(const std::function<torch::Tensor(const torch::Tensor&)>& backbone,
                               const torch::Tensor& x, const torch::Tensor& theta, const torch::Tensor& features) {
    const auto target = warpAffine((features.defined() ? features : backbone(x)).detach(), theta);
    const auto pred = backbone(warpAffine(x, theta));
    if (pred.sizes() != target.sizes()) throw std::invalid_argument("equivarianceLoss: backbone changed its output size");
    // Bilinear weights of fully inside samples sum to 1 up to rounding.
    const auto ones = torch::ones({target.size(0), 1, target.size(2), target.size(3)}, target.options());
    const auto valid = (warpAffine(ones, theta) > 0.999).to(target.dtype());
    return safeMean(((pred - target).abs() * valid).sum(), valid.sum() * target.size(1));
}

namespace {

/// Autocast leaves the convolutions' outputs in bfloat16; the losses (soft
/// maxima, sums over many pixels) want float32.
MultiTaskOutput floatOutputs(const MultiTaskOutput& out) {
    const auto f = [](const torch::Tensor& t) { return t.defined() ? t.to(torch::kFloat32) : t; };
    return {f(out.features), f(out.segmentation), f(out.depth), f(out.heatmaps), f(out.landmarks)};
}

}  // namespace

MultiTaskLosses supervisedLosses(const MultiTaskOutput& out, const MultiTaskTargets& targets,
                                 const MultiTaskLossOptions& o) {
    const auto zero = torch::zeros({}, out.depth.options());
    MultiTaskLosses l;
    l.segmentation =
        targets.segmentation.defined() ? segmentationLoss(out.segmentation, targets.segmentation, o.classBalance()) : zero;
    l.dice = targets.segmentation.defined() && o.dice() != 0 ? diceLoss(out.segmentation, targets.segmentation) : zero;
    l.depth = targets.depth.defined() ? depthLoss(out.depth, targets.depth, targets.faceMask) : zero;
    const bool kps = targets.landmarks.defined();
    l.keypoints = kps ? keypointLoss(out.landmarks, targets.landmarks, targets.landmarkWeights) : zero;
    l.heatmap = kps ? heatmapLoss(out.heatmaps, targets.landmarks, o.heatmapSigma(), targets.landmarkWeights) : zero;
    l.equivariance = zero;
    l.total = o.segmentation() * l.segmentation + o.dice() * l.dice + o.depth() * l.depth + o.keypoints() * l.keypoints +
              o.heatmap() * l.heatmap;
    return l;
}

MultiTaskLosses multiTaskLoss(MultiTaskNet& net, const torch::Tensor& images, const MultiTaskTargets& targets,
                              const MultiTaskLossOptions& o) {
    MultiTaskOutput out;
    {
        const AutocastScope autocast(o.precision(), images.device());
        out = net->forward(images);
    }
    if (o.precision() != "fp32") out = floatOutputs(out);
    MultiTaskLosses l = supervisedLosses(out, targets, o);
    if (o.equivariance() != 0) {
        const auto theta = randomAffineTheta(images.size(0), images.size(2), images.size(3), o.maxAngle(),
                                             o.maxShift(), images.options());
        l.equivariance = equivarianceLoss(
            [&](const torch::Tensor& t) {
                const AutocastScope autocast(o.precision(), t.device());
                return net->backbone->forward(t).to(torch::kFloat32);
            },
            images, theta, out.features);
        l.total = l.total + o.equivariance() * l.equivariance;
    }
    return l;
}

}  // namespace synthforge::train
