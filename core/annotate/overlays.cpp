#include "core/annotate/overlays.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace synthforge::annotate {

namespace {

/// Fractional bits for cv drawing: coordinates in 1/16 pixel, so that dots
/// land where the continuous coordinates say and not on the nearest pixel.
constexpr int kShift = 4;
constexpr float kOne = 1 << kShift;
/// Points further out than this are skipped: they cannot be seen, and their
/// fixed-point coordinates would overflow int.
constexpr float kMaxCoord = 1e6f;
/// Largest contact sheet side, so that a typo in columns or tileSize gives an
/// error instead of a multi-gigabyte allocation.
constexpr long kMaxSheetSide = 1 << 15;

std::string describe(const cv::Mat& m) {
    if (m.empty()) return "an empty Mat";
    return std::to_string(m.cols) + "x" + std::to_string(m.rows) + " " + cv::typeToString(m.type());
}

void requireType(const cv::Mat& m, int type, const char* fn, const char* arg) {
    if (m.empty() || m.type() != type || m.dims != 2)
        throw std::invalid_argument(std::string(fn) + ": " + arg + ": expected a non-empty " + cv::typeToString(type) +
                                    " image, got " + describe(m));
}

void requireSameSize(const cv::Mat& a, const cv::Mat& b, const char* fn, const char* argB) {
    if (a.size() != b.size())
        throw std::invalid_argument(std::string(fn) + ": " + argB + ": size " + std::to_string(b.cols) + "x" +
                                    std::to_string(b.rows) + " differs from the image's " + std::to_string(a.cols) +
                                    "x" + std::to_string(a.rows));
}

/// Continuous pixel coordinate -> cv's fixed-point one: cv puts integer
/// coordinates at pixel centres, ours put them at pixel corners.
int toFixed(float v) { return static_cast<int>(std::lround((v - 0.5f) * kOne)); }

/// White text with a black outline, readable on any background.
void outlinedText(cv::Mat& img, const std::string& text, cv::Point at, double scale) {
    cv::putText(img, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(0, 0, 0), 3, cv::LINE_AA);
    cv::putText(img, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
}

/// iBUG-68 contours as [first, last] index ranges, and whether each closes.
struct Contour {
    int first, last;
    bool closed;
};
constexpr std::array<Contour, 9> kIbug68Contours{{
    {0, 16, false},   // jaw
    {17, 21, false},  // right brow
    {22, 26, false},  // left brow
    {27, 30, false},  // nose bridge
    {31, 35, false},  // nostrils
    {36, 41, true},   // right eye
    {42, 47, true},   // left eye
    {48, 59, true},   // outer lips
    {60, 67, true},   // inner lips
}};

}  // namespace

cv::Mat drawLandmarks(const cv::Mat& bgr, const LandmarkPoints& points, const std::vector<std::uint8_t>& visible,
                      const LandmarkStyle& style) {
    requireType(bgr, CV_8UC3, "drawLandmarks", "bgr");
    const int n = static_cast<int>(points.rows());
    if (!visible.empty() && visible.size() != static_cast<std::size_t>(n))
        throw std::invalid_argument("drawLandmarks: visible: " + std::to_string(visible.size()) + " flags for " +
                                    std::to_string(n) + " points (give one per point, or none)");
    if (!(style.radius >= 0.0f) || !std::isfinite(style.radius))
        throw std::invalid_argument("drawLandmarks: style.radius: must be finite and >= 0");

    cv::Mat out = bgr.clone();
    const int side = std::min(out.cols, out.rows);
    const float radius = style.radius > 0.0f ? style.radius : std::max(1.5f, static_cast<float>(side) / 160.0f);
    const int rFixed = std::max(1, static_cast<int>(std::lround(radius * kOne)));
    const int lineWidth = std::max(1, side / 512);

    std::vector<cv::Point> fixedPts(static_cast<std::size_t>(n));
    std::vector<bool> usable(static_cast<std::size_t>(n), false);
    for (int i = 0; i < n; ++i) {
        const float x = points(i, 0), y = points(i, 1);
        if (!std::isfinite(x) || !std::isfinite(y) || std::abs(x) > kMaxCoord || std::abs(y) > kMaxCoord) continue;
        fixedPts[i] = cv::Point(toFixed(x), toFixed(y));
        usable[i] = true;
    }

    // Lines first, so that the dots sit on top of them.
    if (style.connect && n == 68)
        for (const Contour& c : kIbug68Contours)
            for (int i = c.first; i <= c.last; ++i) {
                const int j = i < c.last ? i + 1 : (c.closed ? c.first : -1);
                if (j < 0 || !usable[i] || !usable[j]) continue;
                cv::line(out, fixedPts[i], fixedPts[j], style.lineColor, lineWidth, cv::LINE_AA, kShift);
            }

    for (int i = 0; i < n; ++i) {
        if (!usable[i]) continue;
        const bool vis = visible.empty() || visible[i] != 0;
        cv::circle(out, fixedPts[i], rFixed + static_cast<int>(kOne), style.outlineColor, cv::FILLED, cv::LINE_AA,
                   kShift);
        cv::circle(out, fixedPts[i], rFixed, vis ? style.visibleColor : style.occludedColor, cv::FILLED, cv::LINE_AA,
                   kShift);
    }

    if (style.indices) {
        // Labels after every dot, so that no dot covers a number.
        const double scale = std::max(0.3, side / 1400.0);
        const int offset = static_cast<int>(std::ceil(radius)) + 2;
        for (int i = 0; i < n; ++i) {
            if (!usable[i]) continue;
            const cv::Point at(static_cast<int>(std::floor(points(i, 0))) + offset,
                               static_cast<int>(std::floor(points(i, 1))) - offset);
            outlinedText(out, std::to_string(i), at, scale);
        }
    }
    return out;
}

cv::Mat colorizeSegmentation(const cv::Mat& ids, const ClassTable& table) {
    requireType(ids, CV_8UC1, "colorizeSegmentation", "ids");
    const auto rgb = table.colorMap({255, 0, 255});
    cv::Mat out(ids.size(), CV_8UC3);
    for (int y = 0; y < ids.rows; ++y) {
        const auto* in = ids.ptr<std::uint8_t>(y);
        auto* row = out.ptr<cv::Vec3b>(y);
        for (int x = 0; x < ids.cols; ++x) {
            const auto& c = rgb[in[x]];
            row[x] = cv::Vec3b(c[2], c[1], c[0]);
        }
    }
    return out;
}

cv::Mat blendSegmentation(const cv::Mat& bgr, const cv::Mat& ids, const ClassTable& table, float alpha) {
    requireType(bgr, CV_8UC3, "blendSegmentation", "bgr");
    requireType(ids, CV_8UC1, "blendSegmentation", "ids");
    requireSameSize(bgr, ids, "blendSegmentation", "ids");
    if (!(alpha >= 0.0f && alpha <= 1.0f))
        throw std::invalid_argument("blendSegmentation: alpha: " + std::to_string(alpha) + " is outside [0, 1]");

    const auto rgb = table.colorMap({255, 0, 255});
    constexpr float kOutlineShade = 0.5f;
    cv::Mat out = bgr.clone();
    const int w = ids.cols, h = ids.rows;
    for (int y = 0; y < h; ++y) {
        const auto* id = ids.ptr<std::uint8_t>(y);
        const auto* above = y > 0 ? ids.ptr<std::uint8_t>(y - 1) : nullptr;
        const auto* below = y + 1 < h ? ids.ptr<std::uint8_t>(y + 1) : nullptr;
        auto* row = out.ptr<cv::Vec3b>(y);
        for (int x = 0; x < w; ++x) {
            const std::uint8_t c = id[x];
            if (c == kBackground) continue;
            // One pixel across every boundary, always on the class side: a
            // pixel is marked where the next class starts right or below,
            // and where background lies left or above (background itself is
            // never touched). Marking both sides would draw 2-px lines.
            const bool edge = (x + 1 < w && id[x + 1] != c) || (below && below[x] != c) ||
                              (x > 0 && id[x - 1] == kBackground) || (above && above[x] == kBackground);
            const float shade = edge ? kOutlineShade : 1.0f;
            const auto& col = rgb[c];
            cv::Vec3b& p = row[x];
            for (int k = 0; k < 3; ++k) {
                const float mixed = (1.0f - alpha) * p[k] + alpha * col[2 - k];
                p[k] = cv::saturate_cast<std::uint8_t>(mixed * shade);
            }
        }
    }
    return out;
}

cv::Mat depthColormap(const cv::Mat& depth) {
    requireType(depth, CV_32FC1, "depthColormap", "depth");
    auto foreground = [](float d) { return std::isfinite(d) && d > 0.0f; };

    std::vector<float> values;
    for (int y = 0; y < depth.rows; ++y) {
        const auto* row = depth.ptr<float>(y);
        for (int x = 0; x < depth.cols; ++x)
            if (foreground(row[x])) values.push_back(row[x]);
    }
    cv::Mat out = cv::Mat::zeros(depth.size(), CV_8UC3);
    if (values.empty()) return out;

    // Percentiles rather than min/max: a few stray far or near pixels
    // (a silhouette sliver, the neck's cut) would squash the face's range.
    auto percentile = [&values](double p) {
        const auto k = static_cast<std::size_t>(std::lround(p * static_cast<double>(values.size() - 1)));
        std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
        return values[k];
    };
    const float lo = percentile(0.01), hi = percentile(0.99);
    const float range = hi - lo;

    // Index 255 is Turbo's warm (red) end: near = 255, far = 0.
    cv::Mat index(depth.size(), CV_8UC1, cv::Scalar(0));
    cv::Mat mask(depth.size(), CV_8UC1, cv::Scalar(0));
    for (int y = 0; y < depth.rows; ++y) {
        const auto* d = depth.ptr<float>(y);
        auto* idx = index.ptr<std::uint8_t>(y);
        auto* m = mask.ptr<std::uint8_t>(y);
        for (int x = 0; x < depth.cols; ++x) {
            if (!foreground(d[x])) continue;
            m[x] = 255;
            const float t = range > 0.0f ? std::clamp((d[x] - lo) / range, 0.0f, 1.0f) : 0.5f;
            idx[x] = static_cast<std::uint8_t>(std::lround((1.0f - t) * 255.0f));
        }
    }
#if CV_VERSION_MAJOR > 4 || (CV_VERSION_MAJOR == 4 && CV_VERSION_MINOR >= 2)
    cv::applyColorMap(index, out, cv::COLORMAP_TURBO);
#else
    cv::applyColorMap(index, out, cv::COLORMAP_JET);
#endif
    out.setTo(cv::Scalar::all(0), mask == 0);
    return out;
}

cv::Mat normalsToBgr(const cv::Mat& normals) {
    requireType(normals, CV_32FC3, "normalsToBgr", "normals");
    cv::Mat out(normals.size(), CV_8UC3);
    auto byte = [](float v) { return cv::saturate_cast<std::uint8_t>((v + 1.0f) * 0.5f * 255.0f); };
    for (int y = 0; y < normals.rows; ++y) {
        const auto* in = normals.ptr<cv::Vec3f>(y);
        auto* row = out.ptr<cv::Vec3b>(y);
        for (int x = 0; x < normals.cols; ++x) {
            const cv::Vec3f& n = in[x];
            const bool valid = std::isfinite(n[0]) && std::isfinite(n[1]) && std::isfinite(n[2]) &&
                               (n[0] != 0.0f || n[1] != 0.0f || n[2] != 0.0f);
            row[x] = valid ? cv::Vec3b(byte(n[2]), byte(n[1]), byte(n[0])) : cv::Vec3b(0, 0, 0);
        }
    }
    return out;
}

cv::Mat contactSheet(const std::vector<cv::Mat>& tiles, int columns, int tileSize,
                     const std::vector<std::string>& captions) {
    if (columns < 1)
        throw std::invalid_argument("contactSheet: columns: " + std::to_string(columns) + "; at least 1");
    if (tileSize < 8)
        throw std::invalid_argument("contactSheet: tileSize: " + std::to_string(tileSize) + "; at least 8");
    if (tiles.empty()) throw std::invalid_argument("contactSheet: tiles: empty; give at least one tile");
    if (!captions.empty() && captions.size() != tiles.size())
        throw std::invalid_argument("contactSheet: captions: " + std::to_string(captions.size()) + " captions for " +
                                    std::to_string(tiles.size()) + " tiles (give one per tile, or none)");
    for (std::size_t i = 0; i < tiles.size(); ++i) {
        const cv::Mat& t = tiles[i];
        if (t.empty() || t.dims != 2 || (t.type() != CV_8UC1 && t.type() != CV_8UC3))
            throw std::invalid_argument("contactSheet: tiles[" + std::to_string(i) +
                                        "]: expected a non-empty CV_8UC1 or CV_8UC3 image, got " + describe(t));
    }

    const long n = static_cast<long>(tiles.size());
    const long cols = std::min<long>(columns, n);
    const long rows = (n + cols - 1) / cols;
    const long step = tileSize + kContactSheetGap;
    const long width = cols * step + kContactSheetGap, height = rows * step + kContactSheetGap;
    if (width > kMaxSheetSide || height > kMaxSheetSide)
        throw std::invalid_argument("contactSheet: the sheet would be " + std::to_string(width) + "x" +
                                    std::to_string(height) + " pixels; at most " + std::to_string(kMaxSheetSide) +
                                    " per side (fewer columns, tiles or a smaller tileSize)");

    cv::Mat sheet(static_cast<int>(height), static_cast<int>(width), CV_8UC3, cv::Scalar(32, 32, 32));
    const double captionScale = std::max(0.35, tileSize / 600.0);
    for (long i = 0; i < n; ++i) {
        const cv::Mat& src = tiles[static_cast<std::size_t>(i)];
        cv::Mat colour;
        if (src.channels() == 1) cv::cvtColor(src, colour, cv::COLOR_GRAY2BGR);
        else colour = src;
        const cv::Rect where(static_cast<int>(kContactSheetGap + (i % cols) * step),
                             static_cast<int>(kContactSheetGap + (i / cols) * step), tileSize, tileSize);
        // The ROI shares the sheet's pixels: resize writes straight into
        // place, and a long caption is clipped to its own tile.
        cv::Mat roi = sheet(where);
        if (colour.size() == roi.size()) colour.copyTo(roi);
        else cv::resize(colour, roi, roi.size(), 0, 0, cv::INTER_AREA);
        if (!captions.empty() && !captions[static_cast<std::size_t>(i)].empty())
            outlinedText(roi, captions[static_cast<std::size_t>(i)], cv::Point(3, tileSize - 5), captionScale);
    }
    return sheet;
}

}  // namespace synthforge::annotate
