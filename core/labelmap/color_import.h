#pragma once
// Importing a colour-coded label map (a SynthForge-style colour texture, a
// painting from another tool, possibly a JPEG) as class ids: each pixel takes
// the class whose table colour is nearest in CIELAB, if within a threshold.
//
// Distance: CIE76 (Euclidean distance in L*a*b*). The palette colours of a
// class table are far apart (tens of units), and the question is only "which
// palette colour is nearest, and is it plausibly that colour plus JPEG
// noise". CIEDE2000's corrections matter for judging small differences
// between similar colours, not for this; CIE76 is a true metric (the
// threshold means the same everywhere), simple to reason about and cheap.
// Each distinct colour is classified once (JPEG noise gives thousands, not
// millions).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "core/annotate/class_table.h"
#include "core/labelmap/label_canvas.h"

namespace synthforge::labelmap {

using Rgb = std::array<std::uint8_t, 3>;

/// CIELAB (D65) of an sRGB colour.
std::array<float, 3> srgbToLab(const Rgb& rgb);
/// CIE76 colour difference.
float deltaE76(const Rgb& a, const Rgb& b);

struct ColorImportOptions {
    /// Largest CIE76 distance to a class colour that still counts as a match.
    /// 20 takes JPEG quality ~75 plus mild noise inside regions; pixels along
    /// region borders (chroma subsampling blends neighbours) may stay unmatched.
    float maxDeltaE = 20.0f;
    /// At most this many unmatched colours and boxes are listed (counts cover all).
    std::size_t maxReported = 64;
};

struct UnmatchedColor {
    Rgb rgb{};
    std::size_t count = 0;
    Texel firstAt;
};

struct ColorImport {
    cv::Mat source;      ///< the imported image (CV_8UC3, BGR)
    cv::Mat ids;         ///< CV_8UC1 class ids; 0 where unmatched
    cv::Mat unmatched;   ///< CV_8UC1, 255 where no class matched
    std::size_t unmatchedCount = 0;
    /// Bounding boxes of the 8-connected unmatched areas, most pixels first (capped).
    std::vector<TexelRect> unmatchedBoxes;
    /// Distinct unmatched colours, most frequent first (capped).
    std::vector<UnmatchedColor> unmatchedColors;
    std::size_t distinctUnmatchedColors = 0;
    ColorImportOptions options;
};

/// Classifies every pixel of `bgr` (CV_8UC3, square or not; std::invalid_argument
/// otherwise or for an empty table or a negative threshold).
ColorImport importColorMap(const cv::Mat& bgr, const annotate::ClassTable& classes,
                           const ColorImportOptions& options = {});
/// Reads an image file (PNG, JPEG, ... through OpenCV) and classifies it.
/// std::runtime_error naming the file when it cannot be read or decoded.
ColorImport importColorMapFile(const std::string& path, const annotate::ClassTable& classes,
                               const ColorImportOptions& options = {});

/// The caller's answer for unmatched pixels: each takes the class of the
/// nearest colour in `assignments` when within options.maxDeltaE of it,
/// else `fallback` when given, else stays unmatched. The report is updated.
/// Classes must be in the table (std::invalid_argument otherwise).
void assignUnmatched(ColorImport& import, const std::vector<std::pair<Rgb, int>>& assignments,
                     std::optional<int> fallback, const annotate::ClassTable& classes);

/// Replaces the canvas's content with the import as one undo step.
/// std::invalid_argument while pixels are unmatched or the size differs.
StrokeRecord applyColorImport(LabelCanvas& canvas, const ColorImport& import);

}  // namespace synthforge::labelmap
