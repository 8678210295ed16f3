// Resampling between the image and the crop (see crop_warp.h).

#include "core/train/crop_warp.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "core/camera/similarity2d_cv.h"

namespace synthforge::train {

namespace {

bool nearInteger(double v, int* out) {
    const double r = std::round(v);
    if (std::abs(v - r) > 1e-6 || std::abs(r) > 1e9) return false;
    if (out) *out = static_cast<int>(r);
    return true;
}

}  // namespace

bool isPixelAlignedCrop(const Similarity2d& crop, int size, int* x, int* y, int* side) {
    if (crop.b != 0 || !(crop.a > 0)) return false;
    int s = 0;
    if (!nearInteger(size / crop.a, &s) || s < 1) return false;
    if (!nearInteger(-crop.tx / crop.a, x) || !nearInteger(-crop.ty / crop.a, y)) return false;
    if (side) *side = s;
    return true;
}

cv::Mat warpToCrop(const cv::Mat& image, const Similarity2d& crop, int size, EnlargeFilter enlarge) {
    if (image.empty() || size < 1) throw std::invalid_argument("warpToCrop: empty image or size < 1");
    int x = 0, y = 0, side = 0;
    // The cut-out path allocates the whole square: only for squares about the
    // image's size (a hostile face box may ask for a million pixels a side).
    const int bound = std::min(8192, 2 * std::max({image.cols, image.rows, size}));
    if (isPixelAlignedCrop(crop, size, &x, &y, &side) && side <= bound) {
        // Cut the square (zero padding where it leaves the image), then resize like the loaders.
        cv::Mat square(side, side, image.type(), cv::Scalar::all(0));
        const cv::Rect inside = cv::Rect(x, y, side, side) & cv::Rect(0, 0, image.cols, image.rows);
        if (inside.area() > 0) image(inside).copyTo(square(cv::Rect(inside.x - x, inside.y - y, inside.width, inside.height)));
        if (side == size) return square;
        const int filter = side > size || enlarge == EnlargeFilter::Area ? cv::INTER_AREA : cv::INTER_LINEAR;
        cv::Mat out;
        cv::resize(square, out, cv::Size(size, size), 0, 0, filter);
        return out;
    }
    cv::Mat out;
    if (crop.scale() >= 0.5) {
        cv::warpAffine(image, out, camera::warpMatrix(crop), cv::Size(size, size), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                       cv::Scalar::all(0));
        return out;
    }
    // Average pixels down to about the crop's scale first: bilinear reads
    // only 2x2 neighbours and would alias on a big shrink.
    const int w = std::max(1, static_cast<int>(std::lround(image.cols * crop.scale())));
    const int h = std::max(1, static_cast<int>(std::lround(image.rows * crop.scale())));
    cv::Mat shrunk;
    cv::resize(image, shrunk, cv::Size(w, h), 0, 0, cv::INTER_AREA);
    // The shrink D scales x by w/W and y by h/H (nearly uniform), so the
    // rest, crop ∘ D⁻¹, is a general affine: A diag(W/w, H/h), same shift.
    const double dx = static_cast<double>(image.cols) / w, dy = static_cast<double>(image.rows) / h;
    cv::Mat m = (cv::Mat_<double>(2, 3) << crop.a * dx, -crop.b * dy, crop.tx, crop.b * dx, crop.a * dy, crop.ty);
    // To pixel-centre indices on both sides: t' = t + M (0.5, 0.5) - 0.5.
    m.at<double>(0, 2) += 0.5 * (m.at<double>(0, 0) + m.at<double>(0, 1)) - 0.5;
    m.at<double>(1, 2) += 0.5 * (m.at<double>(1, 0) + m.at<double>(1, 1)) - 0.5;
    cv::warpAffine(shrunk, out, m, cv::Size(size, size), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    return out;
}

cv::Mat warpFromCrop(const cv::Mat& cropMap, const Similarity2d& crop, cv::Size imageSize, bool nearest,
                     double outside) {
    if (cropMap.empty() || imageSize.width < 1 || imageSize.height < 1)
        throw std::invalid_argument("warpFromCrop: empty map or image size");
    cv::Mat out;
    // WARP_INVERSE_MAP: out(p) = map(M p), M = the crop's image -> crop matrix.
    cv::warpAffine(cropMap, out, camera::warpMatrix(crop), imageSize,
                   (nearest ? cv::INTER_NEAREST : cv::INTER_LINEAR) | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT,
                   cv::Scalar::all(outside));
    return out;
}

cv::Mat cropCoverage(const Similarity2d& crop, int size, cv::Size imageSize) {
    cv::Mat out(imageSize, CV_8UC1);
    for (int y = 0; y < imageSize.height; ++y) {
        auto* row = out.ptr<unsigned char>(y);
        for (int x = 0; x < imageSize.width; ++x) {
            const Eigen::Vector2d q = crop.apply(Eigen::Vector2d(x + 0.5, y + 0.5));
            row[x] = q.x() >= 0 && q.x() < size && q.y() >= 0 && q.y() < size ? 255 : 0;
        }
    }
    return out;
}

cv::Mat classIdsInImage(const std::vector<cv::Mat>& scores, const Similarity2d& crop, cv::Size imageSize,
                        unsigned char outsideId) {
    if (scores.empty() || scores.size() > 255) throw std::invalid_argument("classIdsInImage: 1..255 score maps");
    const cv::Size s = scores.front().size();
    cv::Mat best(imageSize, CV_32FC1, cv::Scalar(-INFINITY)), ids(imageSize, CV_8UC1, cv::Scalar(0));
    for (std::size_t c = 0; c < scores.size(); ++c) {
        if (scores[c].size() != s || scores[c].type() != CV_32FC1)
            throw std::invalid_argument("classIdsInImage: score maps must all be CV_32FC1 of one size");
        const cv::Mat m = warpFromCrop(scores[c], crop, imageSize, false, 0.0);
        const cv::Mat better = m > best;
        m.copyTo(best, better);
        ids.setTo(static_cast<int>(c), better);
    }
    ids.setTo(outsideId, cropCoverage(crop, s.width, imageSize) == 0);
    return ids;
}

}  // namespace synthforge::train
