// Stage I trainer (core/train/trainer.h): AdamW with the backbone at a lower
// rate, a cosine schedule, gradient accumulation, checkpoints that make a
// stopped run continue bit for bit.
//
// Exact continuation rests on three choices:
// - every random draw of step s comes from torch's global generator reseeded
//   with (seed, s) at the start of the step, so the RNG state is a function
//   of the step and needs no separate saving;
// - the sample order of epoch e is a function of (seed, e)
//   (SynthForgeDataset::epochOrder), so the data position is a function of
//   the step too;
// - a checkpoint holds the weights, the BN buffers and AdamW's moments and
//   step counts; the cosine schedule's state is the step.
// metrics.csv rows past the checkpoint a resumed run starts from are
// dropped, and rewritten identically by the resumed run. The loop itself
// (schedule, reseeding, checkpoints, metrics, TensorBoard, progress) is
// torch_run_loop.h's, shared with Stage II.

#include "core/train/trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/train/augment.h"
#include "core/train/data_split.h"
#include "core/train/torch_checkpoint.h"
#include "core/train/torch_losses.h"
#include "core/train/evaluator.h"
#include "core/train/torch_multitask_net.h"
#include "core/train/torch_preview.h"
#include "core/train/torch_run_directory.h"
#include "core/train/torch_run_loop.h"
#include "core/train/torch_synthforge_data.h"
#include "core/train/torch_weights.h"

