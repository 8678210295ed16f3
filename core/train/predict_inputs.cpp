// Torch-free parts of predict (core/train/predictor.h): options, the input
// list, output names, image checks and the run's config.json.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "core/io/file_util.h"
#include "core/train/run_weights.h"
#include "core/train/predictor.h"

namespace synthforge::train {

namespace fs = std::filesystem;

int64_t PredictResult::succeeded() const {
    return std::count_if(images.begin(), images.end(), [](const ImagePrediction& p) { return p.ok; });
}

void validatePredictConfig(const PredictConfig& c) {
    if (c.model.empty()) throw std::invalid_argument("model: required");
    if (c.images.empty()) throw std::invalid_argument("images: at least one file or folder");
    if (c.out.empty()) throw std::invalid_argument("out: required");
    if (c.size != 0 && (c.size < 64 || c.size > 4096))
        throw std::invalid_argument("size: " + std::to_string(c.size) + " is not 0 or 64..4096");
    if (c.cascade < 0 || c.cascade > 100) throw std::invalid_argument("cascade: not in 0..100");
    if (!(c.tolerance >= 0 && c.tolerance < 1)) throw std::invalid_argument("cascade-tolerance: not in [0, 1)");
    if (c.batch < 1) throw std::invalid_argument("batch: must be at least 1");
    validateWeightsChoice(c.weights);
    if (c.device != "auto" && c.device != "cpu" && c.device != "cuda")
        throw std::invalid_argument("device: '" + c.device + "' is not auto, cpu or cuda");
    if (c.threads < 0) throw std::invalid_argument("threads: must be >= 0");
}

std::vector<std::string> listInputImages(const std::vector<std::string>& paths) {
    static const std::set<std::string> kExtensions = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff",
                                                      ".webp", ".ppm", ".pgm", ".pnm"};
    std::vector<std::string> out;
    for (const std::string& p : paths) {
        std::error_code ec;
        if (!fs::is_directory(p, ec)) {
            out.push_back(p);
            continue;
        }
        std::vector<std::string> found;
        for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
            std::error_code fileEc;
            if (it->is_regular_file(fileEc) && kExtensions.count(io::lowerExtension(it->path().string())))
                found.push_back(it->path().string());
        }
        if (ec) throw std::runtime_error(p + ": cannot list the folder (" + ec.message() + ")");
        std::sort(found.begin(), found.end());
        out.insert(out.end(), found.begin(), found.end());
    }
    return out;
}

std::vector<std::string> uniqueOutputStems(const std::vector<std::string>& inputs) {
    std::vector<std::string> stems;
    std::set<std::string> taken;
    for (const std::string& in : inputs) {
        std::string base = fs::path(in).stem().string();
        if (base.empty() || base == "." || base == "..") base = "image";
        std::string stem = base;
        for (int k = 2; !taken.insert(stem).second; ++k) stem = base + "_" + std::to_string(k);
        stems.push_back(stem);
    }
    return stems;
}

std::string imageProblem(const cv::Mat& bgr) {
    if (bgr.cols < kMinPredictImageSide || bgr.rows < kMinPredictImageSide)
        return "too small: " + std::to_string(bgr.cols) + "x" + std::to_string(bgr.rows) + " pixels (at least " +
               std::to_string(kMinPredictImageSide) + " on each side)";
    std::vector<cv::Mat> planes;
    cv::split(bgr, planes);
    std::string value;
    for (const cv::Mat& p : planes) {
        double lo = 0, hi = 0;
        cv::minMaxLoc(p, &lo, &hi);
        if (lo != hi) return "";
        value += (value.empty() ? "" : ", ") + std::to_string(static_cast<int>(lo));
    }
    return "uniform image (every pixel is BGR " + value + "): there is no face to predict";
}

PredictRunFacts readPredictRunFacts(const std::string& runDir) {
    PredictRunFacts f;
    const fs::path path = fs::path(runDir) / "config.json";
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return f;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(io::readFileText(path.string(), 16u << 20));
    } catch (const std::exception& e) {
        throw std::runtime_error(path.string() + ": not valid JSON (" + e.what() + ")");
    }
    if (!j.is_object()) throw std::runtime_error(path.string() + ": not a JSON object");
    auto field = [&](const char* key, auto& out, bool required) {
        if (!j.contains(key)) {
            if (required) throw std::runtime_error(path.string() + ": " + key + ": missing");
            return;
        }
        try {
            out = j.at(key).get<std::decay_t<decltype(out)>>();
        } catch (const std::exception& e) {
            throw std::runtime_error(path.string() + ": " + key + ": " + e.what());
        }
    };
    std::string stage = "I";
    field("stage", stage, false);
    if (stage != "I" && stage != "II") throw std::runtime_error(path.string() + ": stage: '" + stage + "' is not I or II");
    f.stageTwo = stage == "II";
    field("size", f.size, f.stageTwo);
    field("data", f.data, f.stageTwo);
    field("val_fraction", f.valFraction, f.stageTwo);
    if (f.stageTwo) {
        field("dataset_format", f.format, true);
        field("margin", f.margin, true);
        if (f.format != "300w" && f.format != "lapa" && f.format != "celebamask-hq")
            throw std::runtime_error(path.string() + ": dataset_format: '" + f.format + "' is not 300w, lapa or celebamask-hq");
        if (!(f.margin >= 0 && f.margin <= 4)) throw std::runtime_error(path.string() + ": margin: not in [0, 4]");
    }
    if (f.size < 64 || f.size > 4096) throw std::runtime_error(path.string() + ": size: not in 64..4096");
    if (!(f.valFraction >= 0 && f.valFraction < 1))
        throw std::runtime_error(path.string() + ": val_fraction: not in [0, 1)");
    return f;
}

}  // namespace synthforge::train
