// A fitted alignment correction moves the labels, not the image: the
// generator stays conditioned on the head the sampler drew.

#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "core/camera/orbit_camera.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::generate {
namespace {

TEST(PipelineCorrection, LabelsFollowTheCorrectionAndTheImageDoesNot) {
    SamplePipeline p = testutil::tinyPipeline(96);
    const RenderedSample plain = p.render(3, 1);
    Eigen::Matrix4f c = Eigen::Matrix4f::Identity();
    c(0, 3) = 0.01f;  // 1 cm toward the subject's left
    p.correction = c;
    const RenderedSample moved = p.render(3, 1);

    // The image is the generator's alone: identical.
    ASSERT_EQ(plain.image.image.size(), moved.image.image.size());
    EXPECT_EQ(cv::norm(plain.image.image, moved.image.image, cv::NORM_INF), 0.0);
    // The posed head and every landmark moved by exactly the translation...
    EXPECT_NEAR((moved.pose.vertices - plain.pose.vertices).col(0).mean(), 0.01f, 1e-6f);
    EXPECT_NEAR((moved.pose.landmarks - plain.pose.landmarks).col(1).cwiseAbs().maxCoeff(), 0.0f, 1e-6f);
    // ...and the 2D landmarks moved as their projection says (the inner 51:
    // the contour's 17 are re-placed for the camera's view).
    const auto& a = plain.annotations.landmarks2d;
    const auto& b = moved.annotations.landmarks2d;
    ASSERT_EQ(a.rows(), b.rows());
    for (Eigen::Index i = 17; i < a.rows(); ++i) {
        const Eigen::Vector3f w = moved.pose.landmarks.row(i).transpose();
        const camera::Projection pr = moved.spec.camera.pinhole().project(camera::flameToWorld(w), 96, 96);
        EXPECT_NEAR(b(i, 0), pr.pixel.x(), 1e-3f);
        EXPECT_NEAR(b(i, 1), pr.pixel.y(), 1e-3f);
    }
    EXPECT_GT((b - a).rowwise().norm().mean(), 0.5f);  // a centimetre is several pixels at 96²
}

}  // namespace
}  // namespace synthforge::generate
