// Stage II label fine-tuning (core/train/finetune.h): the Stage I network is
// frozen (eval mode, no gradients, its file only read) and the heads of
// torch_finetune_net.h learn a benchmark's labels with AdamW on a cosine
// schedule. The run directory, checkpoints and exact resume are
// torch_run_directory.h's, as for Stage I: the heads' weights, BN buffers and
// AdamW moments are checkpointed; the sample order is a function of
// (seed, epoch), augmentation draws from (seed, epoch, sample), the
// schedule's state is the step, and the Stage I forward in eval mode draws
// nothing random, so a resumed run continues bit for bit (CPU, fixed thread
// count), for any number of loader threads. The loop itself is
// torch_run_loop.h's, shared with Stage I.

#include "core/train/finetune.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/train/augment.h"
#include "core/train/batch_prefetcher.h"
#include "core/train/distributed_sampler.h"
#include "core/train/torch_autocast.h"
#include "core/train/torch_benchmark_data.h"
#include "core/train/torch_data_parallel.h"
#include "core/train/torch_finetune_net.h"
#include "core/train/torch_losses.h"
#include "core/train/torch_preview.h"
#include "core/train/torch_run_directory.h"
#include "core/train/torch_run_loop.h"
#include "core/train/torch_synthforge_data.h"
#include "core/train/torch_weights.h"

