#include "core/labelmap/color_import.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/io/file_util.h"
#include "core/io/srgb.h"

namespace synthforge::labelmap {

namespace {

float linearise(std::uint8_t c) {
    return io::srgbDecode(static_cast<float>(c) / 255.0f);
}

float labF(float t) {
    constexpr float d = 6.0f / 29.0f;
    return t > d * d * d ? std::cbrt(t) : t / (3 * d * d) + 4.0f / 29.0f;
}

std::uint32_t key(const Rgb& c) { return (std::uint32_t(c[0]) << 16) | (std::uint32_t(c[1]) << 8) | c[2]; }

struct Palette {
    std::vector<std::array<float, 3>> lab;
    std::vector<int> id;

    /// Nearest entry within maxDeltaE, or -1.
    int match(const Rgb& c, float maxDeltaE) const {
        const auto l = srgbToLab(c);
        float best = std::numeric_limits<float>::infinity();
        int who = -1;
        for (std::size_t k = 0; k < lab.size(); ++k) {
            const float d = std::hypot(l[0] - lab[k][0], l[1] - lab[k][1], l[2] - lab[k][2]);
            if (d < best) {
                best = d;
                who = id[k];
            }
        }
        return best <= maxDeltaE ? who : -1;
    }
};

/// Counts, colours and boxes of import.unmatched.
void report(ColorImport& im) {
    im.unmatchedCount = static_cast<std::size_t>(cv::countNonZero(im.unmatched));
    im.unmatchedColors.clear();
    im.unmatchedBoxes.clear();
    im.distinctUnmatchedColors = 0;
    if (im.unmatchedCount == 0) return;
    std::unordered_map<std::uint32_t, UnmatchedColor> colours;
    for (int y = 0; y < im.source.rows; ++y) {
        const auto* m = im.unmatched.ptr<std::uint8_t>(y);
        const auto* s = im.source.ptr<cv::Vec3b>(y);
        for (int x = 0; x < im.source.cols; ++x) {
            if (!m[x]) continue;
            const Rgb c{s[x][2], s[x][1], s[x][0]};
            auto [it, fresh] = colours.try_emplace(key(c));
            if (fresh) {
                it->second.rgb = c;
                it->second.firstAt = {x, y};
            }
            ++it->second.count;
        }
    }
    im.distinctUnmatchedColors = colours.size();
    for (auto& [k, v] : colours) im.unmatchedColors.push_back(v);
    std::sort(im.unmatchedColors.begin(), im.unmatchedColors.end(), [](const auto& a, const auto& b) {
        return a.count != b.count ? a.count > b.count : a.firstAt < b.firstAt;
    });
    if (im.unmatchedColors.size() > im.options.maxReported) im.unmatchedColors.resize(im.options.maxReported);
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(im.unmatched, labels, stats, centroids, 8, CV_32S);
    std::vector<int> order;
    for (int k = 1; k < n; ++k) order.push_back(k);
    // most unmatched pixels first: a real unknown region before border stragglers
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return stats.at<int>(a, cv::CC_STAT_AREA) > stats.at<int>(b, cv::CC_STAT_AREA);
    });
    for (int k : order)
        im.unmatchedBoxes.push_back({stats.at<int>(k, cv::CC_STAT_LEFT), stats.at<int>(k, cv::CC_STAT_TOP),
                                     stats.at<int>(k, cv::CC_STAT_WIDTH), stats.at<int>(k, cv::CC_STAT_HEIGHT)});
    if (im.unmatchedBoxes.size() > im.options.maxReported) im.unmatchedBoxes.resize(im.options.maxReported);
}

void checkClass(int id, const annotate::ClassTable& classes, const std::string& what) {
    if (!classes.findById(id)) throw std::invalid_argument(what + ": class " + std::to_string(id) + " is not in the table");
}

}  // namespace

std::array<float, 3> srgbToLab(const Rgb& rgb) {
    const float r = linearise(rgb[0]), g = linearise(rgb[1]), b = linearise(rgb[2]);
    // sRGB primaries, D65 white (IEC 61966-2-1)
    const float x = 0.4124564f * r + 0.3575761f * g + 0.1804375f * b;
    const float y = 0.2126729f * r + 0.7151522f * g + 0.0721750f * b;
    const float z = 0.0193339f * r + 0.1191920f * g + 0.9503041f * b;
    const float fx = labF(x / 0.95047f), fy = labF(y), fz = labF(z / 1.08883f);
    return {116.0f * fy - 16.0f, 500.0f * (fx - fy), 200.0f * (fy - fz)};
}

