// Aligning a face to the FFHQ 512 template from our landmarks and pasting a
// restored face back: the five points land on the template, an untouched
// face pastes back to the image, and only the face region changes.

#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "core/dataset/image_files.h"
#include "core/dataset/sample_paths.h"
#include "core/dataset/stored_sample.h"
#include "core/generate/samplers/fr_crop.h"
#include "core/transfer/face_paste.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::transfer {
namespace {

/// A smooth image (resampling it twice changes it little) and one sample's landmarks.
struct Face {
    cv::Mat image;
    head::RowMatX2f landmarks;
};

Face smoothFace() {
    testutil::TempDir dir;
    testutil::writeTinyDataset(dir.path / "ds", 8, 12);
    // The most frontal of eight renders (a profile does not fit a frontal template).
    dataset::StoredSample best;
    for (const std::string& n : dataset::listCompleteSamples((dir.path / "ds").string())) {
        const dataset::StoredSample s = dataset::readStoredAnnotation((dir.path / "ds").string(), n, {64, 64});
        if (best.name.empty() || std::abs(s.yaw) < std::abs(best.yaw)) best = s;
    }
    // Its landmarks scaled 4x into the middle of a 768 x 768 gentle gradient,
    // so that the FFHQ square (face plus context) lies inside the image.
    Face f;
    f.landmarks = (best.landmarks * 4.0f).array() + 256.0f;
    f.image = cv::Mat(768, 768, CV_8UC3);
    for (int y = 0; y < 768; ++y)
        for (int x = 0; x < 768; ++x)
            f.image.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(x / 4), static_cast<uchar>(y / 4), 90);
    return f;
}

TEST(FacePaste, FivePointsLandOnTheFfhqTemplate) {
    const Face f = smoothFace();
    const camera::Similarity2d s = ffhqAlignTransform(f.landmarks, 512);
    const camera::Points2d mapped = s.apply(generate::fivePoints(f.landmarks));
    const camera::Points2d want = (ffhqTemplate(512).array() + 0.5).matrix();
    // Least squares with a translation puts the centroids together exactly;
    // five points of another face's proportions (our default head against
    // FFHQ's average) keep a residual, measured 16 px, small against the
    // template's 126-pixel eye distance.
    EXPECT_LT((mapped.colwise().mean() - want.colwise().mean()).norm(), 1e-6);
    EXPECT_LT((mapped - want).rowwise().norm().maxCoeff(), 25.0);
    EXPECT_NEAR(ffhqTemplate(256)(1, 0), 318.90277 / 2, 1e-9);
    head::RowMatX2f bad = f.landmarks;
    bad(36, 0) = NAN;
    EXPECT_THROW(ffhqAlignTransform(bad, 512), std::invalid_argument);
}

TEST(FacePaste, AnUntouchedFacePastesBackAndOnlyTheFaceChanges) {
    const Face f = smoothFace();
    const camera::Similarity2d s = ffhqAlignTransform(f.landmarks, 512);
    const cv::Mat face = warpFace(f.image, s, 512);
    ASSERT_EQ(face.size(), cv::Size(512, 512));
    const cv::Mat same = pasteFace(f.image, face, s, 4);
    EXPECT_LE(cv::norm(same, f.image, cv::NORM_INF), 3.0);  // two bilinear resamplings of a gradient
    // A red face: the nose tip turns red, the image's corners stay.
    const cv::Mat red = pasteFace(f.image, cv::Mat(512, 512, CV_8UC3, cv::Scalar(0, 0, 255)), s, 4);
    const cv::Point nose(static_cast<int>(f.landmarks(30, 0)), static_cast<int>(f.landmarks(30, 1)));
    EXPECT_EQ(red.at<cv::Vec3b>(nose), cv::Vec3b(0, 0, 255));
    for (const cv::Point corner : {cv::Point(0, 0), cv::Point(767, 0), cv::Point(0, 767), cv::Point(767, 767)})
        EXPECT_EQ(red.at<cv::Vec3b>(corner), f.image.at<cv::Vec3b>(corner)) << corner;
    // The feather: between untouched and fully red there are blended pixels.
    int blended = 0;
    for (int x = 0; x < 768; ++x) {
        const uchar r = red.at<cv::Vec3b>(nose.y, x)[2];
        blended += r != 255 && r != f.image.at<cv::Vec3b>(nose.y, x)[2] ? 1 : 0;
    }
    EXPECT_GT(blended, 2);
    EXPECT_THROW(pasteFace(f.image, cv::Mat(10, 12, CV_8UC3), s, 4), std::invalid_argument);
}

}  // namespace
}  // namespace synthforge::transfer
