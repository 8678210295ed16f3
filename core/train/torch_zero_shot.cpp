// Zero-shot evaluation of a Stage I run on a benchmark (core/train/zero_shot.h,
// core/train/torch_zero_shot.h). The metric formulas are core/eval's; this
// file frames the crops, runs (or is handed) predictions, takes them back to
// the benchmark's frame and ids, and fills EvalResult.

#include "core/train/torch_zero_shot.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "core/annotate/class_presets.h"
#include "core/eval/landmark_metrics.h"
#include "core/eval/segmentation_metrics.h"
#include "core/train/torch_evaluator.h"
#include "core/train/torch_run_directory.h"
#include "core/train/torch_synthforge_data.h"
#include "core/train/torch_weights.h"
#include "core/train/run_weights.h"

namespace synthforge::train {

namespace fs = std::filesystem;

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// Normalised crop coordinates (L x 2) -> continuous pixels of the original
/// image: p = corner + (v + 1) side / 2, the inverse of normaliseToCrop.
eval::Landmarks2d cropToImage(const torch::Tensor& normalised, const FaceCrop& crop) {
    const torch::Tensor v = normalised.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    if (v.dim() != 2 || v.size(1) != 2) throw std::invalid_argument("landmarks: must be L x 2");
    const auto a = v.accessor<float, 2>();
    eval::Landmarks2d p(v.size(0), 2);
    const double half = 0.5 * crop.side;
    for (int64_t i = 0; i < v.size(0); ++i) {
        p(i, 0) = static_cast<float>(crop.x + (a[i][0] + 1.0) * half);
        p(i, 1) = static_cast<float>(crop.y + (a[i][1] + 1.0) * half);
    }
    return p;
}

}  // namespace

ZeroShotPredictor stageOnePredictor(MultiTaskNet& net, const torch::Device& device) {
    return [net, device](const BenchmarkBatch& batch, const std::vector<int64_t>& ids) mutable {
        net->eval();
        torch::NoGradGuard noGrad;
        const MultiTaskOutput y = net->forward(batch.images.to(device));
        const torch::Tensor lm = y.landmarks.to(torch::kCPU);
        const torch::Tensor seg = y.segmentation.argmax(1).to(torch::kCPU, torch::kUInt8);
        std::vector<ZeroShotPrediction> out(ids.size());
        for (size_t k = 0; k < ids.size(); ++k) {
            out[k].landmarks = lm[static_cast<int64_t>(k)];
            out[k].segmentation = seg[static_cast<int64_t>(k)];
        }
        return out;
    };
}

