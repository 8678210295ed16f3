#include "core/annotate/label_map_io.h"

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/io/file_util.h"
#include "core/io/png_chunks.h"

namespace synthforge::annotate {
namespace {

/// A label map must be an 8-bit greyscale PNG within the size limit; a JPEG
/// or a colour preview would silently turn into wrong class ids.
void checkLabelMapPng(const std::vector<std::uint8_t>& b, const std::string& path) {
    if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        throw std::runtime_error(path + ": is a JPEG; label maps must be lossless 8-bit greyscale PNGs "
                                        "(JPEG would corrupt the class ids)");
    const io::PngHeader h = io::checkPngChunks(b, path);
    if (h.colourType != 0 || h.bitDepth != 8)
        throw std::runtime_error(path + ": IHDR: a " + std::to_string(h.bitDepth) + "-bit " +
                                 io::pngColourTypeName(h.colourType) +
                                 " PNG; a label map must be 8-bit greyscale (one class id per pixel). "
                                 "A colour preview cannot be read back as class ids");
    const auto limit = static_cast<std::uint32_t>(kMaxLabelMapSize);
    if (h.width == 0 || h.height == 0 || h.width > limit || h.height > limit)
        throw std::runtime_error(path + ": IHDR: size " + std::to_string(h.width) + "x" + std::to_string(h.height) +
                                 " is outside 1.." + std::to_string(kMaxLabelMapSize));
}

}  // namespace

raster::RasterResult rasterizeUvAtlas(const head::RowMatX2f& uv, const head::RowMatX3i& uvFaces, int size) {
    if (size < kMinLabelMapSize || size > kMaxLabelMapSize)
        throw std::invalid_argument("label map size " + std::to_string(size) + " is outside " +
                                    std::to_string(kMinLabelMapSize) + ".." + std::to_string(kMaxLabelMapSize));
    raster::Vertices pts(uv.rows(), 3);
    for (Eigen::Index t = 0; t < uv.rows(); ++t)
        pts.row(t) << uv(t, 0) * static_cast<float>(size), (1.0f - uv(t, 1)) * static_cast<float>(size), 1.0f;
    raster::Intrinsics k;  // fx = fy = 1, cx = cy = 0: pixel = (X, Y)
    return raster::rasterize(pts, k, uvFaces, size, size);
}

void saveLabelMap(const std::string& pngPath, const cv::Mat& ids) {
    if (ids.empty()) throw std::invalid_argument("saveLabelMap: " + pngPath + ": the label map is empty");
    if (ids.type() != CV_8UC1)
        throw std::invalid_argument("saveLabelMap: " + pngPath + ": a label map must be CV_8UC1 class ids, got type " +
                                    std::to_string(ids.type()));
    std::vector<unsigned char> png;
    if (!cv::imencode(".png", ids, png, {cv::IMWRITE_PNG_COMPRESSION, 6}))
        throw std::runtime_error(pngPath + ": PNG encoding failed");
    io::writeFileAtomic(pngPath, png.data(), png.size());
}

cv::Mat loadLabelMap(const std::string& path) {
    const std::vector<std::uint8_t> bytes = io::readFileBytes(path, 512ull << 20);
    checkLabelMapPng(bytes, path);
    cv::Mat ids;
    try {
        ids = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        throw std::runtime_error(path + ": corrupt PNG: " + e.what());
    }
    if (ids.empty()) throw std::runtime_error(path + ": corrupt PNG: the image data could not be decoded");
    if (ids.type() != CV_8UC1)
        throw std::runtime_error(path + ": decoded as OpenCV type " + std::to_string(ids.type()) +
                                 ", not 8-bit single channel");
    return ids;
}

cv::Mat colorizeLabels(const cv::Mat& ids, const ClassTable& table) {
    if (ids.type() != CV_8UC1) throw std::invalid_argument("colorizeLabels: the label map must be CV_8UC1");
    const auto lut = table.colorMap();
    cv::Mat out(ids.rows, ids.cols, CV_8UC3);
    for (int y = 0; y < ids.rows; ++y) {
        const auto* in = ids.ptr<std::uint8_t>(y);
        auto* o = out.ptr<cv::Vec3b>(y);
        for (int x = 0; x < ids.cols; ++x) {
            const auto& c = lut[in[x]];
            o[x] = cv::Vec3b(c[2], c[1], c[0]);  // BGR
        }
    }
    return out;
}

cv::Mat padLabelMap(const cv::Mat& ids, int texels) {
    if (ids.type() != CV_8UC1) throw std::invalid_argument("padLabelMap: the label map must be CV_8UC1");
    if (texels < 0) throw std::invalid_argument("padLabelMap: texels must be >= 0");
    cv::Mat cur = ids.clone();
    for (int step = 0; step < texels; ++step) {
        cv::Mat next = cur.clone();
        bool changed = false;
        for (int y = 0; y < cur.rows; ++y) {
            for (int x = 0; x < cur.cols; ++x) {
                if (cur.at<std::uint8_t>(y, x) != kBackground) continue;
                // most frequent non-background 8-neighbour, lowest id on ties
                std::array<int, 8> cls{}, cnt{};
                int n = 0;
                for (int dy = -1; dy <= 1; ++dy)
                    for (int dx = -1; dx <= 1; ++dx) {
                        const int yy = y + dy, xx = x + dx;
                        if (yy < 0 || xx < 0 || yy >= cur.rows || xx >= cur.cols) continue;
                        const int c = cur.at<std::uint8_t>(yy, xx);
                        if (c == kBackground) continue;
                        int k = 0;
                        while (k < n && cls[k] != c) ++k;
                        if (k == n) cls[n++] = c;
                        ++cnt[k];
                    }
                int best = -1, bestCount = 0;
                for (int k = 0; k < n; ++k)
                    if (cnt[k] > bestCount || (cnt[k] == bestCount && cls[k] < best)) {
                        best = cls[k];
                        bestCount = cnt[k];
                    }
                if (best >= 0) {
                    next.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(best);
                    changed = true;
                }
            }
        }
        cur = next;
        if (!changed) break;
    }
    return cur;
}

}  // namespace synthforge::annotate
