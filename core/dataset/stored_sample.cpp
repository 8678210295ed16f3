#include "core/dataset/stored_sample.h"

#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/dataset/sample_paths.h"
#include "core/io/file_util.h"

namespace synthforge::dataset {

namespace {

namespace fs = std::filesystem;

/// An optional map of the sample: empty when not wanted, or missing and not
/// required; else decoded and checked against the image's size.
cv::Mat readMap(const std::string& path, bool wanted, bool required, int flags, int type, const cv::Size& size,
                const char* what) {
    if (!wanted) return {};
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        if (required) throw std::runtime_error(path + ": missing (" + what + ")");
        return {};
    }
    cv::Mat m = cv::imread(path, flags);
    if (m.empty()) throw std::runtime_error(path + ": cannot be decoded (" + what + ")");
    if (m.type() != type) throw std::runtime_error(path + ": unexpected pixel type " + std::to_string(m.type()) + " for " + what);
    if (m.size() != size)
        throw std::runtime_error(path + ": " + std::to_string(m.cols) + "x" + std::to_string(m.rows) +
                                 ", not the image's " + std::to_string(size.width) + "x" + std::to_string(size.height));
    return m;
}

void readAnnotation(const std::string& path, const cv::Size& imageSize, StoredSample& s) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw std::runtime_error(path + ": missing (annotation)");
    nlohmann::json a;
    try {
        a = nlohmann::json::parse(io::readFileText(path, kMaxAnnotationBytes));
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(path + ": not valid JSON (" + e.what() + ")");
    }
    if (!a.is_object()) throw std::runtime_error(path + ": not a JSON object");
    std::string field;
    try {
        for (const char* key : {"width", "height"}) {
            field = key;
            if (!a.contains(key)) continue;  // older files; the image decides
            const int expected = field == "width" ? imageSize.width : imageSize.height;
            if (!a[key].is_number() || a[key].get<double>() != expected)
                throw std::runtime_error("differs from the image's size " + std::to_string(imageSize.width) + "x" +
                                         std::to_string(imageSize.height));
        }
        field = "2d_kps";
        if (!a.contains(field)) throw std::runtime_error("missing");
        const nlohmann::json& kps = a[field];
        if (!kps.is_array()) throw std::runtime_error("not an array of [x, y] points");
        s.landmarks.resize(static_cast<Eigen::Index>(kps.size()), 2);
        for (std::size_t i = 0; i < kps.size(); ++i) {
            const nlohmann::json& p = kps[i];
            if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
                throw std::runtime_error("point " + std::to_string(i) + " is not [x, y]");
            const float x = p[0].get<float>(), y = p[1].get<float>();
            if (!std::isfinite(x) || !std::isfinite(y))
                throw std::runtime_error("point " + std::to_string(i) + " is not finite");
            s.landmarks(static_cast<Eigen::Index>(i), 0) = x;
            s.landmarks(static_cast<Eigen::Index>(i), 1) = y;
        }
        field = "kps_visible";
        s.visible.clear();
        if (a.contains(field)) {
            const nlohmann::json& vis = a[field];
            if (!vis.is_array() || vis.size() != kps.size())
                throw std::runtime_error("expected " + std::to_string(kps.size()) + " flags, one per 2d_kps point");
            for (const nlohmann::json& v : vis) {
                if (!v.is_number() && !v.is_boolean()) throw std::runtime_error("not 0/1 flags");
                s.visible.push_back(v.is_boolean() ? v.get<bool>() : v.get<double>() != 0);
            }
        }
        for (auto [key, out] : {std::pair<const char*, double*>{"yaw", &s.yaw}, {"pitch", &s.pitch},
                                {"fov_deg", &s.fovDeg}}) {
            field = key;
            if (!a.contains(key)) continue;
            if (!a[key].is_number() || !std::isfinite(a[key].get<double>())) throw std::runtime_error("not a finite number");
            *out = a[key].get<double>();
        }
        for (auto [key, out, size] : {std::tuple<const char*, std::vector<float>*, std::size_t>{"flame_shape", &s.shape, 0},
                                      {"flame_exp", &s.expr, 0},
                                      {"face_box", &s.faceBox, 4}}) {
            field = key;
            out->clear();
            if (!a.contains(key)) continue;
            const nlohmann::json& v = a[key];
            if (!v.is_array() || (size > 0 && v.size() != size) || v.size() > 4096)
                throw std::runtime_error(size > 0 ? "not an array of " + std::to_string(size) + " numbers"
                                                  : "not an array of numbers");
            for (const nlohmann::json& x : v) {
                if (!x.is_number() || !std::isfinite(x.get<double>())) throw std::runtime_error("not finite numbers");
                out->push_back(x.get<float>());
            }
        }
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(path + ": " + field + ": " + e.what());
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(path + ": " + field + ": " + e.what());
    }
}

}  // namespace

StoredSample readStoredSample(const std::string& datasetDir, const std::string& name, const StoredSampleRead& what) {
    const SamplePaths p = samplePaths(datasetDir, name);
    StoredSample s;
    s.name = name;
    std::error_code ec;
    if (!fs::is_regular_file(p.image, ec)) throw std::runtime_error(p.image + ": missing (image)");
    s.image = cv::imread(p.image, cv::IMREAD_COLOR);
    if (s.image.empty()) throw std::runtime_error(p.image + ": cannot be decoded (image)");
    const cv::Size size = s.image.size();
    s.seg = readMap(p.seg, what.segmentation, what.required, cv::IMREAD_UNCHANGED, CV_8UC1, size, "segmentation");
    s.depth = readMap(p.depth, what.depth, what.required, cv::IMREAD_UNCHANGED, CV_32FC1, size, "depth");
    s.normals = readMap(p.normals, what.normals, what.required, cv::IMREAD_COLOR, CV_8UC3, size, "normals");
    readAnnotation(p.annotation, size, s);
    return s;
}

StoredSample readStoredAnnotation(const std::string& datasetDir, const std::string& name, const cv::Size& imageSize) {
    StoredSample s;
    s.name = name;
    readAnnotation(samplePaths(datasetDir, name).annotation, imageSize, s);
    return s;
}

}  // namespace synthforge::dataset
