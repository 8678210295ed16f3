// Evaluation of a Stage II run (core/train/evaluator.h, evaluateFinetunedRun):
// the fine-tuned model (loadFinetunedModel) runs over the benchmark's face
// crops (core/train/torch_benchmark_data.h, the run's size, margin and split
// rule) and its outputs become the arrays and maps of core/eval, so the
// numbers are exactly core/eval's: NME by the layout's outer eye corners
// (iBUG-68 36/45, LaPa-106 66/79) in pixels of the crop (NME is scale and
// translation free, so this equals the NME in the original image), failure
// rate and CED AUC, and one confusion matrix over the crops (label 255,
// outside the image, ignored) with the benchmark's class names. The
// benchmarks have no depth: depth is NaN.

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/annotate/class_presets.h"
#include "core/eval/landmark_metrics.h"
#include "core/eval/segmentation_metrics.h"
#include "core/io/file_util.h"
#include "core/train/run_weights.h"
#include "core/train/evaluator.h"
#include "core/train/finetune.h"
#include "core/train/torch_benchmark_data.h"
#include "core/train/torch_evaluator.h"
#include "core/train/torch_finetune_net.h"
#include "core/train/torch_run_directory.h"

namespace synthforge::train {

namespace {

namespace fs = std::filesystem;

/// What evaluation takes from a Stage II run's config.json.
struct StageTwoFacts {
    std::string data;    ///< the benchmark folder it was fine-tuned on
    std::string format;  ///< dataset_format
    int64_t size = 0;
    double margin = 0, valFraction = 0.1;
};

StageTwoFacts stageTwoFacts(const fs::path& run) {
    const fs::path path = run / "config.json";
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(io::readFileText(path.string()));
    } catch (const std::exception& e) {
        throw std::runtime_error(path.string() + ": " + e.what());
    }
    StageTwoFacts f;
    auto field = [&](const char* key, auto& out) {
        if (!j.contains(key)) throw std::runtime_error(path.string() + ": " + key + ": missing");
        try {
            out = j.at(key).get<std::decay_t<decltype(out)>>();
        } catch (const std::exception& e) {
            throw std::runtime_error(path.string() + ": " + key + ": " + e.what());
        }
    };
    field("data", f.data);
    field("dataset_format", f.format);
    field("size", f.size);
    field("margin", f.margin);
    field("val_fraction", f.valFraction);
    if (f.format != "300w" && f.format != "lapa" && f.format != "celebamask-hq")
        throw std::runtime_error(path.string() + ": dataset_format: '" + f.format + "' is not one of " +
                                 finetuneFormats());
    if (f.size < 64) throw std::runtime_error(path.string() + ": size: below 64");
    if (!(f.margin >= 0 && f.margin <= 4)) throw std::runtime_error(path.string() + ": margin: not in [0, 4]");
    if (!(f.valFraction >= 0 && f.valFraction < 1))
        throw std::runtime_error(path.string() + ": val_fraction: not in [0, 1)");
    return f;
}

}  // namespace