ZeroShotFraming measureFraming(const std::string& trainingData, const std::string& box, int64_t size,
                               int64_t maxSamples) {
    ZeroShotFraming f = defaultZeroShotFraming(box);
    if (trainingData.empty() || !fs::is_directory(trainingData) || maxSamples < 1) return f;
    std::unique_ptr<SynthForgeDataset> data;
    try {
        data = std::make_unique<SynthForgeDataset>(trainingData, size);
    } catch (const std::exception&) {
        return f;  // not (or no longer) a dataset: the documented constants
    }
    // Our ids whose CelebAMask-HQ id is a face part (1..12): what its face box spans.
    const annotate::ClassRemap toCelebA = annotate::remapFromDefault(annotate::ClassPreset::CelebAMaskHQ);
    torch::Tensor facePart = torch::zeros({256}, torch::kBool);
    for (int c = 0; c < 255; ++c)
        if (toCelebA.lut[static_cast<size_t>(c)] >= 1 && toCelebA.lut[static_cast<size_t>(c)] <= 12)
            facePart[c] = true;

    const int64_t n = data->size(), m = std::min(n, maxSamples);
    std::vector<double> fraction, offX, offY;
    for (int64_t i = 0; i < m; ++i) {
        const int64_t id = i * n / m;
        const SynthForgeBatch b = data->load({id});
        const double S = static_cast<double>(data->resolution());
        double x0, x1, y0, y1;  // in image sides
        if (box == "landmarks") {
            // Normalised v = 2 p / S - 1, so p / S = (v + 1) / 2.
            const torch::Tensor lm = b.landmarks[0];
            const torch::Tensor lo = std::get<0>(lm.min(0)), hi = std::get<0>(lm.max(0));
            x0 = (lo[0].item<double>() + 1) / 2, x1 = (hi[0].item<double>() + 1) / 2;
            y0 = (lo[1].item<double>() + 1) / 2, y1 = (hi[1].item<double>() + 1) / 2;
        } else {
            const torch::Tensor ids = b.segmentation[0].clamp(0, 255);
            const torch::Tensor mask = facePart.index({ids});
            const torch::Tensor rows = mask.any(1).nonzero(), cols = mask.any(0).nonzero();
            if (rows.numel() == 0) continue;  // no face part in view
            // Pixel edges, as cv::boundingRect gives them on the benchmark side.
            y0 = rows.min().item<double>() / S, y1 = (rows.max().item<double>() + 1) / S;
            x0 = cols.min().item<double>() / S, x1 = (cols.max().item<double>() + 1) / S;
        }
        fraction.push_back(std::max(x1 - x0, y1 - y0));
        offX.push_back(0.5 * (x0 + x1) - 0.5);
        offY.push_back(0.5 * (y0 + y1) - 0.5);
    }
    if (fraction.empty()) return f;
    f.source = "training_data";
    f.trainingData = trainingData;
    f.samplesMeasured = static_cast<int64_t>(fraction.size());
    f.faceFraction = median(fraction);
    f.offsetX = median(offX);
    f.offsetY = median(offY);
    if (!(f.faceFraction > 0.02)) return defaultZeroShotFraming(box);  // a degenerate set measures nothing useful
    return f;
}