float deltaE76(const Rgb& a, const Rgb& b) {
    const auto p = srgbToLab(a), q = srgbToLab(b);
    return std::hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

ColorImport importColorMap(const cv::Mat& bgr, const annotate::ClassTable& classes, const ColorImportOptions& options) {
    if (bgr.empty() || bgr.type() != CV_8UC3)
        throw std::invalid_argument("image: a colour map must be a non-empty 8-bit 3-channel (BGR) image");
    if (classes.empty()) throw std::invalid_argument("classes: the class table is empty");
    if (!(options.maxDeltaE >= 0)) throw std::invalid_argument("options.maxDeltaE: must be >= 0");
    Palette pal;
    for (const auto& e : classes.entries()) {
        pal.lab.push_back(srgbToLab(e.color));
        pal.id.push_back(e.id);
    }
    ColorImport im;
    im.options = options;
    im.source = bgr.clone();
    im.ids = cv::Mat(bgr.rows, bgr.cols, CV_8UC1, cv::Scalar(0));
    im.unmatched = cv::Mat(bgr.rows, bgr.cols, CV_8UC1, cv::Scalar(0));
    std::unordered_map<std::uint32_t, int> memo;
    for (int y = 0; y < bgr.rows; ++y) {
        const auto* s = bgr.ptr<cv::Vec3b>(y);
        auto* ids = im.ids.ptr<std::uint8_t>(y);
        auto* um = im.unmatched.ptr<std::uint8_t>(y);
        for (int x = 0; x < bgr.cols; ++x) {
            const Rgb c{s[x][2], s[x][1], s[x][0]};
            auto [it, fresh] = memo.try_emplace(key(c), 0);
            if (fresh) it->second = pal.match(c, options.maxDeltaE);
            if (it->second >= 0)
                ids[x] = static_cast<std::uint8_t>(it->second);
            else
                um[x] = 255;
        }
    }
    report(im);
    return im;
}

ColorImport importColorMapFile(const std::string& path, const annotate::ClassTable& classes,
                               const ColorImportOptions& options) {
    const std::vector<std::uint8_t> bytes = io::readFileBytes(path, 1ull << 30);
    cv::Mat img;
    try {
        img = cv::imdecode(bytes, cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
        throw std::runtime_error(path + ": image: cannot decode (" + e.what() + ")");
    }
    if (img.empty()) throw std::runtime_error(path + ": image: not a readable image (corrupt, truncated or unknown format)");
    return importColorMap(img, classes, options);
}

void assignUnmatched(ColorImport& import, const std::vector<std::pair<Rgb, int>>& assignments,
                     std::optional<int> fallback, const annotate::ClassTable& classes) {
    for (const auto& [c, id] : assignments) checkClass(id, classes, "assignments");
    if (fallback) checkClass(*fallback, classes, "fallback");
    Palette pal;
    for (const auto& [c, id] : assignments) {
        pal.lab.push_back(srgbToLab(c));
        pal.id.push_back(id);
    }
    std::unordered_map<std::uint32_t, int> memo;
    for (int y = 0; y < import.source.rows; ++y) {
        const auto* s = import.source.ptr<cv::Vec3b>(y);
        auto* ids = import.ids.ptr<std::uint8_t>(y);
        auto* um = import.unmatched.ptr<std::uint8_t>(y);
        for (int x = 0; x < import.source.cols; ++x) {
            if (!um[x]) continue;
            const Rgb c{s[x][2], s[x][1], s[x][0]};
            auto [it, fresh] = memo.try_emplace(key(c), -1);
            if (fresh) {
                it->second = pal.match(c, import.options.maxDeltaE);
                if (it->second < 0 && fallback) it->second = *fallback;
            }
            if (it->second >= 0) {
                ids[x] = static_cast<std::uint8_t>(it->second);
                um[x] = 0;
            }
        }
    }
    report(import);
}

StrokeRecord applyColorImport(LabelCanvas& canvas, const ColorImport& import) {
    if (import.unmatchedCount > 0)
        throw std::invalid_argument("import: " + std::to_string(import.unmatchedCount) +
                                    " pixels are unmatched; assign them first (assignUnmatched)");
    if (import.ids.rows != canvas.size() || import.ids.cols != canvas.size())
        throw std::invalid_argument("import: " + std::to_string(import.ids.cols) + "x" +
                                    std::to_string(import.ids.rows) + " map for a canvas of size " +
                                    std::to_string(canvas.size()));
    CanvasEdit edit(canvas);
    edit.assign(import.ids);
    return edit.commit();
}

}  // namespace synthforge::labelmap
