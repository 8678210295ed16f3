// One image's prediction files (see prediction_files.h).

#include "core/train/prediction_files.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/annotate/overlays.h"
#include "core/io/file_util.h"
#include "core/io/npy.h"
#include "core/io/png_writer.h"

namespace synthforge::train {

namespace fs = std::filesystem;

namespace {

std::string landmarksJson(const std::string& inputPath, const cv::Mat& bgr, const Points2d& p) {
    nlohmann::ordered_json j;
    j["format"] = "synthforge-landmarks";
    j["version"] = 1;
    j["image"] = inputPath;
    j["width"] = bgr.cols;
    j["height"] = bgr.rows;
    j["convention"] = "continuous pixels of the input image: pixel (i, j) covers [i, i+1) x [j, j+1)";
    j["num_landmarks"] = p.rows();
    nlohmann::json points = nlohmann::json::array();
    for (Eigen::Index i = 0; i < p.rows(); ++i) points.push_back({p(i, 0), p(i, 1)});
    j["landmarks"] = std::move(points);
    return j.dump(1) + "\n";
}

/// The input with the crop's square outlined and the landmarks drawn.
cv::Mat overlay(const cv::Mat& bgr, const Points2d& landmarks, const Similarity2d& crop, int size) {
    cv::Mat out = bgr.clone();
    const int thickness = std::max(1, std::min(bgr.cols, bgr.rows) / 400);
    const Similarity2d inv = crop.inverse();
    std::vector<cv::Point> square;
    for (const Eigen::Vector2d& c : {Eigen::Vector2d(0, 0), Eigen::Vector2d(size, 0), Eigen::Vector2d(size, size),
                                    Eigen::Vector2d(0, size)}) {
        const Eigen::Vector2d p = inv.apply(c);
        // cv::polylines takes pixel-centre integer points (continuous p - 0.5).
        square.emplace_back(static_cast<int>(std::lround(std::clamp(p.x() - 0.5, -1e6, 1e6))),
                            static_cast<int>(std::lround(std::clamp(p.y() - 0.5, -1e6, 1e6))));
    }
    cv::polylines(out, square, true, cv::Scalar(255, 160, 0), thickness, cv::LINE_AA);
    if (landmarks.rows() == 0) return out;
    const Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> pf = landmarks.cast<float>();
    return annotate::drawLandmarks(out, pf, {});
}

}  // namespace

std::vector<std::string> writePredictionFiles(const std::string& outDir, const std::string& stem,
                                              const std::string& inputPath, const cv::Mat& bgr, const ImageMaps& maps,
                                              const annotate::ClassTable& classes, const Similarity2d& crop,
                                              int size) {
    std::vector<std::string> names;
    auto path = [&](const std::string& suffix) {
        names.push_back(stem + suffix);
        return (fs::path(outDir) / names.back()).string();
    };
    if (maps.landmarks.rows() > 0) io::writeFileAtomic(path("_landmarks.json"), landmarksJson(inputPath, bgr, maps.landmarks));
    io::writePngFile(path("_overlay.png"), overlay(bgr, maps.landmarks, crop, size));
    if (!maps.classIds.empty()) {
        io::writePngFile(path("_seg.png"), maps.classIds);
        // Pixels the crop did not cover keep the input's colours.
        cv::Mat ids = maps.classIds.clone();
        ids.setTo(0, ids == 255);
        io::writePngFile(path("_seg_overlay.png"), annotate::blendSegmentation(bgr, ids, classes, 0.5f));
    }
    if (!maps.depth.empty()) {
        cv::Mat d16;
        maps.depth.convertTo(d16, CV_16UC1, kDepthPngScale);  // saturates: below 0 -> 0, above 6.5535 -> 65535
        std::vector<std::uint8_t> png;
        const std::string depthPng = path("_depth.png");
        if (!cv::imencode(".png", d16, png)) throw std::runtime_error(depthPng + ": cannot encode");
        io::writeFileAtomic(depthPng, png.data(), png.size());
        const cv::Mat d = maps.depth.isContinuous() ? maps.depth : maps.depth.clone();
        io::saveNpyFile(path("_depth.npy"),
                        io::NdArray::fromFloat(std::vector<float>(d.ptr<float>(), d.ptr<float>() + d.total()),
                                               {d.rows, d.cols}));
    }
    return names;
}

}  // namespace synthforge::train
