// `synthforge predict` (core/train/predictor.h): frames each image (face box,
// cascade or centred crop), runs the network in batches, maps its outputs
// back onto the image and writes the files of prediction_files.h plus
// OUT/predictions.json. Images are processed `batch` at a time, so memory
// holds one batch of images and their outputs whatever the input count.

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "core/dataset/dataset_manifest.h"
#include "core/dataset/image_files.h"
#include "core/io/file_util.h"
#include "core/train/crop_warp.h"
#include "core/train/face_boxes.h"
#include "core/train/landmark_cascade.h"
#include "core/train/landmark_template.h"
#include "core/train/prediction_files.h"
#include "core/train/predictor.h"
#include "core/train/torch_predict_model.h"
#include "core/train/torch_run_directory.h"

namespace synthforge::train {

namespace {

namespace fs = std::filesystem;

Points2d toPoints(const torch::Tensor& lm) {
    const torch::Tensor v = lm.to(torch::kFloat64).contiguous();
    const auto a = v.accessor<double, 2>();
    Points2d p(v.size(0), 2);
    for (int64_t i = 0; i < v.size(0); ++i) p.row(i) << a[i][0], a[i][1];
    return p;
}

/// One image of the current batch.
struct Item {
    std::size_t index = 0;  ///< into PredictResult::images
    cv::Mat bgr;
    Similarity2d initial;
    bool cascade = false;
    // The outputs of the latest crop predicted for this item.
    torch::Tensor landmarks, segmentation, depth;
};

/// Where the landmark template comes from: the run's file, else the
/// training data (written back to the run when possible).
/// `forCascade`: needed by the cascade (else only to place face boxes),
/// which decides the advice an error gives.
LandmarkTemplate obtainTemplate(const std::string& run, const PredictRunFacts& facts, int64_t size, bool forCascade,
                                std::vector<std::string>& notes, std::string& source) {
    const std::string path = landmarkTemplatePath(run);
    std::error_code ec;
    if (fs::exists(path, ec)) {
        source = path;
        return readLandmarkTemplate(run);
    }
    const std::string advice =
        forCascade ? "; the cascade needs it: pass --boxes FILE with a box for every image, or --cascade 0 for the centred crop"
                   : "; a Stage I run needs it to place --boxes in its training framing: predict without --boxes "
                     "(--cascade 0 for the centred crop)";
    LandmarkTemplate t;
    if (!facts.stageTwo) {
        if (facts.data.empty() || !dataset::hasDatasetManifest(facts.data))
            throw std::runtime_error(path + ": missing, and the training data '" + facts.data +
                                     "' (config.json data) is not there to compute it from" + advice);
        t = computeLandmarkTemplate(facts.data);
    } else {
        if (facts.data.empty() || !fs::is_directory(facts.data, ec))
            throw std::runtime_error(path + ": missing, and the benchmark '" + facts.data +
                                     "' (config.json data) is not there to compute it from" + advice);
        try {
            t = computeBenchmarkLandmarkTemplate(facts.data, facts.format, size, facts.margin, facts.valFraction);
        } catch (const std::exception& e) {
            throw std::runtime_error(path + ": missing, and computing it from " + facts.data + " failed (" + e.what() +
                                     ")" + advice);
        }
    }
    source = "computed from " + facts.data;
    try {
        writeLandmarkTemplate(run, t);
        notes.push_back("landmark template computed from " + facts.data + " and saved as " + path);
    } catch (const std::exception& e) {
        notes.push_back("landmark template computed from " + facts.data + " (not saved: " + e.what() + ")");
    }
    return t;
}

}  // namespace

PredictResult predictImages(const PredictConfig& c, jobs::ProgressSink* progress) {
    validatePredictConfig(c);
    const PredictRunFacts facts = readPredictRunFacts(c.model);
    const int size = static_cast<int>(c.size > 0 ? c.size : facts.size);
    if (c.threads > 0) torch::set_num_threads(c.threads);
    const torch::Device device = pickDevice(c.device);
    PredictModel model = PredictModel::load(c.model, c.weights, facts, device);

    PredictResult r;
    r.model = c.model;
    r.weights = model.weights();
    r.stage = facts.stageTwo ? "II" : "I";
    r.datasetFormat = facts.format;
    r.size = size;
    r.numLandmarks = model.numLandmarks();
    r.numClasses = model.numClasses();
    r.device = device.is_cuda() ? "cuda" : "cpu";
    r.tolerance = c.tolerance;
    r.boxes = c.boxes;
    if (!model.classNote().empty()) r.notes.push_back(model.classNote());

    const std::map<std::string, FaceBox> boxes = c.boxes.empty() ? std::map<std::string, FaceBox>{} : readFaceBoxes(c.boxes);
    const std::vector<std::string> inputs = listInputImages(c.images);
    if (inputs.empty()) throw std::runtime_error("no image files in the given --images paths");
    const std::vector<std::string> stems = uniqueOutputStems(inputs);

    // Which framings are needed decides whether a template is.
    std::map<std::string, int> nameCount;
    for (const std::string& in : inputs) ++nameCount[fs::path(in).filename().string()];
    bool anyBox = false, anyUnboxed = false;
    for (const std::string& in : inputs) (boxes.count(fs::path(in).filename().string()) ? anyBox : anyUnboxed) = true;
    const bool canCascade = model.numLandmarks() > 0;
    const bool cascade = c.cascade > 0 && canCascade && anyUnboxed;
    if (c.cascade > 0 && !canCascade)
        r.notes.push_back("the model predicts no landmarks, so it cannot cascade: images without a --boxes entry "
                          "use the centred crop");
    r.cascade = cascade ? c.cascade : 0;
    std::optional<LandmarkTemplate> tmpl;
    if (cascade || (anyBox && !facts.stageTwo)) {
        tmpl = obtainTemplate(c.model, facts, size, cascade, r.notes, r.templateSource);
        if (cascade && tmpl->points.rows() != model.numLandmarks())
            throw std::runtime_error(landmarkTemplatePath(c.model) + ": " + std::to_string(tmpl->points.rows()) +
                                     " landmarks, but the model predicts " + std::to_string(model.numLandmarks()));
    }
    // Stage II crops are the landmark box grown by the margin; Stage I's
    // framing is wherever its training faces sat: the template's box.
    BoxFraming framing;
    if (anyBox) framing = facts.stageTwo ? marginBoxFraming(facts.margin) : templateBoxFraming(tmpl->points);

    std::error_code ec;
    fs::create_directories(c.out, ec);
    if (!fs::is_directory(c.out, ec)) throw std::runtime_error(c.out + ": cannot create the output folder");

    const EnlargeFilter enlarge = facts.stageTwo ? EnlargeFilter::Linear : EnlargeFilter::Area;
    r.images.resize(inputs.size());
    jobs::ProgressTracker tracker(progress, "predict", inputs.size());
    for (std::size_t begin = 0; begin < inputs.size(); begin += static_cast<std::size_t>(c.batch)) {
        const std::size_t end = std::min(inputs.size(), begin + static_cast<std::size_t>(c.batch));
        std::vector<Item> items;
        for (std::size_t i = begin; i < end; ++i) {
            ImagePrediction& p = r.images[i];
            p.input = inputs[i];
            p.name = stems[i];
            const std::string file = fs::path(inputs[i]).filename().string();
            try {
                if (!fs::exists(inputs[i], ec)) throw std::runtime_error("no such file");
                Item item;
                item.index = i;
                item.bgr = dataset::readBgrImage(inputs[i]);
                p.width = item.bgr.cols;
                p.height = item.bgr.rows;
                const std::string problem = imageProblem(item.bgr);
                if (!problem.empty()) throw std::runtime_error(problem);
                const auto box = boxes.find(file);
                if (box != boxes.end()) {
                    if (nameCount[file] > 1)
                        throw std::runtime_error("the box file names '" + file + "', which " +
                                                 std::to_string(nameCount[file]) + " inputs share");
                    const FaceBox& b = box->second;
                    if (b.x >= item.bgr.cols || b.y >= item.bgr.rows || b.x + b.w <= 0 || b.y + b.h <= 0)
                        throw std::runtime_error("its face box lies outside the image");
                    item.initial = boxCrop(b.x, b.y, b.w, b.h, framing, size);
                    p.framing = "box";
                } else {
                    item.initial = centredCrop(item.bgr.cols, item.bgr.rows, size);
                    item.cascade = cascade;
                    p.framing = cascade ? "cascade" : "centred";
                }
                items.push_back(std::move(item));
            } catch (const std::exception& e) {
                p.error = e.what();
                // Unreadable files already name themselves; say which input the rest is about.
                if (p.error.rfind(inputs[i], 0) != 0) p.error = inputs[i] + ": " + p.error;
            }
        }

        // Every crop asked for is predicted in one forward; the item keeps
        // the outputs of its latest crop.
        const CropPredictor predict = [&](const std::vector<CropRequest>& requests) {
            std::vector<cv::Mat> crops;
            for (const CropRequest& q : requests) crops.push_back(warpToCrop(items[q.item].bgr, q.crop, size, enlarge));
            const PredictOutput y = model.forward(bgrToInput(crops, size));
            std::vector<Points2d> lm;
            for (std::size_t k = 0; k < requests.size(); ++k) {
                Item& it = items[requests[k].item];
                const auto kk = static_cast<int64_t>(k);
                it.landmarks = y.landmarks.defined() ? y.landmarks[kk] : torch::Tensor();
                it.segmentation = y.segmentation.defined() ? y.segmentation[kk] : torch::Tensor();
                it.depth = y.depth.defined() ? y.depth[kk][0] : torch::Tensor();
                lm.push_back(it.landmarks.defined() ? toPoints(it.landmarks) : Points2d(0, 2));
            }
            return lm;
        };
        std::vector<Similarity2d> finalCrop(items.size());
        std::vector<std::size_t> cascading, single;
        for (std::size_t k = 0; k < items.size(); ++k) (items[k].cascade ? cascading : single).push_back(k);
        if (!single.empty()) {
            std::vector<CropRequest> requests;
            for (std::size_t k : single) requests.push_back({k, items[k].initial});
            predict(requests);
            for (std::size_t k : single) finalCrop[k] = items[k].initial;
        }
        if (!cascading.empty()) {
            std::vector<Similarity2d> initial;
            for (std::size_t k : cascading) initial.push_back(items[k].initial);
            CascadeOptions o;
            o.maxIterations = c.cascade;
            o.tolerance = c.tolerance;
            // The cascade numbers its own items 0..n-1; map them to the batch's.
            const std::vector<CascadeTrace> traces =
                runLandmarkCascade(initial, tmpl->points, size, o, [&](const std::vector<CropRequest>& q) {
                    std::vector<CropRequest> mapped = q;
                    for (CropRequest& m : mapped) m.item = cascading[m.item];
                    return predict(mapped);
                });
            for (std::size_t j = 0; j < cascading.size(); ++j) {
                ImagePrediction& p = r.images[items[cascading[j]].index];
                finalCrop[cascading[j]] = traces[j].crop;
                p.iterations = traces[j].iterations;
                p.converged = traces[j].converged;
                p.motion = traces[j].motion;
            }
        }

        for (std::size_t k = 0; k < items.size(); ++k) {
            Item& it = items[k];
            ImagePrediction& p = r.images[it.index];
            try {
                const cv::Size imageSize(it.bgr.cols, it.bgr.rows);
                const Similarity2d crop = finalCrop[k];
                ImageMaps maps;
                if (it.landmarks.defined())
                    maps.landmarks = crop.inverse().apply(normalisedToCropPixels(toPoints(it.landmarks), size));
                if (it.segmentation.defined()) {
                    std::vector<cv::Mat> scores;
                    const torch::Tensor s = it.segmentation.to(torch::kFloat32).contiguous();
                    for (int64_t ch = 0; ch < s.size(0); ++ch)
                        scores.push_back(cv::Mat(size, size, CV_32FC1, s[ch].data_ptr<float>()).clone());
                    maps.classIds = classIdsInImage(scores, crop, imageSize, 255);
                }
                if (it.depth.defined()) {
                    const torch::Tensor d = it.depth.to(torch::kFloat32).contiguous();
                    const cv::Mat depthCrop(size, size, CV_32FC1, d.data_ptr<float>());
                    maps.depth = warpFromCrop(depthCrop, crop, imageSize, false, 0.0);
                    maps.depth.setTo(0.0f, cropCoverage(crop, size, imageSize) == 0);
                    // The dataset convention: 0 wherever there is no face.
                    if (!maps.classIds.empty()) maps.depth.setTo(0.0f, maps.classIds == 0);
                }
                p.crop = crop;
                p.outputs = writePredictionFiles(c.out, p.name, p.input, it.bgr, maps, model.classes(), crop, size);
                p.ok = true;
            } catch (const std::exception& e) {
                p.error = p.input + ": " + e.what();
            }
        }
        tracker.advance(end - begin);
    }
    tracker.finish();
    io::writeFileAtomic((fs::path(c.out) / "predictions.json").string(), predictionsJson(r));
    return r;
}

}  // namespace synthforge::train