EvalResult scoreZeroShot(const BenchmarkDataset& data, const std::vector<int64_t>& ids, const ZeroShotSetup& setup,
                         const ZeroShotPredictor& predict, jobs::ProgressSink* progress) {
    if (ids.empty()) throw std::invalid_argument("ids: no sample to score");
    if (setup.batch < 1) throw std::invalid_argument("batch: must be at least 1");
    const LandmarkMapping& lmap = setup.landmarks;
    const ClassMapping& cmap = setup.classes;
    const bool withLandmarks = lmap.scored && data.numLandmarks() > 0;
    const bool withClasses = cmap.scored && data.numClasses() > 0;
    const int numClasses = static_cast<int>(data.numClasses());
    const torch::Tensor lut = torch::from_blob(const_cast<std::uint8_t*>(cmap.lut.data()), {256}, torch::kUInt8).clone();
    torch::Tensor ignore = torch::zeros({256}, torch::kBool);
    for (int c = 0; c < 256; ++c)
        if (cmap.ignoreGt[static_cast<size_t>(c)]) ignore[c] = true;
    const torch::Tensor ourIndex = torch::tensor(std::vector<int64_t>(lmap.ourIndex.begin(), lmap.ourIndex.end()));
    if (withLandmarks && static_cast<int64_t>(lmap.ourIndex.size()) != data.numLandmarks())
        throw std::invalid_argument("landmark mapping: " + std::to_string(lmap.ourIndex.size()) + " points for a " +
                                    std::to_string(data.numLandmarks()) + "-point benchmark");

    std::vector<eval::Landmarks2d> pred, gt;
    eval::ConfusionMatrix cm(std::max(numClasses, 1));
    const auto n = static_cast<int64_t>(ids.size());
    int64_t size = 0;
    jobs::ProgressTracker tracker(progress, "eval", static_cast<uint64_t>(n));
    for (int64_t b = 0; b < n; b += setup.batch) {
        const std::vector<int64_t> batchIds(ids.begin() + b, ids.begin() + std::min(n, b + setup.batch));
        const BenchmarkBatch x = data.load(batchIds);
        size = x.images.size(2);
        const std::vector<ZeroShotPrediction> y = predict(x, batchIds);
        if (y.size() != batchIds.size())
            throw std::runtime_error("predictor: " + std::to_string(y.size()) + " predictions for " +
                                     std::to_string(batchIds.size()) + " samples");
        for (size_t k = 0; k < batchIds.size(); ++k) {
            const auto kk = static_cast<int64_t>(k);
            if (withLandmarks) {
                if (!y[k].landmarks.defined())
                    throw std::runtime_error("predictor: no landmarks for sample " + std::to_string(batchIds[k]));
                const torch::Tensor ours = y[k].landmarks.to(torch::kCPU);
                if (ours.dim() != 2 || ours.size(0) <= ourIndex.max().item<int64_t>())
                    throw std::runtime_error("predictor: landmarks of sample " + std::to_string(batchIds[k]) +
                                             " are not our 68 x 2");
                pred.push_back(cropToImage(ours.index_select(0, ourIndex), x.crops[k]));
                gt.push_back(cropToImage(x.landmarks[kk], x.crops[k]));
            }
            if (withClasses) {
                if (!y[k].segmentation.defined() || y[k].segmentation.dim() != 2 || y[k].segmentation.size(0) != size ||
                    y[k].segmentation.size(1) != size)
                    throw std::runtime_error("predictor: segmentation of sample " + std::to_string(batchIds[k]) +
                                             " is not " + std::to_string(size) + " x " + std::to_string(size));
                // Our ids (< 256) through the remap; the benchmark's unmapped classes are ignored in the truth.
                const torch::Tensor ourIds = y[k].segmentation.to(torch::kCPU, torch::kInt64).clamp(0, 255);
                const torch::Tensor p = lut.index({ourIds}).contiguous();
                torch::Tensor g = x.segmentation[kk].clamp(0, 255);
                g = torch::where(ignore.index({g}), torch::full_like(g, 255), g).to(torch::kUInt8).contiguous();
                const int s = static_cast<int>(size);
                cm.add(cv::Mat(s, s, CV_8UC1, p.data_ptr<uint8_t>()), cv::Mat(s, s, CV_8UC1, g.data_ptr<uint8_t>()));
            }
        }
        tracker.advance(batchIds.size());
    }
    tracker.finish();

    EvalResult r;
    r.stage = "I";
    r.zeroShot = true;
    r.datasetFormat = setup.format;
    r.size = size;
    r.firstSample = ids.front();
    r.samples = n;
    r.failureThreshold = setup.failureThreshold;
    ZeroShotReport& z = r.zeroShotReport;
    z.landmarks = lmap;
    z.classes = cmap;
    z.framing = setup.framing;
    std::vector<std::string> subsetOf;
    for (int64_t id : ids) subsetOf.push_back(data.subsetOf(id));
    if (withLandmarks) {
        r.numLandmarks = data.numLandmarks();
        const eval::NmeOptions options = eval::ibug68Nme();
        r.nmeNormalizer = "outer_eye_corners_36_45";
        const eval::NmeSummary nme = eval::nmeSummary(pred, gt, options);
        r.nmePerImage = nme.perImage;
        r.nmeMean = nme.mean;
        r.failureRate = eval::failureRate(nme.perImage, r.failureThreshold);
        r.auc = eval::cedAuc(nme.perImage, r.failureThreshold);
        r.nmeSubsets = subsetScores(subsetOf, nme.perImage, r.failureThreshold);
        const int first = lmap.agreeingFirst, last = lmap.agreeingLast;
        if (last >= first) {
            // The same normaliser on the agreeing rows: the eye corners must be among them.
            if (first > options.leftIndex || last < options.rightIndex || last >= r.numLandmarks)
                throw std::invalid_argument("landmark mapping: agreeing points must include 36 and 45");
            const eval::NmeOptions sub{options.leftIndex - first, options.rightIndex - first, options.normalizer};
            std::vector<eval::Landmarks2d> ps, gs;
            for (size_t i = 0; i < pred.size(); ++i) {
                ps.push_back(pred[i].middleRows(first, last - first + 1));
                gs.push_back(gt[i].middleRows(first, last - first + 1));
            }
            const eval::NmeSummary a = eval::nmeSummary(ps, gs, sub);
            z.agreeingNmePerImage = a.perImage;
            z.agreeingNmeMean = a.mean;
            z.agreeingFailureRate = eval::failureRate(a.perImage, r.failureThreshold);
            z.agreeingAuc = eval::cedAuc(a.perImage, r.failureThreshold);
            z.agreeingSubsets = subsetScores(subsetOf, a.perImage, r.failureThreshold);
        }
    } else {
        r.numLandmarks = 0;
        r.nmeNormalizer = "none";
        r.nmeMean = r.failureRate = r.auc = NAN;
    }
    if (withClasses) {
        putClassScores(r, cm, benchmarkClassTable(setup.format));
    } else {
        r.meanF1 = r.meanIoU = NAN;
    }
    r.depthL1 = NAN;  // no benchmark has depth
    r.facePixels = 0;
    return r;
}

