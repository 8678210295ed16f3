// Head pose from landmarks (PnP, then the shape-aware refinement): on our own
// renders, whose camera is known, the fitted view direction matches the
// sampled one (exactly for neutral heads, within 3 degrees for sampled
// shapes once the shape is fitted too); bad input is refused.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <gtest/gtest.h>

#include "core/dataset/head_pose.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::dataset {
namespace {

constexpr double kDeg = 180.0 / 3.14159265358979323846;

/// Angle in degrees between the view directions of two orbit poses.
double viewAngleDeg(double yaw1, double pitch1, double yaw2, double pitch2) {
    auto dir = [](double yaw, double pitch) {
        const double y = -2.0 * pitch / 3.14159265358979323846, s = std::sqrt(std::max(0.0, 1.0 - y * y));
        return Eigen::Vector3d(s * std::sin(yaw), y, s * std::cos(yaw));
    };
    return std::acos(std::clamp(dir(yaw1, pitch1).dot(dir(yaw2, pitch2)), -1.0, 1.0)) * kDeg;
}

struct PoseErrors {
    double mean = 0, worst = 0;
};

enum class Fit { Rigid, Shape };

/// Fits every sample's pose from its rendered landmarks; `neutral` zeroes
/// shape, expression and jaw first (the rigid fit's model is the neutral head).
PoseErrors poseErrors(const generate::SamplePipeline& p, bool neutral, bool knownIntrinsics, Fit how) {
    const std::vector<Eigen::Vector3f> model = restLandmarks(*p.model);
    const LandmarkBasis basis = landmarkBasis(*p.model);
    PoseErrors e;
    const int n = 24;
    for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(n); ++i) {
        generate::SampleSpec spec = generate::drawSample(p.sampler, *p.model, 11, i);
        if (neutral) {
            spec.params.shape.setZero();
            spec.params.expr.setZero();
            spec.params.pose.setZero();
        }
        const generate::RenderedSample s = p.render(spec);
        const Eigen::Matrix3f k = spec.camera.intrinsicsPixels(p.width, p.height);
        const double f = knownIntrinsics ? k(0, 0) : 4.0 * p.width, cx = knownIntrinsics ? k(0, 2) : 0.5 * p.width,
                     cy = knownIntrinsics ? k(1, 2) : 0.5 * p.height;
        const HeadPose fit = how == Fit::Rigid ? estimateHeadPose(s.annotations.landmarks2d, model, f, cx, cy)
                                               : estimateHeadPose(s.annotations.landmarks2d, basis, f, cx, cy);
        const double a = viewAngleDeg(fit.yaw, fit.pitch, spec.camera.yaw, spec.camera.pitch);
        e.mean += a / n;
        e.worst = std::max(e.worst, a);
    }
    return e;
}

TEST(HeadPosePnp, MatchesTheSampledCameraOnOurRenders) {
    const generate::SamplePipeline p = testutil::tinyPipeline(256);
    // The neutral head is the rigid fit's own model: the orbit angles come
    // back exactly, and the shape-aware fit keeps them.
    EXPECT_LT(poseErrors(p, true, true, Fit::Rigid).worst, 0.05);
    EXPECT_LT(poseErrors(p, true, true, Fit::Shape).worst, 0.05);
    // Sampled heads (20 shape and 10 expression components in +-2 sigma):
    // the neutral model fits them only approximately; fitting the shape too
    // brings the view direction within 3 degrees.
    const PoseErrors rigid = poseErrors(p, false, true, Fit::Rigid);
    const PoseErrors shaped = poseErrors(p, false, true, Fit::Shape);
    const PoseErrors guessed = poseErrors(p, false, false, Fit::Shape);  // focal = 4x the image side
    std::printf("View-direction error over 24 renders: rigid PnP mean %.2f, worst %.2f; with the shape fit mean %.2f, "
                "worst %.2f; guessed focal mean %.2f, worst %.2f\n",
                rigid.mean, rigid.worst, shaped.mean, shaped.worst, guessed.mean, guessed.worst);
    // Measured 2026-12-05: rigid mean 4.0, worst 9.7; shape fit mean 0.38,
    // worst 1.17; guessed focal mean 0.55, worst 1.37 (on 144 renders of
    // three seeds the shape fit's worst was 2.8, head_pose.h).
    EXPECT_LT(rigid.mean, 5.0);
    EXPECT_LT(shaped.mean, 1.0);
    EXPECT_LT(shaped.worst, 3.0);
    EXPECT_LT(guessed.mean, 1.0);
    EXPECT_LT(guessed.worst, 3.0);
}

TEST(HeadPosePnp, RefusesBadInput) {
    const generate::SamplePipeline p = testutil::tinyPipeline(64);
    const std::vector<Eigen::Vector3f> model = restLandmarks(*p.model);
    Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> pts = p.render(1, 0).annotations.landmarks2d;
    EXPECT_THROW(estimateHeadPose(pts.topRows(30), model, 64, 32, 32), std::invalid_argument);
    EXPECT_THROW(estimateHeadPose(pts, model, 0.0, 32, 32), std::invalid_argument);
    auto missing = pts;
    for (int k : headPoseLandmarks()) missing(k, 0) = std::numeric_limits<float>::quiet_NaN();
    try {
        estimateHeadPose(missing, model, 64, 32, 32);
        FAIL() << "fitted without points";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("at least 6"), std::string::npos) << e.what();
    }
    const LandmarkBasis basis = landmarkBasis(*p.model);
    EXPECT_THROW(estimateHeadPose(pts.topRows(30), basis, 64, 32, 32), std::invalid_argument);
    EXPECT_THROW(estimateHeadPose(missing, basis, 64, 32, 32), std::invalid_argument);
    HeadPoseFitOptions negative;
    negative.priorWeight = -1;
    EXPECT_THROW(estimateHeadPose(pts, basis, 64, 32, 32, negative), std::invalid_argument);
    EXPECT_THROW(landmarkBasis(*p.model, -1, 0), std::invalid_argument);
    head::HeadModel bare = *p.model;
    bare.landmarks = head::LandmarkEmbedding{};
    EXPECT_THROW(restLandmarks(bare), std::invalid_argument);
    EXPECT_THROW(landmarkBasis(bare), std::invalid_argument);
}

}  // namespace
}  // namespace synthforge::dataset

