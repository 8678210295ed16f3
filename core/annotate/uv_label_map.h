#pragma once
// A UV region label map ready for lookups: validated against its class
// table and padded, so that nearest-texel sampling just inside an island
// border never reads background (docs/design.md).

#include <string>

#include <opencv2/core/mat.hpp>

#include "core/annotate/class_table.h"
#include "core/annotate/label_map_io.h"

namespace synthforge::annotate {

/// Nearest texel of a square CV_8UC1 map at (u, v): x = floor(u * n), row
/// y = floor((1 - v) * n), both clamped to the map. The one lookup every
/// segmentation path uses (annotator, live relabelling, viewport picking).
inline std::uint8_t nearestTexel(const cv::Mat& map, float u, float v) {
    const int n = map.rows;
    int x = static_cast<int>(u * static_cast<float>(n));
    int y = static_cast<int>((1.0f - v) * static_cast<float>(n));
    x = x < 0 ? 0 : (x >= n ? n - 1 : x);
    y = y < 0 ? 0 : (y >= n ? n - 1 : y);
    return map.ptr<std::uint8_t>(y)[x];
}

class UvLabelMap {
public:
    UvLabelMap() = default;
    /// Validates `ids` (CV_8UC1, square, kMinLabelMapSize..kMaxLabelMapSize)
    /// and checks that every id it holds is a class of `table`. Throws
    /// std::runtime_error "<source>: <field>: <what>" naming the offending
    /// size, type or ids (with one texel where each missing id occurs). Pads
    /// islands by max(2, size / 256) texels.
    UvLabelMap(const cv::Mat& ids, const ClassTable& table, const std::string& source);
    /// Reads a label map PNG (see label_map_io.h for what is
    /// refused) and validates it as above.
    static UvLabelMap load(const std::string& pngPath, const ClassTable& table);

    bool empty() const { return padded_.empty(); }
    int size() const { return padded_.rows; }
    const ClassTable& classes() const { return table_; }
    /// The map as given (before padding).
    const cv::Mat& original() const { return original_; }
    /// Nearest-texel class at (u, v): texel x = floor(u * size), row
    /// y = floor((1 - v) * size), both clamped to the map.
    std::uint8_t classAt(float u, float v) const { return nearestTexel(padded_, u, v); }

private:
    cv::Mat original_, padded_;
    ClassTable table_;
};

}  // namespace synthforge::annotate
