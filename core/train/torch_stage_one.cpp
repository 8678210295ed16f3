// The Stage I set-up and step shared by runs and the LR range test (see
// torch_stage_one.h).

#include "core/train/torch_stage_one.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "core/train/data_split.h"
#include "core/train/distributed_sampler.h"
#include "core/train/evaluator.h"
#include "core/train/torch_evaluator.h"
#include "core/train/torch_preview.h"
#include "core/train/torch_run_directory.h"

namespace synthforge::train {

MultiTaskTargets stageOneTargets(const SynthForgeBatch& b, const torch::Device& d) {
    MultiTaskTargets t;
    t.segmentation = b.segmentation.to(d);
    t.depth = b.depth.to(d);
    // FaceSynthetics has no depth: its samples leave the depth term out.
    t.faceMask = (b.faceMask & b.hasDepth.view({-1, 1, 1, 1}).to(torch::kBool)).to(d);
    // Every landmark is supervised: on synthetic data an occluded point's
    // position is exact, and the contour needs it.
    t.landmarks = b.landmarks.to(d);
    return t;
}

MultiTaskLossOptions stageOneLossOptions(const TrainConfig& c) {
    const StageOneLossWeights& w = c.losses;
    return MultiTaskLossOptions()
        .segmentation(w.segmentation)
        .dice(w.dice)
        .classBalance(w.classBalance)
        .depth(w.depth)
        .keypoints(w.keypoints)
        .heatmap(w.heatmap)
        .equivariance(w.equivariance)
        .heatmapSigma(w.heatmapSigma)
        .maxAngle(w.maxAngle)
        .maxShift(w.maxShift)
        .precision(c.precision);
}

namespace {

struct LossSums {
    double total = 0, seg = 0, dice = 0, depth = 0, kps = 0, heat = 0, eqv = 0;
    void add(const MultiTaskLosses& l, double w) {
        total += w * l.total.item<double>();
        seg += w * l.segmentation.item<double>();
        dice += w * l.dice.item<double>();
        depth += w * l.depth.item<double>();
        kps += w * l.keypoints.item<double>();
        heat += w * l.heatmap.item<double>();
        eqv += w * l.equivariance.item<double>();
    }
};

TrainConfig checked(const TrainConfig& c) {
    validateTrainConfig(c);
    return c;
}

/// Applies the thread count before anything runs, then picks the device.
torch::Device threadsAndDevice(const TrainConfig& c) {
    if (c.threads > 0) torch::set_num_threads(c.threads);
    return pickDevice(c.device);
}

/// The manifest's class table; a FaceSynthetics folder has no manifest and
/// uses FaceSynthetics' own table, which is our default.
annotate::ClassTable classesOf(const std::string& data) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(std::filesystem::path(data) / "manifest.json", ec))
        return loadDatasetClassTable(data);
    return annotate::ClassTable::defaultTable();
}

}  // namespace

StageOneSession::StageOneSession(const TrainConfig& config, int rank, int world)
    : c_(checked(config)),
      rank_(rank),
      world_(world),
      device_(threadsAndDevice(c_)),
      augment_(resolveAugment(c_.augment)),
      data_(c_.data, c_.size) {
    n_ = data_.size();
    nTrain_ = trainingSamplesFor(c_, n_);
    nVal_ = n_ - nTrain_;
    // Global micro-batches of batch x world samples; the remainder of an
    // epoch is dropped.
    microUsed_ = globalMicroBatchesPerEpoch(nTrain_, c_.batch, world_, c_.accumulate);
    stepsPerEpoch_ = microUsed_ / c_.accumulate;
    checkRunField(stepsPerEpoch_ >= 1, "batch",
                  "batch x accumulate x ranks (" + std::to_string(c_.batch * c_.accumulate * world_) +
                      ") exceeds the " + std::to_string(nTrain_) + " training samples");

    // Initial weights depend on the seed only.
    torch::manual_seed(c_.seed);
    net_ = MultiTaskNet(MultiTaskNetOptions(data_.numClasses()).preset(c_.preset));
    net_->to(device_);
    std::vector<torch::Tensor> backboneParams = net_->backbone->parameters(), headParams;
    for (const auto& params : {net_->segmentation->parameters(), net_->depth->parameters(), net_->keypoints->parameters()})
        headParams.insert(headParams.end(), params.begin(), params.end());
    const auto adamw = [&](double lr) {
        return std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(lr)
                                                                .weight_decay(c_.weightDecay)
                                                                .betas({c_.beta1, c_.beta2})
                                                                .eps(c_.eps));
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(backboneParams, adamw(c_.lr * c_.backboneLrScale));
    groups.emplace_back(headParams, adamw(c_.lr));
    optimizer_ = std::make_unique<torch::optim::AdamW>(groups, *adamw(c_.lr));
    classes_ = classesOf(c_.data);
}

