// Torch-free parts of evaluation (core/train/evaluator.h): the dataset's
// class table, and the JSON and text reports, so the CLI formats results
// without LibTorch.

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/dataset/dataset_manifest.h"
#include "core/io/file_util.h"
#include "core/train/evaluator.h"

namespace synthforge::train {

namespace {

/// NaN (a class absent from both maps) becomes null rather than an invalid number.
nlohmann::ordered_json number(double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(); }

std::string fixed(double v, int decimals) {
    if (!std::isfinite(v)) return "-";
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

}  // namespace

annotate::ClassTable loadDatasetClassTable(const std::string& datasetRoot) {
    const dataset::DatasetManifest m = dataset::readDatasetManifest(datasetRoot);
    if (!m.classes)
        throw std::runtime_error(dataset::manifestPath(datasetRoot) + ": classes: missing (the dataset has no segmentation)");
    return *m.classes;
}

bool isStageTwoRun(const std::string& runDir) {
    const std::string path = (std::filesystem::path(runDir) / "config.json").string();
    if (!std::filesystem::is_regular_file(path)) return false;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(io::readFileText(path));
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": not valid JSON (" + e.what() + ")");
    }
    if (!j.is_object() || !j.contains("stage")) return false;
    if (!j["stage"].is_string()) throw std::runtime_error(path + ": stage: not a string");
    const std::string stage = j["stage"].get<std::string>();
    if (stage != "I" && stage != "II") throw std::runtime_error(path + ": stage: '" + stage + "' is not I or II");
    return stage == "II";
}

std::string evalResultToJson(const EvalResult& r) {
    nlohmann::ordered_json j;
    j["format"] = "synthforge-eval";
    j["version"] = 1;
    j["weights"] = r.weights;
    j["data"] = r.data;
    j["preset"] = r.preset;
    j["stage"] = r.stage;
    if (!r.datasetFormat.empty()) j["dataset_format"] = r.datasetFormat;
    j["size"] = r.size;
    j["split"] = r.split;
    if (!r.splitRule.empty()) j["split_rule"] = r.splitRule;
    j["first_sample"] = r.firstSample;
    j["samples"] = r.samples;
    j["num_landmarks"] = r.numLandmarks;
    j["nme_normalizer"] = r.nmeNormalizer;
    j["nme_mean"] = number(r.nmeMean);
    j["failure_threshold"] = r.failureThreshold;
    j["failure_rate"] = number(r.failureRate);
    j["auc"] = number(r.auc);
    if (!r.nmeSubsets.empty()) {
        nlohmann::ordered_json subsets = nlohmann::ordered_json::array();
        for (const auto& sub : r.nmeSubsets)
            subsets.push_back(nlohmann::ordered_json{{"name", sub.name}, {"samples", sub.samples},
                                                     {"nme_mean", number(sub.nmeMean)},
                                                     {"failure_rate", number(sub.failureRate)},
                                                     {"auc", number(sub.auc)}});
        j["nme_subsets"] = subsets;
    }
    nlohmann::ordered_json per = nlohmann::ordered_json::array();
    for (double v : r.nmePerImage) per.push_back(number(v));
    j["nme_per_image"] = per;
    nlohmann::ordered_json classes = nlohmann::ordered_json::array();
    for (const auto& c : r.classes)
        classes.push_back(nlohmann::ordered_json{{"id", c.id}, {"name", c.name}, {"f1", number(c.f1)},
                                                 {"iou", number(c.iou)}, {"precision", number(c.precision)},
                                                 {"recall", number(c.recall)}, {"gt_pixels", c.gtPixels},
                                                 {"pred_pixels", c.predPixels}});
    j["classes"] = classes;
    j["mean_foreground"] = {{"f1", number(r.meanF1)}, {"iou", number(r.meanIoU)},
                            {"classes_counted", r.foregroundCounted}};
    j["depth_l1_face"] = number(r.depthL1);
    j["face_pixels"] = r.facePixels;
    return j.dump(2) + "\n";
}

std::string evalResultTable(const EvalResult& r) {
    std::ostringstream s;
    s << "weights  " << r.weights << "\ndata     " << r.data << " (" << r.split << " split: " << r.samples
      << " samples from #" << r.firstSample << ", at " << r.size
      << "x" << r.size << ", preset " << r.preset;
    if (r.stage == "II") s << ", Stage II " << r.datasetFormat << " heads";
    s << ")\n\n";
    if (r.numLandmarks == 0)
        s << "landmarks  - (no landmark head)\n";
    else
        s << "landmarks  NME " << fixed(r.nmeMean, 4) << "  failure@" << fixed(r.failureThreshold, 2) << " "
          << fixed(r.failureRate, 4) << "  AUC@" << fixed(r.failureThreshold, 2) << " " << fixed(r.auc, 4) << "  ("
          << r.numLandmarks << " points, " << r.nmeNormalizer << ")\n";
    for (const auto& sub : r.nmeSubsets)
        s << "  " << sub.name << std::string(sub.name.size() < 12 ? 12 - sub.name.size() : 1, ' ') << "NME "
          << fixed(sub.nmeMean, 4) << "  failure " << fixed(sub.failureRate, 4) << "  AUC " << fixed(sub.auc, 4)
          << "  (" << sub.samples << " images)\n";
    if (r.stage == "II")
        s << "depth      - (the benchmark has no depth)\n\n";
    else
        s << "depth      L1 on the face " << fixed(r.depthL1, 5) << " (" << r.facePixels << " pixels)\n\n";
    if (r.classes.empty()) {
        s << "segmentation  - (no segmentation head)\n";
        return s.str();
    }
    char line[160];
    std::snprintf(line, sizeof line, "%4s  %-16s %8s %8s %12s %12s\n", "id", "class", "F1", "IoU", "gt px", "pred px");
    s << line;
    for (const auto& c : r.classes) {
        std::snprintf(line, sizeof line, "%4d  %-16s %8s %8s %12llu %12llu\n", c.id, c.name.c_str(),
                      fixed(c.f1, 4).c_str(), fixed(c.iou, 4).c_str(), static_cast<unsigned long long>(c.gtPixels),
                      static_cast<unsigned long long>(c.predPixels));
        s << line;
    }
    std::snprintf(line, sizeof line, "%4s  %-16s %8s %8s   (%d classes present)\n", "", "mean foreground",
                  fixed(r.meanF1, 4).c_str(), fixed(r.meanIoU, 4).c_str(), r.foregroundCounted);
    s << line;
    return s.str();
}

void validateEvalConfig(const EvalConfig& c) {
    if (c.model.empty()) throw std::invalid_argument("model: required");
    if (c.data.empty()) throw std::invalid_argument("data: required");
    if (c.batch < 1) throw std::invalid_argument("batch: must be at least 1");
    if (c.size != 0 && c.size < 64) throw std::invalid_argument("size: must be at least 64 (or 0 for the run's)");
    if (c.device != "auto" && c.device != "cpu" && c.device != "cuda")
        throw std::invalid_argument("device: auto, cpu or cuda");
    if (c.split != "auto" && c.split != "all" && c.split != "train" && c.split != "val" && c.split != "test")
        throw std::invalid_argument("split: auto, all, train, val or test");
}

bool sameFolder(const std::string& a, const std::string& b) {
    std::error_code ec;
    const bool same = std::filesystem::equivalent(a, b, ec);
    return !ec && same;
}

}  // namespace synthforge::train