EvalResult evaluateFinetunedRun(const EvalConfig& c, jobs::ProgressSink* progress) {
    validateEvalConfig(c);
    const fs::path run(c.model);
    if (!fs::is_directory(run)) throw std::runtime_error(run.string() + ": no such run directory");
    const fs::path weights = runWeightsFile(run.string(), c.weights, "the run has not finished fine-tuning");
    if (!fs::is_directory(c.data)) throw std::runtime_error(c.data + ": no such dataset directory");
    if (c.threads > 0) torch::set_num_threads(c.threads);

    const StageTwoFacts facts = stageTwoFacts(run);
    if (c.format != "auto" && c.format != facts.format)
        throw std::invalid_argument("format: '" + c.format + "', but the Stage II run " + run.string() +
                                    " was fine-tuned on " + facts.format);
    const int64_t size = c.size > 0 ? c.size : facts.size;
    // The folder must be in the run's format: the readers' own errors say
    // what is missing, the prefix says what was expected.
    std::unique_ptr<BenchmarkDataset> data;
    try {
        data = std::make_unique<BenchmarkDataset>(c.data, facts.format, size, facts.margin, facts.valFraction);
    } catch (const std::exception& e) {
        throw std::runtime_error(c.data + ": not a " + facts.format + " dataset, the format the Stage II run " +
                                 run.string() + " was fine-tuned on (" + e.what() + ")");
    }
    FinetunedModel model = loadFinetunedModel(weights.string());
    const FinetuneHeadsOptions& heads = model.heads->options;
    if (heads.numClasses() != data->numClasses() || heads.numLandmarks() != data->numLandmarks())
        throw std::runtime_error(weights.string() + ": num_classes/num_landmarks: " +
                                 std::to_string(heads.numClasses()) + "/" + std::to_string(heads.numLandmarks()) +
                                 ", but " + facts.format + " has " + std::to_string(data->numClasses()) + "/" +
                                 std::to_string(data->numLandmarks()));

    std::string split = c.split;
    if (split == "auto") split = sameFolder(facts.data, c.data) && !data->valIds().empty() ? "val" : "all";
    std::vector<int64_t> ids;
    if (split == "test") {
        ids = data->testIds();
    } else {
        if (split != "val") ids = data->trainIds();
        if (split != "train") ids.insert(ids.end(), data->valIds().begin(), data->valIds().end());
    }
    std::sort(ids.begin(), ids.end());
    if (ids.empty())
        throw std::runtime_error(c.data + ": the '" + split + "' split holds no sample (" + data->splitRule() + ")");

    const torch::Device device = pickDevice(c.device);
    model.stage1->to(device);
    model.heads->to(device);
    model.stage1->eval();
    model.heads->eval();
    torch::NoGradGuard noGrad;

    const int numClasses = static_cast<int>(heads.numClasses());
    const bool withLandmarks = heads.numLandmarks() > 0;
    std::vector<eval::Landmarks2d> pred, gt;
    eval::ConfusionMatrix cm(std::max(numClasses, 1));
    const auto n = static_cast<int64_t>(ids.size());
    jobs::ProgressTracker tracker(progress, "eval", static_cast<uint64_t>(n));
    for (int64_t b = 0; b < n; b += c.batch) {
        const std::vector<int64_t> batchIds(ids.begin() + b, ids.begin() + std::min(n, b + c.batch));
        const BenchmarkBatch x = data->load(batchIds);
        const FinetuneOutput y = model.forward(x.images.to(device));
        torch::Tensor lm, segPred, segGt;
        if (withLandmarks) lm = y.landmarks.to(torch::kCPU);
        if (numClasses > 0) {
            // ids < numClasses <= 19 and the ignore id 255 fit in 8 bits.
            segPred = y.segmentation.argmax(1).to(torch::kCPU, torch::kUInt8).contiguous();
            segGt = x.segmentation.to(torch::kUInt8).contiguous();
        }
        for (size_t k = 0; k < batchIds.size(); ++k) {
            const auto kk = static_cast<int64_t>(k);
            if (withLandmarks) {
                pred.push_back(landmarksToPixels(lm[kk], size));
                gt.push_back(landmarksToPixels(x.landmarks[kk], size));
            }
            if (numClasses > 0) {
                const torch::Tensor p = segPred[kk].contiguous(), g = segGt[kk].contiguous();
                cm.add(cv::Mat(static_cast<int>(size), static_cast<int>(size), CV_8UC1, p.data_ptr<uint8_t>()),
                       cv::Mat(static_cast<int>(size), static_cast<int>(size), CV_8UC1, g.data_ptr<uint8_t>()));
            }
        }
        tracker.advance(batchIds.size());
    }
    tracker.finish();

    EvalResult r;
    r.weights = weights.string();
    r.data = c.data;
    r.preset = model.stage1->options.presetName();
    r.stage = "II";
    r.datasetFormat = facts.format;
    r.size = size;
    r.split = split;
    r.splitRule = data->splitRule();
    r.firstSample = ids.front();
    r.samples = n;
    r.numLandmarks = heads.numLandmarks();
    if (withLandmarks) {
        const eval::NmeOptions nmeOptions = facts.format == "lapa" ? eval::lapa106Nme() : eval::ibug68Nme();
        r.nmeNormalizer = "outer_eye_corners_" + std::to_string(nmeOptions.leftIndex) + "_" +
                          std::to_string(nmeOptions.rightIndex);
        const eval::NmeSummary nme = eval::nmeSummary(pred, gt, nmeOptions);
        r.nmePerImage = nme.perImage;
        r.nmeMean = nme.mean;
        r.failureRate = eval::failureRate(nme.perImage, r.failureThreshold);
        r.auc = eval::cedAuc(nme.perImage, r.failureThreshold);
        std::vector<std::string> subsetOf;
        for (int64_t id : ids) subsetOf.push_back(data->subsetOf(id));
        r.nmeSubsets = subsetScores(subsetOf, nme.perImage, r.failureThreshold);
    } else {
        r.nmeNormalizer = "none";
        r.nmeMean = r.failureRate = r.auc = NAN;
    }
    if (numClasses > 0) {
        putClassScores(r, cm, benchmarkClassTable(facts.format));
    } else {
        r.meanF1 = r.meanIoU = NAN;
    }
    r.depthL1 = NAN;  // none of the benchmarks has depth
    r.facePixels = 0;
    return r;
}

}  // namespace synthforge::train
