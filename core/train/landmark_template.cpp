// The landmark template file and its computation (see landmark_template.h).

#include "core/train/landmark_template.h"

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/dataset/dataset_manifest.h"
#include "core/dataset/sample_paths.h"
#include "core/dataset/stored_sample.h"
#include "core/io/file_util.h"

namespace synthforge::train {

namespace fs = std::filesystem;

namespace {

/// A generous bound: training framings keep the face inside the crop.
constexpr double kMaxAbsCoordinate = 8.0;

void checkTemplate(const Points2d& p, const std::string& what) {
    if (p.rows() < 2 || p.rows() > kMaxTemplateLandmarks)
        throw std::invalid_argument(what + ": needs 2.." + std::to_string(kMaxTemplateLandmarks) + " points, has " +
                                    std::to_string(p.rows()));
    if (!p.allFinite() || p.cwiseAbs().maxCoeff() > kMaxAbsCoordinate)
        throw std::invalid_argument(what + ": a point is not finite or lies outside [-8, 8]");
}

}  // namespace

LandmarkTemplate meanLandmarkTemplate(const std::vector<Points2d>& samples, const std::string& source) {
    if (samples.empty()) throw std::invalid_argument("meanLandmarkTemplate: no samples");
    Points2d sum = Points2d::Zero(samples.front().rows(), 2);
    for (const Points2d& s : samples) {
        if (s.rows() != sum.rows())
            throw std::invalid_argument("meanLandmarkTemplate: samples have " + std::to_string(sum.rows()) + " and " +
                                        std::to_string(s.rows()) + " landmarks");
        sum += s;
    }
    LandmarkTemplate t;
    t.points = sum / static_cast<double>(samples.size());
    t.samples = static_cast<int64_t>(samples.size());
    t.source = source;
    return t;
}

LandmarkTemplate computeLandmarkTemplate(const std::string& datasetDir) {
    // Every sample has the manifest's size, so only annotations are read:
    // a 100k-sample dataset takes seconds, not the minutes decoding its images would.
    const dataset::DatasetManifest manifest = dataset::readDatasetManifest(datasetDir);
    const std::vector<std::string> names = dataset::listCompleteSamples(datasetDir);
    if (names.empty()) throw std::runtime_error(datasetDir + ": no complete sample to average landmarks over");
    const cv::Size size(manifest.width, manifest.height);
    std::vector<Points2d> normalised;
    normalised.reserve(names.size());
    for (const std::string& name : names) {
        const dataset::StoredSample s = dataset::readStoredAnnotation(datasetDir, name, size);
        if (!normalised.empty() && s.landmarks.rows() != normalised.front().rows())
            throw std::runtime_error(dataset::samplePaths(datasetDir, name).annotation + ": 2d_kps: " +
                                     std::to_string(s.landmarks.rows()) + " points, earlier samples have " +
                                     std::to_string(normalised.front().rows()));
        Points2d p = s.landmarks.cast<double>();
        // 2p/n - 1 per axis, as the trainer normalises (docs/training.md).
        p.col(0) = (p.col(0).array() * (2.0 / size.width) - 1.0).matrix();
        p.col(1) = (p.col(1).array() * (2.0 / size.height) - 1.0).matrix();
        normalised.push_back(std::move(p));
    }
    if (normalised.front().rows() < 2)
        throw std::runtime_error(datasetDir + ": the samples have fewer than two landmarks");
    return meanLandmarkTemplate(normalised, datasetDir);
}

std::string landmarkTemplatePath(const std::string& runDir) { return (fs::path(runDir) / kLandmarkTemplateFile).string(); }

void writeLandmarkTemplate(const std::string& runDir, const LandmarkTemplate& t) {
    checkTemplate(t.points, "writeLandmarkTemplate");
    if (t.samples < 0) throw std::invalid_argument("writeLandmarkTemplate: negative sample count");
    nlohmann::ordered_json j;
    j["format"] = kLandmarkTemplateFormat;
    j["version"] = kLandmarkTemplateVersion;
    j["convention"] = "normalised";
    j["num_landmarks"] = t.points.rows();
    j["samples"] = t.samples;
    j["source"] = t.source;
    nlohmann::json points = nlohmann::json::array();
    for (Eigen::Index i = 0; i < t.points.rows(); ++i) points.push_back({t.points(i, 0), t.points(i, 1)});
    j["points"] = std::move(points);
    io::writeFileAtomic(landmarkTemplatePath(runDir), j.dump(1) + "\n");
}

LandmarkTemplate parseLandmarkTemplate(const std::string& text, const std::string& path) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": not valid JSON (" + e.what() + ")");
    }
    if (!j.is_object()) throw std::runtime_error(path + ": not a JSON object");
    auto need = [&](const char* key) -> const nlohmann::json& {
        if (!j.contains(key)) throw std::runtime_error(path + ": " + key + ": missing");
        return j.at(key);
    };
    const nlohmann::json& format = need("format");
    if (!format.is_string() || format.get<std::string>() != kLandmarkTemplateFormat)
        throw std::runtime_error(path + ": format: not \"" + kLandmarkTemplateFormat + "\"");
    const nlohmann::json& version = need("version");
    if (!version.is_number_integer() || version.get<int64_t>() < 1)
        throw std::runtime_error(path + ": version: not a positive integer");
    if (version.get<int64_t>() > kLandmarkTemplateVersion)
        throw std::runtime_error(path + ": version: " + std::to_string(version.get<int64_t>()) +
                                 " is newer than this build reads (" + std::to_string(kLandmarkTemplateVersion) + ")");
    if (j.contains("convention") && j["convention"] != "normalised")
        throw std::runtime_error(path + ": convention: only \"normalised\" is known");
    const nlohmann::json& count = need("num_landmarks");
    if (!count.is_number_integer() || count.get<int64_t>() < 2 || count.get<int64_t>() > kMaxTemplateLandmarks)
        throw std::runtime_error(path + ": num_landmarks: not an integer in 2.." + std::to_string(kMaxTemplateLandmarks));
    const nlohmann::json& points = need("points");
    if (!points.is_array() || static_cast<int64_t>(points.size()) != count.get<int64_t>())
        throw std::runtime_error(path + ": points: not an array of num_landmarks (" +
                                 std::to_string(count.get<int64_t>()) + ") points");
    LandmarkTemplate t;
    t.points.resize(static_cast<Eigen::Index>(points.size()), 2);
    for (std::size_t i = 0; i < points.size(); ++i) {
        const nlohmann::json& p = points[i];
        if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
            throw std::runtime_error(path + ": points[" + std::to_string(i) + "]: not [x, y]");
        for (int c = 0; c < 2; ++c) {
            const double v = p[static_cast<std::size_t>(c)].get<double>();
            if (!std::isfinite(v) || std::abs(v) > kMaxAbsCoordinate)
                throw std::runtime_error(path + ": points[" + std::to_string(i) + "]: outside [-8, 8]");
            t.points(static_cast<Eigen::Index>(i), c) = v;
        }
    }
    if ((t.points.rowwise() - t.points.row(0)).cwiseAbs().maxCoeff() < 1e-9)
        throw std::runtime_error(path + ": points: all coincide");
    if (j.contains("samples")) {
        if (!j["samples"].is_number_integer() || j["samples"].get<int64_t>() < 0)
            throw std::runtime_error(path + ": samples: not a non-negative integer");
        t.samples = j["samples"].get<int64_t>();
    }
    if (j.contains("source")) {
        if (!j["source"].is_string()) throw std::runtime_error(path + ": source: not a string");
        t.source = j["source"].get<std::string>();
    }
    return t;
}

LandmarkTemplate readLandmarkTemplate(const std::string& runDir) {
    const std::string path = landmarkTemplatePath(runDir);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw std::runtime_error(path + ": missing");
    const auto bytes = fs::file_size(path, ec);
    if (ec) throw std::runtime_error(path + ": cannot be read (" + ec.message() + ")");
    if (bytes > kMaxLandmarkTemplateBytes)
        throw std::runtime_error(path + ": " + std::to_string(bytes) + " bytes, too large for a landmark template");
    return parseLandmarkTemplate(io::readFileText(path, kMaxLandmarkTemplateBytes), path);
}

}  // namespace synthforge::train
