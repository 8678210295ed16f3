// Torch-free parts of evaluation (core/train/evaluator.h): the dataset's
// class table, and the JSON and text reports, so the CLI formats results
// without LibTorch.

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/dataset/dataset_manifest.h"
#include "core/eval/landmark_metrics.h"
#include "core/eval/segmentation_metrics.h"
#include "core/io/file_util.h"
#include "core/train/evaluator.h"
#include "core/train/run_weights.h"

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

nlohmann::ordered_json subsetsJson(const std::vector<SubsetNme>& subsets) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& sub : subsets)
        out.push_back(nlohmann::ordered_json{{"name", sub.name}, {"samples", sub.samples},
                                             {"nme_mean", number(sub.nmeMean)},
                                             {"failure_rate", number(sub.failureRate)}, {"auc", number(sub.auc)}});
    return out;
}

void subsetLines(std::ostringstream& s, const std::vector<SubsetNme>& subsets) {
    for (const auto& sub : subsets)
        s << "  " << sub.name << std::string(sub.name.size() < 12 ? 12 - sub.name.size() : 1, ' ') << "NME "
          << fixed(sub.nmeMean, 4) << "  failure " << fixed(sub.failureRate, 4) << "  AUC " << fixed(sub.auc, 4)
          << "  (" << sub.samples << " images)\n";
}

/// The zero-shot additions to eval.json.
void zeroShotJson(nlohmann::ordered_json& j, const EvalResult& r) {
    const ZeroShotReport& z = r.zeroShotReport;
    j["zero_shot"] = true;
    j["framing"] = {{"box", z.framing.box},
                    {"source", z.framing.source},
                    {"training_data", z.framing.trainingData},
                    {"samples_measured", z.framing.samplesMeasured},
                    {"face_fraction", z.framing.faceFraction},
                    {"centre_offset", {z.framing.offsetX, z.framing.offsetY}}};
    const LandmarkMapping& lm = z.landmarks;
    nlohmann::ordered_json l;
    l["scored"] = lm.scored;
    l["from"] = lm.from;
    l["to"] = lm.to.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(lm.to);
    if (lm.scored) {
        bool identity = true;
        for (size_t k = 0; k < lm.ourIndex.size(); ++k) identity = identity && lm.ourIndex[k] == static_cast<int>(k);
        l["indices"] = identity ? nlohmann::ordered_json("identity") : nlohmann::ordered_json(lm.ourIndex);
    }
    l["note"] = lm.note;
    nlohmann::ordered_json groups = nlohmann::ordered_json::array();
    for (const auto& g : lm.groups)
        groups.push_back({{"name", g.name}, {"points", {g.first, g.last}}, {"agrees", g.agrees}, {"note", g.note}});
    l["groups"] = groups;
    j["landmark_mapping"] = l;
    if (!z.agreeingNmePerImage.empty()) {
        nlohmann::ordered_json a;
        a["label"] = lm.agreeingLabel;
        a["points"] = {lm.agreeingFirst, lm.agreeingLast};
        a["count"] = lm.agreeingLast - lm.agreeingFirst + 1;
        a["nme_mean"] = number(z.agreeingNmeMean);
        a["failure_rate"] = number(z.agreeingFailureRate);
        a["auc"] = number(z.agreeingAuc);
        if (!z.agreeingSubsets.empty()) a["nme_subsets"] = subsetsJson(z.agreeingSubsets);
        nlohmann::ordered_json per = nlohmann::ordered_json::array();
        for (double v : z.agreeingNmePerImage) per.push_back(number(v));
        a["nme_per_image"] = per;
        j["nme_without_contour"] = a;
    } else {
        j["nme_without_contour"] = nullptr;
    }
    const ClassMapping& cm = z.classes;
    nlohmann::ordered_json c;
    c["scored"] = cm.scored;
    c["from"] = cm.from;
    c["to"] = cm.to.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(cm.to);
    c["note"] = cm.note;
    nlohmann::ordered_json map = nlohmann::ordered_json::array();
    for (const auto& e : cm.entries) {
        nlohmann::ordered_json row{{"ours", e.ours}, {"ours_name", e.oursName}, {"to", e.target},
                                   {"to_name", e.targetName}};
        if (!e.note.empty()) row["note"] = e.note;
        map.push_back(row);
    }
    c["map"] = map;
    nlohmann::ordered_json unmapped = nlohmann::ordered_json::array();
    for (const auto& u : cm.unmapped) unmapped.push_back({{"id", u.id}, {"name", u.name}, {"reason", u.reason}});
    c["unmapped"] = unmapped;
    j["class_mapping"] = c;
}

}  // namespace

std::vector<SubsetNme> subsetScores(const std::vector<std::string>& subsetOf, const std::vector<double>& perImage,
                                    double threshold) {
    if (subsetOf.size() != perImage.size())
        throw std::invalid_argument("subsetScores: " + std::to_string(subsetOf.size()) + " subset names for " +
                                    std::to_string(perImage.size()) + " images");
    std::map<std::string, std::vector<double>> groups;
    for (size_t k = 0; k < subsetOf.size(); ++k) {
        const std::string& name = subsetOf[k];
        if (name.empty()) continue;
        groups[name].push_back(perImage[k]);
        if (name == "common" || name == "challenging") groups["full"].push_back(perImage[k]);
    }
    std::vector<SubsetNme> out;
    for (const char* name : {"common", "challenging", "full", "private"}) {
        const auto it = groups.find(name);
        if (it == groups.end()) continue;
        const std::vector<double>& v = it->second;
        SubsetNme sub;
        sub.name = name;
        sub.samples = static_cast<int64_t>(v.size());
        double sum = 0;
        for (double x : v) sum += x;
        sub.nmeMean = sum / static_cast<double>(v.size());
        sub.failureRate = eval::failureRate(v, threshold);
        sub.auc = eval::cedAuc(v, threshold);
        out.push_back(sub);
    }
    return out;
}

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
    if (!r.nmeSubsets.empty()) j["nme_subsets"] = subsetsJson(r.nmeSubsets);
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
    if (r.zeroShot) zeroShotJson(j, r);
    return j.dump(2) + "\n";
}