namespace synthforge::train {

namespace {

void validate(const TrainConfig& c) {
    validateRunCommon(c, "the hourglass pools H/4 four times");
    checkRunField(c.preset == "small" || c.preset == "reference", "preset", "\"" + c.preset + "\" is not small or reference");
    checkRunField(c.accumulate >= 1, "accumulate", "must be at least 1");
    checkRunField(c.backboneLrScale > 0, "backbone_lr_scale", "must be positive");
}

MultiTaskTargets targetsOf(const SynthForgeBatch& b, const torch::Device& d) {
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

struct LossSums {
    double total = 0, seg = 0, depth = 0, kps = 0, heat = 0, eqv = 0;
    void add(const MultiTaskLosses& l, double w) {
        total += w * l.total.item<double>();
        seg += w * l.segmentation.item<double>();
        depth += w * l.depth.item<double>();
        kps += w * l.keypoints.item<double>();
        heat += w * l.heatmap.item<double>();
        eqv += w * l.equivariance.item<double>();
    }
};

}  // namespace

std::string TrainConfig::toJson() const {
    nlohmann::ordered_json j;
    putRunIdentity(j, "I", *this);
    j["preset"] = preset;
    putRunBatching(j, *this);
    j["accumulate"] = accumulate;
    j["seed"] = seed;
    j["optimizer"] = {{"name", "adamw"}, {"lr", lr}, {"backbone_lr_scale", backboneLrScale},
                      {"weight_decay", weightDecay}, {"betas", {0.9, 0.999}}, {"eps", 1e-8}};
    putRunSchedule(j, *this);
    j["losses"] = {{"segmentation", 1.0}, {"depth", 1.0}, {"keypoints", 1.0}, {"heatmap", 1.0},
                   {"equivariance", 1.0}, {"heatmap_sigma", 1.0}, {"max_angle", 1.0}, {"max_shift", 1.0 / 3.0}};
    putRunTail(j, *this);
    return j.dump(2) + "\n";
}

TrainResult trainStageOne(const TrainConfig& c, jobs::ProgressSink* progress, const jobs::CancelToken* cancel) {
    validate(c);
    if (c.threads > 0) torch::set_num_threads(c.threads);
    const torch::Device device = pickDevice(c.device);

    const AugmentConfig augment = resolveAugment(c.augment);
    const SynthForgeDataset data(c.data, c.size);
    const int64_t n = data.size();
    const int64_t nVal = validationCount(n, c.valFraction);
    const int64_t nTrain = n - nVal;
    const int64_t microPerEpoch = nTrain / c.batch;
    checkRunField(microPerEpoch >= c.accumulate, "batch",
                  "batch x accumulate (" + std::to_string(c.batch * c.accumulate) + ") exceeds the " +
                      std::to_string(nTrain) + " training samples");
    const int64_t stepsPerEpoch = microPerEpoch / c.accumulate;
    const int64_t microUsed = stepsPerEpoch * c.accumulate;  // the remainder of an epoch is dropped
    const int64_t totalSteps = c.epochs * stepsPerEpoch;

    // ---- run directory (refuses a foreign run or a changed config before touching anything)
    const RunDirectory run(c.out, c.toJson(), c.resume, c.keepCheckpoints);

    // ---- network and optimiser; initial weights depend on the seed only
    torch::manual_seed(c.seed);
    MultiTaskNet net(MultiTaskNetOptions(data.numClasses()).preset(c.preset));
    net->to(device);
    std::vector<torch::Tensor> backboneParams = net->backbone->parameters(), headParams;
    for (const auto& params : {net->segmentation->parameters(), net->depth->parameters(), net->keypoints->parameters()})
        headParams.insert(headParams.end(), params.begin(), params.end());
    const auto adamw = [&](double lr) {
        return std::make_unique<torch::optim::AdamWOptions>(
            torch::optim::AdamWOptions(lr).weight_decay(c.weightDecay));
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(backboneParams, adamw(c.lr * c.backboneLrScale));
    groups.emplace_back(headParams, adamw(c.lr));
    torch::optim::AdamW optimizer(groups, torch::optim::AdamWOptions(c.lr).weight_decay(c.weightDecay));

    RunLoopHooks hooks;
    hooks.validate = [&]() -> double {
        if (nVal == 0) return NAN;
        torch::NoGradGuard noGrad;
        net->eval();
        double sum = 0;
        for (int64_t b = nTrain; b < n; b += c.batch) {
            std::vector<int64_t> idx;
            for (int64_t i = b; i < std::min(n, b + c.batch); ++i) idx.push_back(i);
            const SynthForgeBatch batch = data.load(idx);
            const auto l = multiTaskLoss(net, batch.images.to(device), targetsOf(batch, device),
                                         MultiTaskLossOptions().equivariance(0));
            sum += l.total.item<double>() * static_cast<double>(idx.size());
        }
        net->train();
        return sum / static_cast<double>(nVal);
    };

    // Preview grid every imageEvery steps: the first (up to) 4 validation
    // samples (training samples without a split), loaded once; eval-mode
    // forwards draw no random numbers, so previews leave resumes exact.
    annotate::ClassTable previewClasses;
    torch::Tensor previewImages;
    if (c.imageEvery > 0) {
        previewClasses = loadDatasetClassTable(c.data);
        const int64_t first = nVal > 0 ? nTrain : 0;
        std::vector<int64_t> idx;
        for (int64_t i = first; i < std::min(n, first + 4); ++i) idx.push_back(i);
        previewImages = data.load(idx).images.to(device);
    }
    const int previewTile = static_cast<int>(std::min<int64_t>(c.size, 128));  // keeps the PNG small
    hooks.preview = [&] { return predictionGrid(net, previewImages, previewClasses, previewTile); };

    // One loader per epoch, over that epoch's remaining micro-batches (a
    // resumed run starts mid-epoch); its batches are bit-identical for any
    // worker count, so workers are not part of the run's identity.
    int64_t loaderEpoch = -1;
    std::unique_ptr<SynthForgeBatchLoader> loader;
    hooks.step = [&](int64_t step, double lrHead) {
        LossSums sums;
        int64_t epoch = 0;
        for (int64_t a = 0; a < c.accumulate; ++a) {
            const int64_t micro = step * c.accumulate + a;
            epoch = micro / microUsed;
            if (epoch != loaderEpoch) {
                loader.reset();  // stop the old epoch's workers before starting new ones
                const std::vector<int64_t> order = SynthForgeDataset::epochOrder(0, nTrain, c.seed, epoch);
                const int64_t first = (micro % microUsed) * c.batch;
                loader = std::make_unique<SynthForgeBatchLoader>(
                    data, std::vector<int64_t>(order.begin() + first, order.begin() + microUsed * c.batch), c.batch,
                    c.workers, c.prefetch, c.seed, epoch, augment, true);
                loaderEpoch = epoch;
            }
            std::optional<SynthForgeBatch> next = loader->next();
            if (!next) throw std::logic_error("trainStageOne: the epoch's loader ran out of batches");
            const SynthForgeBatch& batch = *next;
            const MultiTaskLosses l = multiTaskLoss(net, batch.images.to(device), targetsOf(batch, device));
            (l.total / static_cast<double>(c.accumulate)).backward();
            sums.add(l, 1.0 / static_cast<double>(c.accumulate));
        }
        const double lrBackbone = c.backboneLrScale * lrHead;
        return StepReport{epoch,
                          {sums.total, sums.seg, sums.depth, sums.kps, sums.heat, sums.eqv, lrHead, lrBackbone}};
    };
    hooks.saveFinal = [&](const std::string& path) {
        net->to(torch::kCPU);
        saveMultiTaskNet(net, path);
    };

    RunLoopSpec spec;
    spec.job = "train";
    spec.totalSteps = totalSteps;
    spec.metrics = {{"total", "loss/total"},           {"segmentation", "loss/segmentation"},
                    {"depth", "loss/depth"},           {"keypoints", "loss/keypoints"},
                    {"heatmap", "loss/heatmap"},       {"equivariance", "loss/equivariance"},
                    {"lr", "lr/heads"},                {"lr_backbone", "lr/backbone"}};
    // The backbone (parameter group 0) learns at backboneLrScale times the heads' rate.
    spec.lrScales = {c.backboneLrScale, 1.0};
    const RunLoopResult done = runTrainingLoop(run, c, spec, *net, optimizer, hooks, progress, cancel);

    TrainResult result;
    result.steps = done.steps;
    result.resumedFrom = done.resumedFrom;
    result.lastLoss = done.lastLoss;
    result.bestValLoss = done.bestValLoss;
    result.finalWeights = done.finalWeights;
    return result;
}

}  // namespace synthforge::train
