#include "core/transfer/face_paste.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "core/camera/similarity2d_cv.h"
#include "core/generate/samplers/fr_crop.h"

namespace synthforge::transfer {

camera::Points2d ffhqTemplate(int side) {
    camera::Points2d t(5, 2);
    t << 192.98138, 239.94708, 318.90277, 240.19360, 256.63416, 314.01935, 201.26117, 371.41043, 313.08905, 371.15118;
    return t * (side / 512.0);
}

camera::Similarity2d ffhqAlignTransform(const head::RowMatX2f& landmarks68, int side) {
    const camera::Points2d src = generate::fivePoints(landmarks68);
    if (!src.allFinite()) throw std::invalid_argument("ffhqAlignTransform: a landmark is not finite");
    return camera::estimateSimilarity(src, (ffhqTemplate(side).array() + 0.5).matrix());
}

cv::Mat warpFace(const cv::Mat& image, const camera::Similarity2d& s, int side) {
    cv::Mat out;
    cv::warpAffine(image, out, camera::warpMatrix(s), cv::Size(side, side), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return out;
}

cv::Mat pasteFace(const cv::Mat& image, const cv::Mat& face, const camera::Similarity2d& s, int feather) {
    if (image.type() != CV_8UC3 || face.type() != CV_8UC3 || face.rows != face.cols)
        throw std::invalid_argument("pasteFace: an 8-bit BGR image and a square 8-bit BGR face");
    const cv::Mat back = camera::warpMatrix(s.inverse());
    cv::Mat restored;
    cv::warpAffine(face, restored, back, image.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    // The face square in the image, shrunk by `feather` and blurred by as much.
    cv::Mat square(face.size(), CV_32F, cv::Scalar(1));
    cv::Mat mask;
    cv::warpAffine(square, mask, back, image.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
    if (feather > 0) {
        cv::erode(mask, mask, cv::getStructuringElement(cv::MORPH_RECT, {2 * feather + 1, 2 * feather + 1}));
        cv::blur(mask, mask, {2 * feather + 1, 2 * feather + 1});
    }
    cv::Mat out(image.size(), CV_8UC3);
    for (int y = 0; y < image.rows; ++y) {
        const auto* a = image.ptr<cv::Vec3b>(y);
        const auto* b = restored.ptr<cv::Vec3b>(y);
        const float* m = mask.ptr<float>(y);
        auto* o = out.ptr<cv::Vec3b>(y);
        for (int x = 0; x < image.cols; ++x) {
            const float w = std::clamp(m[x], 0.0f, 1.0f);
            for (int c = 0; c < 3; ++c) o[x][c] = cv::saturate_cast<uchar>(a[x][c] + w * (b[x][c] - a[x][c]));
        }
    }
    return out;
}

}  // namespace synthforge::transfer
