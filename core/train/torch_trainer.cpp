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
// dropped, and rewritten identically by the resumed run.

#include "core/train/trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/io/file_util.h"
#include "core/io/tensorboard_writer.h"
#include "core/train/augment.h"
#include "core/train/data_split.h"
#include "core/train/torch_checkpoint.h"
#include "core/train/torch_losses.h"
#include "core/train/evaluator.h"
#include "core/train/torch_multitask_net.h"
#include "core/train/torch_preview.h"
#include "core/train/torch_run_directory.h"
#include "core/train/torch_synthforge_data.h"
#include "core/train/torch_weights.h"

namespace synthforge::train {

namespace {

namespace fs = std::filesystem;

constexpr const char* kMetricsHeader =
    "step,epoch,total,segmentation,depth,keypoints,heatmap,equivariance,lr,lr_backbone,val_total\n";

void check(bool ok, const std::string& field, const std::string& why) {
    if (!ok) throw std::invalid_argument(field + ": " + why);
}

std::string fmt(double v) { return formatMetric(v); }

void validate(const TrainConfig& c) {
    check(!c.data.empty(), "data", "required");
    check(!c.out.empty(), "out", "required");
    check(c.preset == "small" || c.preset == "reference", "preset", "\"" + c.preset + "\" is not small or reference");
    check(c.epochs >= 1, "epochs", "must be at least 1");
    check(c.batch >= 1, "batch", "must be at least 1");
    check(c.size >= 64, "size", "must be at least 64 (the hourglass pools H/4 four times)");
    check(c.accumulate >= 1, "accumulate", "must be at least 1");
    check(c.lr > 0 && std::isfinite(c.lr), "lr", "must be positive");
    check(c.minLr >= 0 && c.minLr <= c.lr, "min_lr", "must be in [0, lr]");
    check(c.backboneLrScale > 0, "backbone_lr_scale", "must be positive");
    check(c.valFraction >= 0 && c.valFraction < 1, "val_fraction", "must be in [0, 1)");
    check(c.checkpointEvery >= 1, "checkpoint_every", "must be at least 1");
    check(c.keepCheckpoints >= 1, "keep_checkpoints", "must be at least 1");
    check(c.device == "auto" || c.device == "cpu" || c.device == "cuda", "device", "auto, cpu or cuda");
    check(c.workers >= 0, "workers", "must be at least 0");
    check(c.prefetch >= 1, "prefetch", "must be at least 1");
    check(!c.augment.empty(), "augment", "none, default or a JSON file");
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
    j["format"] = "synthforge-train-config";
    j["version"] = 1;
    j["stage"] = "I";
    j["data"] = fs::absolute(data).lexically_normal().string();
    j["preset"] = preset;
    j["epochs"] = epochs;
    j["batch"] = batch;
    j["size"] = size;
    j["accumulate"] = accumulate;
    j["seed"] = seed;
    j["optimizer"] = {{"name", "adamw"}, {"lr", lr}, {"backbone_lr_scale", backboneLrScale},
                      {"weight_decay", weightDecay}, {"betas", {0.9, 0.999}}, {"eps", 1e-8}};
    j["schedule"] = {{"name", "cosine"}, {"min_lr", minLr}};
    j["losses"] = {{"segmentation", 1.0}, {"depth", 1.0}, {"keypoints", 1.0}, {"heatmap", 1.0},
                   {"equivariance", 1.0}, {"heatmap_sigma", 1.0}, {"max_angle", 1.0}, {"max_shift", 1.0 / 3.0}};
    j["val_fraction"] = valFraction;
    j["checkpoint_every"] = checkpointEvery;
    j["keep_checkpoints"] = keepCheckpoints;
    j["image_every"] = imageEvery;
    j["augment"] = nlohmann::ordered_json::parse(augmentConfigToJson(resolveAugment(augment)));
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
    check(microPerEpoch >= c.accumulate, "batch",
          "batch x accumulate (" + std::to_string(c.batch * c.accumulate) + ") exceeds the " +
              std::to_string(nTrain) + " training samples");
    const int64_t stepsPerEpoch = microPerEpoch / c.accumulate;
    const int64_t microUsed = stepsPerEpoch * c.accumulate;  // the remainder of an epoch is dropped
    const int64_t totalSteps = c.epochs * stepsPerEpoch;

    // ---- run directory (refuses a foreign run or a changed config before touching anything)
    const RunDirectory run(c.out, c.toJson(), c.resume, c.keepCheckpoints);
    const CheckpointStore& store = run.checkpoints();
    const fs::path out = run.path();

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

    TrainState state;
    TrainResult result;
    if (c.resume && store.latestStep() >= 0) {
        state = store.load(store.latestStep(), *net, optimizer);
        result.resumedFrom = state.step;
    }
    run.restartMetrics(kMetricsHeader, state.step);
    io::TensorBoardWriter tb(out.string());

    auto validation = [&]() -> double {
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

    jobs::ProgressTracker tracker(progress, "train", static_cast<uint64_t>(totalSteps));
    if (state.step > 0) tracker.advance(static_cast<uint64_t>(state.step));
    net->train();
    // One loader per epoch, over that epoch's remaining micro-batches (a
    // resumed run starts mid-epoch); its batches are bit-identical for any
    // worker count, so workers are not part of the run's identity.
    int64_t loaderEpoch = -1;
    std::unique_ptr<SynthForgeBatchLoader> loader;
    while (state.step < totalSteps) {
        const int64_t step = state.step;
        // The step's random draws (equivariance affines) from (seed, step) only.
        torch::manual_seed(c.seed * 1000003ull + static_cast<uint64_t>(step) + 1);
        const double lrHead = cosineLr(c.lr, c.minLr, step, totalSteps);
        const double lrBackbone = c.backboneLrScale * lrHead;
        static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups()[0].options()).lr(lrBackbone);
        static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups()[1].options()).lr(lrHead);

        optimizer.zero_grad();
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
        optimizer.step();
        state.step = step + 1;

        const bool checkpointNow = state.step % c.checkpointEvery == 0 || state.step == totalSteps;
        const double val = checkpointNow ? validation() : NAN;
        if (std::isfinite(val) && (state.bestStep < 0 || val < state.bestValLoss)) {
            state.bestValLoss = val;
            state.bestStep = state.step;
        }
        run.appendMetrics(std::to_string(state.step) + ',' + std::to_string(epoch) + ',' + fmt(sums.total) + ',' +
                          fmt(sums.seg) + ',' + fmt(sums.depth) + ',' + fmt(sums.kps) + ',' + fmt(sums.heat) + ',' +
                          fmt(sums.eqv) + ',' + fmt(lrHead) + ',' + fmt(lrBackbone) + ',' +
                          (std::isfinite(val) ? fmt(val) : ""));
        tb.addScalar("loss/total", sums.total, state.step);
        tb.addScalar("loss/segmentation", sums.seg, state.step);
        tb.addScalar("loss/depth", sums.depth, state.step);
        tb.addScalar("loss/keypoints", sums.kps, state.step);
        tb.addScalar("loss/heatmap", sums.heat, state.step);
        tb.addScalar("loss/equivariance", sums.eqv, state.step);
        tb.addScalar("lr/heads", lrHead, state.step);
        tb.addScalar("lr/backbone", lrBackbone, state.step);
        if (std::isfinite(val)) tb.addScalar("val/total", val, state.step);
        if (c.imageEvery > 0 && state.step % c.imageEvery == 0)
            tb.addImage("val/predictions", predictionGrid(net, previewImages, previewClasses, previewTile), state.step);
        result.lastLoss = sums.total;

        const bool stopping = cancel && cancel->cancelled();
        if (checkpointNow || stopping) {
            store.save(state, *net, optimizer);
            tb.flush();
        }
        tracker.setMessage("loss " + fmt(sums.total));
        tracker.advance();
        if (stopping) throw jobs::Cancelled();
    }
    tracker.finish();

    net->to(torch::kCPU);
    result.finalWeights = run.finalWeightsPath().string();
    saveMultiTaskNet(net, result.finalWeights);
    result.steps = state.step;
    result.bestValLoss = state.bestStep >= 0 ? state.bestValLoss : 0;
    return result;
}

}  // namespace synthforge::train