EvalResult evaluateZeroShotRun(const EvalConfig& c, const std::string& format, jobs::ProgressSink* progress) {
    validateEvalConfig(c);
    if (format != "300w" && format != "lapa" && format != "celebamask-hq")
        throw std::invalid_argument("format: '" + format + "' is not a benchmark (300w, lapa or celebamask-hq)");
    const fs::path run(c.model);
    const fs::path weights = runWeightsFile(run.string(), c.weights, "the run has not finished training");
    if (!fs::is_directory(c.data)) throw std::runtime_error(c.data + ": no such dataset directory");
    if (c.threads > 0) torch::set_num_threads(c.threads);

    const StageOneRunFacts facts = stageOneRunFacts(run.string());
    const int64_t size = c.size > 0 ? c.size : facts.size;
    std::unique_ptr<BenchmarkDataset> data;
    try {
        // The margin is unused: setFraming replaces the margin rule below.
        data = std::make_unique<BenchmarkDataset>(c.data, format, size, 0.0, facts.valFraction);
    } catch (const std::exception& e) {
        throw std::runtime_error(c.data + ": not a " + format + " dataset (" + e.what() + ")");
    }
    MultiTaskNet net = loadMultiTaskNet(weights.string());

    ZeroShotSetup setup;
    setup.format = format;
    setup.batch = c.batch;
    setup.landmarks = zeroShotLandmarkMapping(format);
    setup.classes = zeroShotClassMapping(format, net->options.numClasses());
    if (net->options.numLandmarks() != 68) {
        setup.landmarks.scored = false;
        setup.landmarks.note = "Not scored: the Stage I net has " + std::to_string(net->options.numLandmarks()) +
                               " landmarks, not our 68.";
    }
    setup.framing = measureFraming(facts.data, framingBoxOf(format), size);
    data->setFraming({setup.framing.faceFraction, setup.framing.offsetX, setup.framing.offsetY});

    // The run never saw the benchmark: by default score its test samples
    // (the figures papers report), or all of it when it has no test split.
    std::string split = c.split;
    if (split == "auto") split = data->testIds().empty() ? "all" : "test";
    std::vector<int64_t> ids;
    if (split == "test") {
        ids = data->testIds();
    } else {
        if (split != "val") ids = data->trainIds();
        if (split != "train") ids.insert(ids.end(), data->valIds().begin(), data->valIds().end());
        if (split == "all") ids.insert(ids.end(), data->testIds().begin(), data->testIds().end());
    }
    std::sort(ids.begin(), ids.end());
    if (ids.empty())
        throw std::runtime_error(c.data + ": the '" + split + "' split holds no sample (" + data->splitRule() + ")");

    const torch::Device device = pickDevice(c.device);
    net->to(device);
    EvalResult r = scoreZeroShot(*data, ids, setup, stageOnePredictor(net, device), progress);
    r.weights = weights.string();
    r.data = c.data;
    r.preset = net->options.presetName();
    r.split = split;
    r.splitRule = data->splitRule();
    return r;
}

}  // namespace synthforge::train
