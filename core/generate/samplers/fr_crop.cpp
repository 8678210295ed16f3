#include "core/generate/samplers/fr_crop.h"

#include "core/camera/similarity2d_cv.h"

#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "core/dataset/sample_paths.h"

namespace synthforge::generate {

camera::Points2d arcFaceTemplate() {
    camera::Points2d t(5, 2);
    t << 38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041;
    return t;
}

camera::Points2d fivePoints(const head::RowMatX2f& l) {
    if (l.rows() < 68) throw std::invalid_argument("fivePoints: need 68 landmarks, got " + std::to_string(l.rows()));
    camera::Points2d p(5, 2);
    // iBUG 36-41 is the subject's right eye, on the image's left: the
    // template's first point.
    p.row(0) = l.middleRows(36, 6).colwise().mean().cast<double>();
    p.row(1) = l.middleRows(42, 6).colwise().mean().cast<double>();
    p.row(2) = l.row(30).cast<double>();
    p.row(3) = l.row(48).cast<double>();
    p.row(4) = l.row(54).cast<double>();
    return p;
}

camera::Similarity2d frCropTransform(const head::RowMatX2f& landmarks2d) {
    const camera::Points2d src = fivePoints(landmarks2d);
    if (!src.allFinite()) throw std::invalid_argument("frCropTransform: a landmark is not finite (behind the camera)");
    return camera::estimateSimilarity(src, (arcFaceTemplate().array() + 0.5).matrix());
}

cv::Mat alignedFrCrop(const cv::Mat& image, const head::RowMatX2f& landmarks2d) {
    const camera::Similarity2d s = frCropTransform(landmarks2d);
    cv::Mat out;
    cv::warpAffine(image, out, camera::warpMatrix(s), cv::Size(kFrCropSize, kFrCropSize), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return out;
}

std::string frCropPath(std::uint64_t identity, std::uint64_t identities, const std::string& sampleName) {
    return "fr/" + dataset::sampleName(identity, dataset::indexDigits(identities)) + "/" + sampleName + ".png";
}

}  // namespace synthforge::generate