StageOneSession::~StageOneSession() = default;

std::vector<RunMetric> StageOneSession::trainMetrics() {
    return {{"total", "loss/total"},         {"segmentation", "loss/segmentation"}, {"dice", "loss/dice"},
            {"depth", "loss/depth"},         {"keypoints", "loss/keypoints"},
            {"heatmap", "loss/heatmap"},     {"equivariance", "loss/equivariance"},
            {"lr", "lr/heads"},              {"lr_backbone", "lr/backbone"}};
}

StepReport StageOneSession::step(int64_t step, double lrHeads) {
    // One loader per epoch, over that epoch's remaining micro-batches (a
    // resumed run starts mid-epoch); its batches are bit-identical for any
    // worker count, so workers are not part of the run's identity.
    LossSums sums;
    int64_t epoch = 0;
    const MultiTaskLossOptions options = lossOptions();
    for (int64_t a = 0; a < c_.accumulate; ++a) {
        const int64_t micro = step * c_.accumulate + a;
        epoch = micro / microUsed_;
        if (epoch != loaderEpoch_) {
            loader_.reset();  // stop the old epoch's workers before starting new ones
            const std::vector<int64_t> order = SynthForgeDataset::epochOrder(0, nTrain_, c_.seed, epoch);
            // This rank's slice of each remaining global micro-batch.
            loader_ = std::make_unique<SynthForgeBatchLoader>(
                data_, rankSamples(order, micro % microUsed_, microUsed_, c_.batch, rank_, world_), c_.batch,
                c_.workers, c_.prefetch, c_.seed, epoch, augment_, true);
            loaderEpoch_ = epoch;
        }
        std::optional<SynthForgeBatch> next = loader_->next();
        if (!next) throw std::logic_error("StageOneSession: the epoch's loader ran out of batches");
        const SynthForgeBatch& batch = *next;
        const MultiTaskLosses l = multiTaskLoss(net_, batch.images.to(device_), stageOneTargets(batch, device_), options);
        (l.total / static_cast<double>(c_.accumulate)).backward();
        sums.add(l, 1.0 / static_cast<double>(c_.accumulate));
    }
    const double lrBackbone = c_.backboneLrScale * lrHeads;
    return StepReport{epoch, {sums.total, sums.seg, sums.dice, sums.depth, sums.kps, sums.heat, sums.eqv, lrHeads, lrBackbone}};
}

std::vector<RunMetric> StageOneSession::validationMetrics() {
    return {{"val_total", "val/total"}, {"val_nme", "val/nme"}, {"val_miou", "val/miou"},
            {"val_depth_l1", "val/depth_l1"}};
}

size_t StageOneSession::bestMetricIndex() const {
    if (c_.bestMetric == "nme") return 1;
    if (c_.bestMetric == "miou") return 2;
    if (c_.bestMetric == "depth_l1") return 3;
    return 0;
}

bool StageOneSession::bestHigherIsBetter() const { return c_.bestMetric == "miou"; }

std::vector<double> StageOneSession::validate() {
    if (nVal_ == 0) return std::vector<double>(4, NAN);
    // One pass: the metrics `synthforge eval` reports on the held-out
    // samples, and the validation loss of the same outputs. The loss leaves
    // out the equivariance term: it needs a random affine, and validation
    // draws nothing random. Validation scores the network as `eval` and
    // `predict` run it: in float32.
    const MultiTaskLossOptions options = lossOptions().equivariance(0).precision("fp32");
    double lossSum = 0;
    const EvalResult r = evaluateNet(net_, data_, classes_, c_.batch, device_, nullptr, {nTrain_, n_},
                                     [&](const SynthForgeBatch& batch, const MultiTaskOutput& out) {
                                         const MultiTaskLosses l =
                                             supervisedLosses(out, stageOneTargets(batch, device_), options);
                                         lossSum += l.total.item<double>() * static_cast<double>(batch.images.size(0));
                                     });
    net_->train();
    return {lossSum / static_cast<double>(nVal_), r.nmeMean, r.meanIoU, r.depthL1};
}

cv::Mat StageOneSession::preview() {
    // The first (up to) 4 validation samples (training samples without a
    // split), loaded once; eval-mode forwards draw no random numbers, so
    // previews leave resumes exact.
    if (!previewImages_.defined()) {
        const int64_t first = nVal_ > 0 ? nTrain_ : 0;
        std::vector<int64_t> idx;
        for (int64_t i = first; i < std::min(n_, first + 4); ++i) idx.push_back(i);
        previewImages_ = data_.load(idx).images.to(device_);
    }
    const int tile = static_cast<int>(std::min<int64_t>(c_.size, 128));  // keeps the PNG small
    return predictionGrid(net_, previewImages_, classes_, tile);
}

}  // namespace synthforge::train
