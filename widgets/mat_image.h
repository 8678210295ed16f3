#pragma once
// An OpenCV picture as a Qt one: the studio's views compose in cv::Mat
// (8-bit BGR, as core/ draws) and show QImage.

#include <QImage>
#include <opencv2/core/mat.hpp>

namespace synthforge::widgets {

/// A deep copy of an 8-bit BGR image (CV_8UC3) as a QImage. QImage's
/// Format_BGR888 has OpenCV's channel order; copy() detaches it from the Mat.
inline QImage toQImage(const cv::Mat& bgr) {
    return QImage(bgr.data, bgr.cols, bgr.rows, static_cast<qsizetype>(bgr.step), QImage::Format_BGR888).copy();
}

}  // namespace synthforge::widgets
