#pragma once
// Quick-look pictures of annotations: landmarks drawn on an image,
// segmentation colours and blends, depth and normal previews, and a contact
// sheet that lays several of them out. Used by `synthforge render` and for the
// docs; they are for looking at, not for training on.
//
// Every image in and out is 8-bit BGR (CV_8UC3, OpenCV's channel order)
// unless stated. Wrong Mat types or sizes throw std::invalid_argument naming
// the function and the argument.

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <opencv2/core/mat.hpp>

#include "core/annotate/class_table.h"

namespace synthforge::annotate {

/// How drawLandmarks draws. Colours are BGR.
struct LandmarkStyle {
    /// Dot radius in pixels; 0 picks one from the image size.
    float radius = 0.0f;
    cv::Scalar visibleColor{0, 255, 0};   ///< green
    cv::Scalar occludedColor{0, 0, 255};  ///< red
    cv::Scalar outlineColor{0, 0, 0};     ///< ring around each dot
    /// Write each point's index next to it.
    bool indices = false;
    /// Join the iBUG-68 contours (jaw, brows, nose, eyes, lips) when there
    /// are exactly 68 points.
    bool connect = true;
    cv::Scalar lineColor{255, 200, 60};
};

/// Points in continuous pixel coordinates, one per row: pixel (i, j) covers
/// [i, i+1) x [j, j+1), so (10.5, 20.5) is the centre of pixel (10, 20).
using LandmarkPoints = Eigen::Ref<const Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor>>;

/// A copy of `bgr` with `points` drawn as anti-aliased dots, sub-pixel exact.
/// `visible` holds one flag per point (1 = visible) or is empty (all
/// visible). Non-finite points, and points over a million pixels out, are
/// skipped, and so are lines that touch them.
cv::Mat drawLandmarks(const cv::Mat& bgr, const LandmarkPoints& points, const std::vector<std::uint8_t>& visible,
                      const LandmarkStyle& style = {});

/// Class ids (CV_8UC1) -> their table colours; ids the table lacks are magenta.
cv::Mat colorizeSegmentation(const cv::Mat& ids, const ClassTable& table);

/// `bgr` with each non-background pixel mixed toward its class colour:
/// (1 - alpha) * image + alpha * colour, and the edge of every class region
/// darkened as a 1-pixel outline. Background (id 0) pixels are left as they
/// are. `ids` must be CV_8UC1 of the image's size; alpha in [0, 1].
cv::Mat blendSegmentation(const cv::Mat& bgr, const cv::Mat& ids, const ClassTable& table, float alpha = 0.5f);

/// Depth (CV_32FC1, 0 = background) -> Turbo colours, near warm and far
/// cool, over the 1st..99th percentile of the foreground depths. Background
/// is black; a constant depth gets the colour map's middle.
cv::Mat depthColormap(const cv::Mat& depth);

/// Camera-space normals (CV_32FC3 x, y, z) -> (n + 1) / 2 * 255 with R = x,
/// G = y, B = z. Zero (background) or non-finite normals are black.
cv::Mat normalsToBgr(const cv::Mat& normals);

/// Gap between contact sheet tiles and around them, in pixels.
constexpr int kContactSheetGap = 4;

/// Lays `tiles` (CV_8UC1 or CV_8UC3, any sizes) out row-major, each resized
/// to tileSize x tileSize, with a dark kContactSheetGap frame between and
/// around them: min(columns, n) * tileSize + (that + 1) * gap wide. Captions,
/// one per tile or none, go at each tile's bottom left ("" for none). Throws
/// std::invalid_argument for columns < 1, tileSize < 8, no tiles, a caption
/// count that does not match, or a tile of another type.
cv::Mat contactSheet(const std::vector<cv::Mat>& tiles, int columns, int tileSize,
                     const std::vector<std::string>& captions = {});

}  // namespace synthforge::annotate
