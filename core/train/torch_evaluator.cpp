// Evaluation of a Stage I network (core/train/evaluator.h,
// core/train/torch_evaluator.h). The metric formulas live in core/eval; this
// file only turns network outputs into the arrays and maps they take, so the
// CLI's numbers are exactly core/eval's.

#include "core/train/torch_evaluator.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/eval/segmentation_metrics.h"
#include "core/io/file_util.h"
#include "core/train/data_split.h"
#include "core/train/torch_weights.h"
#include "core/train/run_weights.h"

namespace synthforge::train {

namespace fs = std::filesystem;

eval::Landmarks2d landmarksToPixels(const torch::Tensor& normalised, int64_t size) {
    if (normalised.dim() != 2 || normalised.size(1) != 2)
        throw std::invalid_argument("landmarksToPixels: normalised must be L x 2");
    const torch::Tensor v = normalised.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const auto a = v.accessor<float, 2>();
    eval::Landmarks2d p(v.size(0), 2);
    const float half = static_cast<float>(size) * 0.5f;
    for (int64_t i = 0; i < v.size(0); ++i)
        for (int64_t j = 0; j < 2; ++j) p(i, j) = (a[i][j] + 1.0f) * half;
    return p;
}

EvalResult evaluateNet(MultiTaskNet& net, const SynthForgeDataset& data, const annotate::ClassTable& classes,
                       int64_t batch, const torch::Device& device, jobs::ProgressSink* progress, SampleRange range,
                       const EvalBatchHook& onBatch) {
    if (batch < 1) throw std::invalid_argument("batch: must be at least 1");
    if (range.end < 0) range = {0, data.size()};
    if (range.begin < 0 || range.end > data.size() || range.begin >= range.end)
        throw std::invalid_argument("evaluateNet: empty or out-of-range sample range");
    const int64_t n = range.end, s = data.resolution();
    const int numClasses = static_cast<int>(net->options.numClasses());
    const bool wasTraining = net->is_training();
    net->eval();
    torch::NoGradGuard noGrad;

    std::vector<eval::Landmarks2d> pred, gt;
    eval::ConfusionMatrix cm(numClasses);
    double depthSum = 0;
    std::uint64_t facePixels = 0;
    jobs::ProgressTracker tracker(progress, "eval", static_cast<uint64_t>(range.size()));
    for (int64_t b = range.begin; b < n; b += batch) {
        std::vector<int64_t> idx;
        for (int64_t i = b; i < std::min(n, b + batch); ++i) idx.push_back(i);
        const SynthForgeBatch x = data.load(idx);
        const MultiTaskOutput y = net->forward(x.images.to(device));
        if (onBatch) onBatch(x, y);
        const torch::Tensor lm = y.landmarks.to(torch::kCPU);
        // argmax ids < numClasses <= 256 fit in 8 bits; the labels hold ids
        // < numClasses or the ignore id 255, which ConfusionMatrix skips.
        const torch::Tensor segPred = y.segmentation.argmax(1).to(torch::kCPU, torch::kUInt8).contiguous();
        const torch::Tensor segGt = x.segmentation.to(torch::kUInt8).contiguous();
        for (size_t k = 0; k < idx.size(); ++k) {
            const auto kk = static_cast<int64_t>(k);
            pred.push_back(landmarksToPixels(lm[kk], s));
            gt.push_back(landmarksToPixels(x.landmarks[kk], s));
            const torch::Tensor p = segPred[kk].contiguous(), g = segGt[kk].contiguous();
            cm.add(cv::Mat(static_cast<int>(s), static_cast<int>(s), CV_8UC1, p.data_ptr<uint8_t>()),
                   cv::Mat(static_cast<int>(s), static_cast<int>(s), CV_8UC1, g.data_ptr<uint8_t>()));
        }
        // Samples without depth (FaceSynthetics) do not count toward depth L1.
        const torch::Tensor face = x.faceMask & x.hasDepth.view({-1, 1, 1, 1}).to(torch::kBool);
        depthSum += (y.depth.to(torch::kCPU) - x.depth).abs().masked_select(face).sum().item<double>();
        facePixels += static_cast<std::uint64_t>(face.sum().item<int64_t>());
        tracker.advance(idx.size());
    }
    tracker.finish();
    if (wasTraining) net->train();

    EvalResult r;
    r.size = s;
    r.firstSample = range.begin;
    r.samples = range.size();
    const eval::NmeSummary nme = eval::nmeSummary(pred, gt, eval::ibug68Nme());
    r.nmePerImage = nme.perImage;
    r.nmeMean = nme.mean;
    r.failureRate = eval::failureRate(nme.perImage, r.failureThreshold);
    r.auc = eval::cedAuc(nme.perImage, r.failureThreshold);
    putClassScores(r, cm, &classes);
    r.depthL1 = facePixels > 0 ? depthSum / static_cast<double>(facePixels) : NAN;
    r.facePixels = facePixels;
    return r;
}

StageOneRunFacts stageOneRunFacts(const std::string& runDir) {
    const fs::path run(runDir);
    StageOneRunFacts f;
    const fs::path path = run / "config.json";
    if (!fs::is_regular_file(path)) return f;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(io::readFileText(path.string()));
    } catch (const std::exception& e) {
        throw std::runtime_error(path.string() + ": " + e.what());
    }
    auto field = [&](const char* key, auto& out) {
        if (!j.contains(key)) return;
        try {
            out = j.at(key).get<std::decay_t<decltype(out)>>();
        } catch (const std::exception& e) {
            throw std::runtime_error(path.string() + ": " + key + ": " + e.what());
        }
    };
    field("size", f.size);
    field("val_fraction", f.valFraction);
    field("data", f.data);
    if (f.size < 64) throw std::runtime_error(path.string() + ": size: below 64");
    if (!(f.valFraction >= 0 && f.valFraction < 1)) throw std::runtime_error(path.string() + ": val_fraction: not in [0, 1)");
    return f;
}