std::string evalResultTable(const EvalResult& r) {
    std::ostringstream s;
    s << "weights  " << r.weights << "\ndata     " << r.data << " (" << r.split << " split: " << r.samples
      << " samples from #" << r.firstSample << ", at " << r.size
      << "x" << r.size << ", preset " << r.preset;
    if (r.stage == "II") s << ", Stage II " << r.datasetFormat << " heads";
    if (r.zeroShot) s << ", Stage I zero-shot on " << r.datasetFormat;
    s << ")\n";
    if (r.zeroShot) {
        const ZeroShotFraming& f = r.zeroShotReport.framing;
        s << "framing  face " << r.zeroShotReport.framing.box << " box = " << fixed(f.faceFraction, 4)
          << " of the crop, centre offset (" << fixed(f.offsetX, 4) << ", " << fixed(f.offsetY, 4) << "), "
          << (f.source == "default" ? std::string("default constants")
                                    : "measured on " + std::to_string(f.samplesMeasured) + " samples of " +
                                          f.trainingData)
          << "\n";
    }
    s << "\n";
    if (r.numLandmarks == 0 && r.zeroShot)
        s << "landmarks  - (not scored: " << r.zeroShotReport.landmarks.note << ")\n";
    else if (r.numLandmarks == 0)
        s << "landmarks  - (no landmark head)\n";
    else
        s << "landmarks  NME " << fixed(r.nmeMean, 4) << "  failure@" << fixed(r.failureThreshold, 2) << " "
          << fixed(r.failureRate, 4) << "  AUC@" << fixed(r.failureThreshold, 2) << " " << fixed(r.auc, 4) << "  ("
          << r.numLandmarks << " points, " << r.nmeNormalizer << ")\n";
    subsetLines(s, r.nmeSubsets);
    if (r.zeroShot && !r.zeroShotReport.agreeingNmePerImage.empty()) {
        const ZeroShotReport& z = r.zeroShotReport;
        s << "without the jaw contour (points " << z.landmarks.agreeingFirst << "-" << z.landmarks.agreeingLast
          << ", extra, not the 300-W protocol)\n"
          << "  all         NME " << fixed(z.agreeingNmeMean, 4) << "  failure " << fixed(z.agreeingFailureRate, 4)
          << "  AUC " << fixed(z.agreeingAuc, 4) << "\n";
        subsetLines(s, z.agreeingSubsets);
    }
    if (r.stage == "II" || (r.zeroShot && !std::isfinite(r.depthL1)))
        s << "depth      - (the benchmark has no depth)\n\n";
    else
        s << "depth      L1 on the face " << fixed(r.depthL1, 5) << " (" << r.facePixels << " pixels)\n\n";
    if (r.classes.empty()) {
        if (r.zeroShot)
            s << "segmentation  - (not scored: " << r.zeroShotReport.classes.note << ")\n";
        else
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
    if (r.zeroShot)
        for (const auto& u : r.zeroShotReport.classes.unmapped)
            s << "unmapped  " << u.name << ": " << u.reason << "\n";
    return s.str();
}

void validateEvalConfig(const EvalConfig& c) {
    if (c.model.empty()) throw std::invalid_argument("model: required");
    if (c.data.empty()) throw std::invalid_argument("data: required");
    if (c.batch < 1) throw std::invalid_argument("batch: must be at least 1");
    validateWeightsChoice(c.weights);
    if (c.size != 0 && c.size < 64) throw std::invalid_argument("size: must be at least 64 (or 0 for the run's)");
    if (c.device != "auto" && c.device != "cpu" && c.device != "cuda")
        throw std::invalid_argument("device: auto, cpu or cuda");
    if (c.split != "auto" && c.split != "all" && c.split != "train" && c.split != "val" && c.split != "test")
        throw std::invalid_argument("split: auto, all, train, val or test");
    if (c.format != "auto" && c.format != "synthforge" && c.format != "300w" && c.format != "lapa" &&
        c.format != "celebamask-hq")
        throw std::invalid_argument(std::string("format: ") + evalFormats());
}

bool sameFolder(const std::string& a, const std::string& b) {
    std::error_code ec;
    const bool same = std::filesystem::equivalent(a, b, ec);
    return !ec && same;
}

void putClassScores(EvalResult& r, const eval::ConfusionMatrix& cm, const annotate::ClassTable* table) {
    for (int k = 0; k < cm.numClasses(); ++k) {
        const eval::ClassScores sc = cm.classScores(k);
        const annotate::ClassEntry* entry = table ? table->findById(k) : nullptr;
        r.classes.push_back({k, entry ? entry->name : "class_" + std::to_string(k), sc.precision, sc.recall, sc.f1,
                             sc.iou, sc.gtPixels, sc.predPixels});
    }
    const eval::MeanScores mean = cm.meanScores();
    r.meanF1 = mean.f1;
    r.meanIoU = mean.iou;
    r.foregroundCounted = mean.classesCounted;
}

}  // namespace synthforge::train
