#include "core/annotate/uv_label_map.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/annotate/label_map_io.h"

namespace synthforge::annotate {

namespace {

[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& what) {
    throw std::runtime_error(source + ": " + field + ": " + what);
}

}  // namespace

UvLabelMap::UvLabelMap(const cv::Mat& ids, const ClassTable& table, const std::string& source) : table_(table) {
    if (ids.empty()) fail(source, "label map", "empty image");
    if (ids.type() != CV_8UC1)
        fail(source, "label map", "must be one 8-bit channel of class ids (got OpenCV type " +
                                      std::to_string(ids.type()) + ")");
    if (ids.rows != ids.cols)
        fail(source, "label map size", std::to_string(ids.cols) + "x" + std::to_string(ids.rows) +
                                           " is not square (a UV atlas covers the unit square)");
    if (ids.rows < kMinLabelMapSize || ids.rows > kMaxLabelMapSize)
        fail(source, "label map size", std::to_string(ids.rows) + " outside " + std::to_string(kMinLabelMapSize) +
                                           ".." + std::to_string(kMaxLabelMapSize));
    if (table.empty()) fail(source, "classes", "the class table is empty");
    // Where each id first occurs, so that the error can point at a texel.
    std::array<int, 256> firstAt;
    firstAt.fill(-1);
    for (int y = 0; y < ids.rows; ++y) {
        const auto* row = ids.ptr<std::uint8_t>(y);
        for (int x = 0; x < ids.cols; ++x)
            if (firstAt[row[x]] < 0) firstAt[row[x]] = y * ids.cols + x;
    }
    std::string missing;
    for (int id = 0; id < 256; ++id) {
        if (firstAt[id] < 0 || table.findById(id)) continue;
        if (!missing.empty()) missing += ", ";
        missing += std::to_string(id) + " (first at x=" + std::to_string(firstAt[id] % ids.cols) +
                   " y=" + std::to_string(firstAt[id] / ids.cols) + ")";
    }
    if (!missing.empty()) fail(source, "class ids", "not in the class table: " + missing);
    original_ = ids.clone();
    padded_ = padLabelMap(ids, std::max(2, ids.rows / 256));
}

UvLabelMap UvLabelMap::load(const std::string& pngPath, const ClassTable& table) {
    return UvLabelMap(loadLabelMap(pngPath), table, pngPath);
}

}  // namespace synthforge::annotate