EvalResult evaluateRun(const EvalConfig& c, jobs::ProgressSink* progress) {
    validateEvalConfig(c);
    const fs::path run(c.model);
    if (!fs::is_directory(run)) throw std::runtime_error(run.string() + ": no such run directory");
    // A `synthforge finetune` run scores on its benchmark (torch_finetune_evaluator.cpp).
    if (isStageTwoRun(run.string())) return evaluateFinetunedRun(c, progress);
    const fs::path weights = runWeightsFile(run.string(), c.weights, "the run has not finished training");
    if (!fs::is_directory(c.data)) throw std::runtime_error(c.data + ": no such dataset directory");
    // A benchmark folder (by --format or by what it holds) is scored zero-shot.
    const std::string format = c.format == "auto" ? detectDatasetFormat(c.data) : c.format;
    if (format != "synthforge") return evaluateZeroShotRun(c, format, progress);
    if (c.threads > 0) torch::set_num_threads(c.threads);

    const StageOneRunFacts facts = stageOneRunFacts(run.string());
    const int64_t size = c.size > 0 ? c.size : facts.size;
    MultiTaskNet net = loadMultiTaskNet(weights.string());
    const SynthForgeDataset data(c.data, size);
    if (net->options.numClasses() != data.numClasses())
        throw std::runtime_error(weights.string() + ": num_classes: " + std::to_string(net->options.numClasses()) +
                                 ", but the dataset " + c.data + " has " + std::to_string(data.numClasses()));
    const annotate::ClassTable classes = loadDatasetClassTable(c.data);

    torch::Device device = torch::kCPU;
    if (c.device == "cuda" && !torch::cuda::is_available())
        throw std::invalid_argument("device: cuda requested but not available");
    if (c.device == "cuda" || (c.device == "auto" && torch::cuda::is_available())) device = torch::kCUDA;
    net->to(device);

    std::string split = c.split;
    if (split == "auto")
        split = !facts.data.empty() && sameFolder(facts.data, c.data) &&
                        validationCount(data.size(), facts.valFraction) > 0
                    ? "val" : "all";
    if (split == "test")
        throw std::invalid_argument("split: 'test' needs a Stage II run on a benchmark; " + c.data +
                                    " (our layout) has train and val only");
    const SampleRange range = splitRange(data.size(), facts.valFraction, split);
    if (range.size() == 0)
        throw std::runtime_error(c.data + ": the '" + split + "' split holds no sample (" +
                                 std::to_string(data.size()) + " samples, val_fraction " +
                                 std::to_string(facts.valFraction) + ")");
    EvalResult r = evaluateNet(net, data, classes, c.batch, device, progress, range);
    r.split = split;
    r.weights = weights.string();
    r.data = c.data;
    r.preset = net->options.presetName();
    return r;
}

}  // namespace synthforge::train
