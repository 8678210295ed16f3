// Stage II label fine-tuning (core/train/finetune.h): the Stage I network is
// frozen (eval mode, no gradients, its file only read) and the heads of
// torch_finetune_net.h learn a benchmark's labels with AdamW on a cosine
// schedule. The run directory, checkpoints and exact resume are
// torch_run_directory.h's, as for Stage I: the heads' weights, BN buffers and
// AdamW moments are checkpointed; the sample order is a function of
// (seed, epoch), augmentation draws from (seed, epoch, sample), the
// schedule's state is the step, and the Stage I forward in eval mode draws
// nothing random, so a resumed run continues bit for bit (CPU, fixed thread
// count), for any number of loader threads.

#include "core/train/finetune.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/io/tensorboard_writer.h"
#include "core/train/augment.h"
#include "core/train/batch_prefetcher.h"
#include "core/train/torch_benchmark_data.h"
#include "core/train/torch_finetune_net.h"
#include "core/train/torch_losses.h"
#include "core/train/torch_preview.h"
#include "core/train/torch_run_directory.h"
#include "core/train/torch_synthforge_data.h"
#include "core/train/torch_weights.h"

namespace synthforge::train {

namespace {

namespace fs = std::filesystem;

constexpr const char* kMetricsHeader = "step,epoch,total,segmentation,depth,keypoints,lr,val_total\n";

void check(bool ok, const std::string& field, const std::string& why) {
    if (!ok) throw std::invalid_argument(field + ": " + why);
}

int64_t formatClasses(const std::string& f) { return f == "lapa" ? 11 : f == "celebamask-hq" ? 19 : 0; }

void validate(const FinetuneConfig& c) {
    check(!c.data.empty(), "data", "required");
    check(!c.out.empty(), "out", "required");
    check(!c.stage1.empty(), "stage1", "required");
    check(c.format == "300w" || c.format == "lapa" || c.format == "celebamask-hq", "format",
          "'" + c.format + "' is not one of " + finetuneFormats());
    if (c.numClasses != 0) {
        const int64_t have = formatClasses(c.format);
        check(c.numClasses == have, "classes",
              std::to_string(c.numClasses) + " requested, but " + c.format +
                  (have ? " has " + std::to_string(have) + " classes" : " has no segmentation labels"));
    }
    check(c.epochs >= 1, "epochs", "must be at least 1");
    check(c.batch >= 1, "batch", "must be at least 1");
    check(c.size >= 64, "size", "must be at least 64 (the keypoint head pools H/4 four times)");
    check(c.margin >= 0 && c.margin <= 4, "margin", "must be in [0, 4]");
    check(c.lr > 0 && std::isfinite(c.lr), "lr", "must be positive");
    check(c.minLr >= 0 && c.minLr <= c.lr, "min_lr", "must be in [0, lr]");
    check(c.weightDecay >= 0, "weight_decay", "must be non-negative");
    const std::initializer_list<std::pair<const char*, double>> weights = {
        {"depth_weight", c.depthWeight}, {"seg_weight", c.segWeight}, {"kps_weight", c.kpsWeight}};
    for (const auto& [name, w] : weights)
        check(w >= 0 && std::isfinite(w), name, "must be a non-negative number");
    check(c.valFraction >= 0 && c.valFraction < 1, "val_fraction", "must be in [0, 1)");
    check(!c.augment.empty(), "augment", "none, default or a JSON file");
    check(c.workers >= 0, "workers", "must be at least 0");
    check(c.prefetch >= 1, "prefetch", "must be at least 1");
    check(c.checkpointEvery >= 1, "checkpoint_every", "must be at least 1");
    check(c.imageEvery >= 0, "image_every", "must be at least 0");
    check(c.keepCheckpoints >= 1, "keep_checkpoints", "must be at least 1");
    check(c.device == "auto" || c.device == "cpu" || c.device == "cuda", "device", "auto, cpu or cuda");
}

/// The Stage I weights file: the path itself, or <run>/final.safetensors.
std::string stageOnePath(const std::string& given) {
    std::error_code ec;
    const fs::path p = fs::is_directory(given, ec) ? fs::path(given) / "final.safetensors" : fs::path(given);
    if (!fs::is_regular_file(p, ec))
        throw std::runtime_error(p.string() + ": missing Stage I weights (pass a .safetensors file or a finished "
                                              "`synthforge train` run directory)");
    return fs::absolute(p).lexically_normal().string();
}

struct Losses {
    torch::Tensor total, seg, depth, kps;
};

Losses lossOf(const FinetuneOutput& out, const BenchmarkBatch& b, const FinetuneConfig& c, const torch::Device& d) {
    const auto zero = torch::zeros({}, out.depth.options());
    Losses l{zero, zero, zero, zero};
    if (b.segmentation.defined()) l.seg = segmentationLoss(out.segmentation, b.segmentation.to(d));
    if (b.landmarks.defined()) {
        // L2 on the soft-argmax plus the spatial cross-entropy that shapes
        // the heatmaps (as in Stage I); one weight for both.
        const auto target = b.landmarks.to(d);
        l.kps = keypointLoss(out.landmarks, target) + heatmapLoss(out.heatmaps, target, 1.0);
    }
    // No benchmark here has depth: the depth term stays 0 and the residual
    // depth head keeps passing the Stage I depth through.
    l.total = c.segWeight * l.seg + c.kpsWeight * l.kps + c.depthWeight * l.depth;
    return l;
}

}  // namespace

const char* finetuneFormats() { return "300w, lapa, celebamask-hq"; }

std::string FinetuneConfig::toJson() const {
    const std::string weights = stageOnePath(stage1);
    nlohmann::ordered_json j;
    j["format"] = "synthforge-train-config";
    j["version"] = 1;
    j["stage"] = "II";
    j["data"] = fs::absolute(data).lexically_normal().string();
    j["dataset_format"] = format;
    j["stage1"] = {{"path", weights}, {"hash", fileHash(weights)}};
    j["num_classes"] = formatClasses(format);
    j["use_features"] = useFeatures;
    j["epochs"] = epochs;
    j["batch"] = batch;
    j["size"] = size;
    j["margin"] = margin;
    j["seed"] = seed;
    j["optimizer"] = {{"name", "adamw"}, {"lr", lr}, {"weight_decay", weightDecay}, {"betas", {0.9, 0.999}},
                      {"eps", 1e-8}};
    j["schedule"] = {{"name", "cosine"}, {"min_lr", minLr}};
    j["losses"] = {{"depth", depthWeight}, {"segmentation", segWeight}, {"keypoints", kpsWeight},
                   {"heatmap_sigma", 1.0}};
    j["val_fraction"] = valFraction;
    j["checkpoint_every"] = checkpointEvery;
    j["keep_checkpoints"] = keepCheckpoints;
    j["image_every"] = imageEvery;
    j["augment"] = nlohmann::ordered_json::parse(augmentConfigToJson(resolveAugment(augment)));
    return j.dump(2) + "\n";
}

FinetuneResult finetuneStageTwo(const FinetuneConfig& c, jobs::ProgressSink* progress, const jobs::CancelToken* cancel) {
    validate(c);
    if (c.threads > 0) torch::set_num_threads(c.threads);
    const torch::Device device = pickDevice(c.device);

    // Everything that can be refused is checked before the run directory is
    // touched: Stage I weights, dataset layout, split sizes.
    const std::string stage1Path = stageOnePath(c.stage1);
    MultiTaskNet stage1 = loadMultiTaskNet(stage1Path);
    stage1->to(device);
    stage1->eval();
    for (auto& p : stage1->parameters()) p.set_requires_grad(false);

    const AugmentConfig augment = resolveAugment(c.augment);
    const BenchmarkDataset data(c.data, c.format, c.size, c.margin, c.valFraction);
    const auto& trainIds = data.trainIds();
    const auto& valIds = data.valIds();
    const auto nTrain = static_cast<int64_t>(trainIds.size());
    const int64_t stepsPerEpoch = nTrain / c.batch;  // a partial last batch is dropped
    check(stepsPerEpoch >= 1, "batch",
          std::to_string(c.batch) + " exceeds the " + std::to_string(nTrain) + " training samples (" +
              data.splitRule() + ")");
    const int64_t totalSteps = c.epochs * stepsPerEpoch;

    const RunDirectory run(c.out, c.toJson(), c.resume, c.keepCheckpoints);
    const CheckpointStore& store = run.checkpoints();

    torch::manual_seed(c.seed);
    FinetuneHeads heads(FinetuneHeadsOptions(stage1->options.numClasses(), stage1->options.numLandmarks())
                            .featureChannels(c.useFeatures ? stage1->options.featureChannels() : 0)
                            .numClasses(data.numClasses())
                            .numLandmarks(data.numLandmarks())
                            .datasetFormat(c.format));
    heads->to(device);
    torch::optim::AdamW optimizer(heads->parameters(), torch::optim::AdamWOptions(c.lr).weight_decay(c.weightDecay));

    TrainState state;
    FinetuneResult result;
    result.trainSamples = nTrain;
    result.valSamples = static_cast<int64_t>(valIds.size());
    result.split = data.splitRule();
    if (c.resume && store.latestStep() >= 0) {
        state = store.load(store.latestStep(), *heads, optimizer);
        result.resumedFrom = state.step;
    }
    run.restartMetrics(kMetricsHeader, state.step);
    io::TensorBoardWriter tb(run.path().string());

    auto forward = [&](const torch::Tensor& images) {
        MultiTaskOutput s1;
        {
            torch::NoGradGuard frozen;
            s1 = stage1->forward(images);
        }
        return heads->forward(s1);
    };
    auto validation = [&]() -> double {
        if (valIds.empty()) return NAN;
        torch::NoGradGuard noGrad;
        heads->eval();
        double sum = 0;
        for (size_t first = 0; first < valIds.size(); first += static_cast<size_t>(c.batch)) {
            const std::vector<int64_t> ids(valIds.begin() + static_cast<std::ptrdiff_t>(first),
                                           valIds.begin() + static_cast<std::ptrdiff_t>(
                                                                std::min(valIds.size(), first + c.batch)));
            const BenchmarkBatch b = data.load(ids);
            sum += lossOf(forward(b.images.to(device)), b, c, device).total.item<double>() *
                   static_cast<double>(ids.size());
        }
        heads->train();
        return sum / static_cast<double>(valIds.size());
    };

    // Prediction grids: up to 4 validation crops (training crops without a
    // split), never augmented, so the images show progress on fixed input.
    torch::Tensor previewImages;
    if (c.imageEvery > 0) {
        const std::vector<int64_t>& pool = valIds.empty() ? trainIds : valIds;
        previewImages =
            data.load(std::vector<int64_t>(pool.begin(), pool.begin() + std::min<ptrdiff_t>(4, pool.size())))
                .images.to(device);
    }
    auto previewGrid = [&] {
        torch::NoGradGuard noGrad;
        heads->eval();
        const FinetuneOutput y = forward(previewImages);
        heads->train();
        const int tile = static_cast<int>(std::min<int64_t>(c.size, 128));  // keeps the PNG small
        return predictionGrid(previewImages, {y.landmarks, y.segmentation, y.depth},
                              benchmarkClassTable(c.format), tile);
    };

    jobs::ProgressTracker tracker(progress, "finetune", static_cast<uint64_t>(totalSteps));
    if (state.step > 0) tracker.advance(static_cast<uint64_t>(state.step));
    heads->train();
    // One loader per epoch over its remaining steps (a resumed run starts
    // mid-epoch). Batch k of the epoch is a function of (seed, epoch, k), so
    // the batches are the same for any number of workers.
    int64_t loaderEpoch = -1;
    std::unique_ptr<OrderedPrefetcher<BenchmarkBatch>> loader;
    while (state.step < totalSteps) {
        const int64_t step = state.step;
        // Torch's generator is reseeded per step, so anything random in the
        // step resumes without being checkpointed.
        torch::manual_seed(c.seed * 1000003ull + static_cast<uint64_t>(step) + 1);
        const double lr = cosineLr(c.lr, c.minLr, step, totalSteps);
        static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups()[0].options()).lr(lr);

        const int64_t epoch = step / stepsPerEpoch;
        if (epoch != loaderEpoch) {
            loader.reset();  // the old epoch's workers stop before new ones start
            const int64_t first = step % stepsPerEpoch;
            auto order = std::make_shared<const std::vector<int64_t>>(
                SynthForgeDataset::epochOrder(0, nTrain, c.seed, epoch));
            loader = std::make_unique<OrderedPrefetcher<BenchmarkBatch>>(
                static_cast<size_t>(stepsPerEpoch - first),
                [&data, &trainIds, &augment, &c, order, first, epoch](size_t k) {
                    std::vector<int64_t> ids;
                    const int64_t begin = (first + static_cast<int64_t>(k)) * c.batch;
                    for (int64_t j = 0; j < c.batch; ++j) ids.push_back(trainIds[(*order)[begin + j]]);
                    return data.load(ids, augment, c.seed, epoch);
                },
                c.workers, c.prefetch);
            loaderEpoch = epoch;
        }
        std::optional<BenchmarkBatch> next = loader->next();
        if (!next) throw std::logic_error("finetuneStageTwo: the epoch's loader ran out of batches");
        const BenchmarkBatch& batch = *next;

        optimizer.zero_grad();
        const Losses l = lossOf(forward(batch.images.to(device)), batch, c, device);
        l.total.backward();
        optimizer.step();
        state.step = step + 1;

        const bool checkpointNow = state.step % c.checkpointEvery == 0 || state.step == totalSteps;
        const double val = checkpointNow ? validation() : NAN;
        if (std::isfinite(val) && (state.bestStep < 0 || val < state.bestValLoss)) {
            state.bestValLoss = val;
            state.bestStep = state.step;
        }
        const double total = l.total.item<double>();
        run.appendMetrics(std::to_string(state.step) + ',' + std::to_string(epoch) + ',' + formatMetric(total) + ',' +
                          formatMetric(l.seg.item<double>()) + ',' + formatMetric(l.depth.item<double>()) + ',' +
                          formatMetric(l.kps.item<double>()) + ',' + formatMetric(lr) + ',' +
                          (std::isfinite(val) ? formatMetric(val) : ""));
        tb.addScalar("loss/total", total, state.step);
        tb.addScalar("loss/segmentation", l.seg.item<double>(), state.step);
        tb.addScalar("loss/depth", l.depth.item<double>(), state.step);
        tb.addScalar("loss/keypoints", l.kps.item<double>(), state.step);
        tb.addScalar("lr/heads", lr, state.step);
        if (std::isfinite(val)) tb.addScalar("val/total", val, state.step);
        if (c.imageEvery > 0 && state.step % c.imageEvery == 0)
            tb.addImage("val/predictions", previewGrid(), state.step);
        result.lastLoss = total;

        const bool stopping = cancel && cancel->cancelled();
        if (checkpointNow || stopping) {
            store.save(state, *heads, optimizer);
            tb.flush();
        }
        tracker.setMessage("loss " + formatMetric(total));
        tracker.advance();
        if (stopping) throw jobs::Cancelled();
    }
    tracker.finish();

    heads->to(torch::kCPU);
    result.finalWeights = run.finalWeightsPath().string();
    saveFinetuneHeads(heads, result.finalWeights,
                      {{"stage1_path", stage1Path},
                       {"stage1_hash", fileHash(stage1Path)},
                       {"crop_size", std::to_string(c.size)},
                       {"crop_margin", formatMetric(c.margin)}});
    result.steps = state.step;
    result.bestValLoss = state.bestStep >= 0 ? state.bestValLoss : 0;
    return result;
}

}  // namespace synthforge::train