namespace synthforge::train {

namespace {

namespace fs = std::filesystem;

int64_t formatClasses(const std::string& f) { return f == "lapa" ? 11 : f == "celebamask-hq" ? 19 : 0; }

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

void validateFinetuneConfig(const FinetuneConfig& c) {
    validateRunCommon(c, "the keypoint head pools H/4 four times");
    checkRunField(!c.stage1.empty(), "stage1", "required");
    checkRunField(c.format == "300w" || c.format == "lapa" || c.format == "celebamask-hq", "format",
                  "'" + c.format + "' is not one of " + finetuneFormats());
    if (c.numClasses != 0) {
        const int64_t have = formatClasses(c.format);
        checkRunField(c.numClasses == have, "classes",
                      std::to_string(c.numClasses) + " requested, but " + c.format +
                          (have ? " has " + std::to_string(have) + " classes" : " has no segmentation labels"));
    }
    // Stage II validates its loss only (its metrics are `synthforge eval`'s).
    checkRunField(c.bestMetric == "loss", "best_metric", "Stage II chooses its best checkpoint on the loss");
    checkRunField(c.margin >= 0 && c.margin <= 4, "margin", "must be in [0, 4]");
    const std::initializer_list<std::pair<const char*, double>> weights = {
        {"depth_weight", c.depthWeight}, {"seg_weight", c.segWeight}, {"kps_weight", c.kpsWeight}};
    for (const auto& [name, w] : weights)
        checkRunField(w >= 0 && std::isfinite(w), name, "must be a non-negative number");
}

const char* finetuneFormats() { return "300w, lapa, celebamask-hq"; }

std::string FinetuneConfig::toJson() const {
    const std::string weights = stageOnePath(stage1);
    nlohmann::ordered_json j;
    putRunIdentity(j, "II", *this);
    j["dataset_format"] = format;
    j["stage1"] = {{"path", weights}, {"hash", fileHash(weights)}};
    j["num_classes"] = formatClasses(format);
    j["use_features"] = useFeatures;
    putRunBatching(j, *this);
    j["margin"] = margin;
    j["seed"] = seed;
    j["optimizer"] = runOptimizerJson(*this);
    putRunSchedule(j, *this);
    j["losses"] = {{"depth", depthWeight}, {"segmentation", segWeight}, {"keypoints", kpsWeight},
                   {"heatmap_sigma", 1.0}};
    putRunTail(j, *this);
    return j.dump(2) + "\n";
}

FinetuneResult finetuneStageTwo(const FinetuneConfig& c, jobs::ProgressSink* progress, const jobs::CancelToken* cancel) {
    validateFinetuneConfig(c);
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
    // Data-parallel when launched by torchrun, srun or `synthforge launch`:
    // each step is a global batch of batch x ranks samples.
    const std::unique_ptr<DataParallel> dp = joinDataParallel(c);
    const int world = dp->worldSize(), rank = dp->rank();
    const int64_t stepsPerEpoch = globalMicroBatchesPerEpoch(nTrain, c.batch, world);  // a partial last batch is dropped
    checkRunField(stepsPerEpoch >= 1, "batch",
                  std::to_string(c.batch) + (world > 1 ? " x " + std::to_string(world) + " ranks" : std::string()) +
                      " exceeds the " + std::to_string(nTrain) + " training samples (" + data.splitRule() + ")");
    const int64_t totalSteps = c.epochs * stepsPerEpoch;

    const RunDirectory run(c.out, c.toJson(), c.resume, c.keepCheckpoints, dp->writes());

    torch::manual_seed(c.seed);
    FinetuneHeads heads(FinetuneHeadsOptions(stage1->options.numClasses(), stage1->options.numLandmarks())
                            .featureChannels(c.useFeatures ? stage1->options.featureChannels() : 0)
                            .numClasses(data.numClasses())
                            .numLandmarks(data.numLandmarks())
                            .datasetFormat(c.format));
    heads->to(device);
    torch::optim::AdamW optimizer(
        heads->parameters(),
        torch::optim::AdamWOptions(c.lr).weight_decay(c.weightDecay).betas({c.beta1, c.beta2}).eps(c.eps));

    auto forward = [&](const torch::Tensor& images) {
        MultiTaskOutput s1;
        {
            torch::NoGradGuard frozen;
            s1 = stage1->forward(images);
        }
        return heads->forward(s1);
    };
    RunLoopHooks hooks;
    hooks.validate = [&]() -> std::vector<double> {
        if (valIds.empty()) return {NAN};
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
        return {sum / static_cast<double>(valIds.size())};
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
    hooks.preview = [&] {
        torch::NoGradGuard noGrad;
        heads->eval();
        const FinetuneOutput y = forward(previewImages);
        heads->train();
        const int tile = static_cast<int>(std::min<int64_t>(c.size, 128));  // keeps the PNG small
        return predictionGrid(previewImages, {y.landmarks, y.segmentation, y.depth},
                              benchmarkClassTable(c.format), tile);
    };

    // One loader per epoch over its remaining steps (a resumed run starts
    // mid-epoch). Batch k of the epoch is a function of (seed, epoch, k), so
    // the batches are the same for any number of workers.
    int64_t loaderEpoch = -1;
    std::unique_ptr<OrderedPrefetcher<BenchmarkBatch>> loader;
    hooks.step = [&](int64_t step, double lr) {
        const int64_t epoch = step / stepsPerEpoch;
        if (epoch != loaderEpoch) {
            loader.reset();  // the old epoch's workers stop before new ones start
            const int64_t first = step % stepsPerEpoch;
            auto order = std::make_shared<const std::vector<int64_t>>(
                SynthForgeDataset::epochOrder(0, nTrain, c.seed, epoch));
            loader = std::make_unique<OrderedPrefetcher<BenchmarkBatch>>(
                static_cast<size_t>(stepsPerEpoch - first),
                [&data, &trainIds, &augment, &c, order, first, epoch, rank, world](size_t k) {
                    std::vector<int64_t> ids;
                    const int64_t m = first + static_cast<int64_t>(k);
                    for (int64_t i : rankSamples(*order, m, m + 1, c.batch, rank, world)) ids.push_back(trainIds[i]);
                    return data.load(ids, augment, c.seed, epoch);
                },
                c.workers, c.prefetch);
            loaderEpoch = epoch;
        }
        std::optional<BenchmarkBatch> next = loader->next();
        if (!next) throw std::logic_error("finetuneStageTwo: the epoch's loader ran out of batches");
        const BenchmarkBatch& batch = *next;

        FinetuneOutput out;
        {
            const AutocastScope autocast(c.precision, device);
            out = forward(batch.images.to(device));
        }
        const auto f = [](const torch::Tensor& t) { return t.defined() ? t.to(torch::kFloat32) : t; };
        const Losses l = lossOf({f(out.segmentation), f(out.depth), f(out.heatmaps), f(out.landmarks)}, batch, c, device);
        l.total.backward();
        return StepReport{epoch,
                          {l.total.item<double>(), l.seg.item<double>(), l.depth.item<double>(),
                           l.kps.item<double>(), lr}};
    };
    hooks.saveFinal = [&](const std::string& path) {
        heads->to(torch::kCPU);
        saveFinetuneHeads(heads, path,
                          {{"stage1_path", stage1Path},
                           {"stage1_hash", fileHash(stage1Path)},
                           {"crop_size", std::to_string(c.size)},
                           {"crop_margin", formatMetric(c.margin)}});
    };

    RunLoopSpec spec;
    spec.job = "finetune";
    spec.parallel = dp.get();
    spec.totalSteps = totalSteps;
    spec.metrics = {{"total", "loss/total"},
                    {"segmentation", "loss/segmentation"},
                    {"depth", "loss/depth"},
                    {"keypoints", "loss/keypoints"},
                    {"lr", "lr/heads"}};
    const RunLoopResult done = runTrainingLoop(run, c, spec, *heads, optimizer, hooks, progress, cancel);

    FinetuneResult result;
    result.trainSamples = nTrain;
    result.valSamples = static_cast<int64_t>(valIds.size());
    result.split = data.splitRule();
    result.steps = done.steps;
    result.resumedFrom = done.resumedFrom;
    result.lastLoss = done.lastLoss;
    result.bestValLoss = done.bestValLoss;
    result.finalWeights = done.finalWeights;
    return result;
}

}  // namespace synthforge::train
