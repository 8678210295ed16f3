#include "widgets/dataset/stored_sample.h"

#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/annotate/overlays.h"
#include "core/io/file_util.h"

namespace synthforge::widgets {

namespace {
// Annotations hold z (512 floats) and 68 landmarks: well under a megabyte.
constexpr std::size_t kMaxAnnotationBytes = 16u << 20;

cv::Mat readOptional(const std::string& path, int flags, int type, const cv::Size& size) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return {};
    cv::Mat m = cv::imread(path, flags);
    if (m.empty() || m.type() != type || m.size() != size) throw std::runtime_error(path + ": unreadable or of the wrong type or size");
    return m;
}
}  // namespace

StoredSample loadStoredSample(const DatasetIndex& index, std::size_t row) {
    StoredSample s;
    s.row = row;
    s.name = index.samples.at(row);
    const std::string imagePath = index.imagePath(row);
    s.image = cv::imread(imagePath, cv::IMREAD_COLOR);
    if (s.image.empty()) throw std::runtime_error(imagePath + ": missing or unreadable image");
    s.seg = readOptional(index.segPath(row), cv::IMREAD_UNCHANGED, CV_8UC1, s.image.size());
    s.depth = readOptional(index.depthPath(row), cv::IMREAD_UNCHANGED, CV_32FC1, s.image.size());
    // imread gives BGR, so the file's R = x lands in channel 2: shown as
    // BGR it looks exactly like the file (the usual normal-map colours).
    s.normals = readOptional(index.normalsPath(row), cv::IMREAD_COLOR, CV_8UC3, s.image.size());

    const std::string annPath = index.annotationPath(row);
    try {
        const nlohmann::json a = nlohmann::json::parse(io::readFileText(annPath, kMaxAnnotationBytes));
        const auto kps = a.at("2d_kps").get<std::vector<std::vector<float>>>();
        s.landmarks.resize(static_cast<Eigen::Index>(kps.size()), 2);
        for (std::size_t i = 0; i < kps.size(); ++i) {
            if (kps[i].size() != 2) throw std::runtime_error("2d_kps[" + std::to_string(i) + "]: not [x, y]");
            s.landmarks(static_cast<Eigen::Index>(i), 0) = kps[i][0];
            s.landmarks(static_cast<Eigen::Index>(i), 1) = kps[i][1];
        }
        if (a.contains("kps_visible")) s.visible = a.at("kps_visible").get<std::vector<std::uint8_t>>();
        if (!s.visible.empty() && s.visible.size() != kps.size()) throw std::runtime_error("kps_visible: wrong length");
    } catch (const std::exception& e) {
        throw std::runtime_error(annPath + ": " + e.what());
    }
    return s;
}

cv::Mat composeStoredSample(const StoredSample& s, const annotate::ClassTable* classes, const StoredOverlays& o) {
    cv::Mat out;
    if (o.base == StoredOverlays::Base::Depth && !s.depth.empty())
        out = annotate::depthColormap(s.depth);
    else if (o.base == StoredOverlays::Base::Normals && !s.normals.empty())
        out = s.normals.clone();
    else
        out = s.image.clone();
    if (o.segmentation && classes && !s.seg.empty())
        out = annotate::blendSegmentation(out, s.seg, *classes, o.opacity);
    if (o.landmarks && s.landmarks.rows() > 0) out = annotate::drawLandmarks(out, s.landmarks, s.visible);
    return out;
}

}  // namespace synthforge::widgets
