#include <gtest/gtest.h>

#include <cmath>

#include "core/head/lbs.h"
#include "tests/support/tiny_head.h"

using namespace synthforge;
using namespace synthforge::head;

namespace {

constexpr float kPi = 3.14159265358979323846f;

Eigen::Matrix<float, kNumPoseValues, 1> poseWith(int joint, const Eigen::Vector3f& aa) {
    Eigen::Matrix<float, kNumPoseValues, 1> p = Eigen::Matrix<float, kNumPoseValues, 1>::Zero();
    p.segment<3>(3 * joint) = aa;
    return p;
}

}  // namespace

TEST(AxisAngle, KnownRotationsAndSmallAngles) {
    const Eigen::Matrix3f rz = axisAngleToMatrix(Eigen::Vector3f(0, 0, kPi / 2));
    EXPECT_TRUE((rz * Eigen::Vector3f::UnitX()).isApprox(Eigen::Vector3f::UnitY(), 1e-6f));
    EXPECT_TRUE(axisAngleToMatrix(Eigen::Vector3f::Zero()).isIdentity());
    // Near zero the Taylor branch must agree with Eigen's AngleAxis.
    const Eigen::Vector3f tiny(1e-7f, -2e-7f, 3e-7f);
    const Eigen::Matrix3f ref = Eigen::AngleAxisf(tiny.norm(), tiny.normalized()).toRotationMatrix();
    EXPECT_LT((axisAngleToMatrix(tiny) - ref).cwiseAbs().maxCoeff(), 1e-7f);
    const Eigen::Vector3f big(0.3f, -1.2f, 2.0f);
    const Eigen::Matrix3f r = axisAngleToMatrix(big);
    EXPECT_LT((r * r.transpose() - Eigen::Matrix3f::Identity()).cwiseAbs().maxCoeff(), 1e-6f);
    EXPECT_TRUE(r.isApprox(Eigen::AngleAxisf(big.norm(), big.normalized()).toRotationMatrix(), 1e-6f));
}

TEST(ContourBin, FollowsFlameMapping) {
    auto yaw = [](float deg) { return poseWith(kNeck, Eigen::Vector3f(0, deg * kPi / 180.0f, 0)); };
    EXPECT_EQ(contourBinForPose(yaw(0)), 0);
    EXPECT_EQ(contourBinForPose(yaw(20)), 20);
    EXPECT_EQ(contourBinForPose(yaw(39)), 39);
    EXPECT_EQ(contourBinForPose(yaw(60)), 39);   // clamped at +39
    EXPECT_EQ(contourBinForPose(yaw(-1)), 40);
    EXPECT_EQ(contourBinForPose(yaw(-20)), 59);
    EXPECT_EQ(contourBinForPose(yaw(-39)), 78);
    EXPECT_EQ(contourBinForPose(yaw(-60)), 78);
    // Global and neck yaw compose.
    Eigen::Matrix<float, kNumPoseValues, 1> both = yaw(10);
    both.segment<3>(0) = Eigen::Vector3f(0, 15 * kPi / 180.0f, 0);
    EXPECT_EQ(contourBinForPose(both), 25);
}

TEST(Lbs, ZeroParamsGiveTemplateAndRegressedJoints) {
    const HeadModel m = testutil::makeTinyHead();
    const HeadPose p = forward(m, HeadParams{});
    EXPECT_TRUE(p.vertices.isApprox(m.vTemplate, 1e-7f));
    const Eigen::Matrix<float, kNumJoints, 3> joints = m.jRegressor * m.vTemplate;
    EXPECT_TRUE(p.joints.isApprox(joints, 1e-6f));
    for (const auto& a : p.jointTransforms) EXPECT_TRUE(a.isIdentity(1e-6f));
}

TEST(Lbs, ShapeAndExpressionAreLinear) {
    const HeadModel m = testutil::makeTinyHead();
    HeadParams params;
    params.shape = Eigen::VectorXf::Zero(2);
    params.shape[1] = 2.0f;
    params.expr = Eigen::VectorXf::Unit(3, 2) * -1.5f;
    const HeadPose p = forward(m, params);
    Eigen::VectorXf expected = Eigen::Map<const Eigen::VectorXf>(m.vTemplate.data(), m.vTemplate.size());
    expected += 2.0f * m.shapedirs.col(1) - 1.5f * m.exprdirs.col(2);
    EXPECT_TRUE(Eigen::Map<const Eigen::VectorXf>(p.vertices.data(), p.vertices.size()).isApprox(expected, 1e-6f));
}

TEST(Lbs, GlobalRotationIsRigidAboutRootJoint) {
    const HeadModel m = testutil::makeTinyHead();
    HeadParams params;
    const Eigen::Vector3f aa(0.2f, 0.9f, -0.3f);
    params.pose = poseWith(kGlobal, aa);
    const HeadPose p = forward(m, params);
    const Eigen::Matrix3f R = axisAngleToMatrix(aa);
    const Eigen::RowVector3f j0 = (m.jRegressor * m.vTemplate).row(0);
    for (int v = 0; v < m.numVertices(); ++v) {
        const Eigen::RowVector3f expected = (R * (m.vTemplate.row(v) - j0).transpose()).transpose() + j0;
        EXPECT_TRUE(p.vertices.row(v).isApprox(expected, 1e-5f)) << "vertex " << v;
    }
}

TEST(Lbs, JawRotatesItsVerticesAboutTheJawJointThroughTheChain) {
    HeadModel m = testutil::makeTinyHead();
    m.posedirs.setZero();  // isolate skinning
    HeadParams params;
    const Eigen::Vector3f neck(0, 0.4f, 0), jaw(0.5f, 0, 0);
    params.pose = poseWith(kNeck, neck);
    params.pose.segment<3>(3 * kJaw) = jaw;
    const HeadPose p = forward(m, params);
    const Eigen::Matrix<float, kNumJoints, 3> J = m.jRegressor * m.vTemplate;
    const Eigen::Matrix3f Rn = axisAngleToMatrix(neck), Rj = axisAngleToMatrix(jaw);
    // Vertex 2 is bound to the jaw: x' = J1 + Rn (J2 - J1) + Rn Rj (x - J2).
    const Eigen::Vector3f x = m.vTemplate.row(2).transpose();
    const Eigen::Vector3f expected = J.row(1).transpose() + Rn * (J.row(2) - J.row(1)).transpose() +
                                     Rn * Rj * (x - J.row(2).transpose());
    EXPECT_TRUE(p.vertices.row(2).transpose().isApprox(expected, 1e-5f));
    // Vertex 0 is bound to the root and does not move.
    EXPECT_TRUE(p.vertices.row(0).isApprox(m.vTemplate.row(0), 1e-6f));
    // The posed jaw joint sits where the neck carries it.
    const Eigen::Vector3f jawJoint = J.row(1).transpose() + Rn * (J.row(2) - J.row(1)).transpose();
    EXPECT_TRUE(p.joints.row(2).transpose().isApprox(jawJoint, 1e-5f));
}

TEST(Lbs, PoseCorrectivesAddPosedirsTimesRotationFeatures) {
    const HeadModel m = testutil::makeTinyHead();
    HeadParams params;
    const Eigen::Vector3f neck(0.3f, -0.2f, 0.1f);
    params.pose = poseWith(kNeck, neck);
    ForwardOptions off;
    off.poseCorrectives = false;
    const HeadPose with = forward(m, params), without = forward(m, params, off);
    // Vertex 0 is bound to the root (identity transform): the difference is
    // exactly posedirs * feature, with feature = (R_neck - I) row-major.
    const Eigen::Matrix3f d = axisAngleToMatrix(neck) - Eigen::Matrix3f::Identity();
    Eigen::Matrix<float, kNumPoseFeatures, 1> feature = Eigen::Matrix<float, kNumPoseFeatures, 1>::Zero();
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) feature[3 * r + c] = d(r, c);
    const Eigen::Vector3f offset = (m.posedirs * feature).segment<3>(0);
    EXPECT_TRUE((with.vertices.row(0) - without.vertices.row(0)).transpose().isApprox(offset, 1e-4f));
    EXPECT_GT(offset.norm(), 1e-5f);
}

TEST(Lbs, TranslationMovesEverything) {
    const HeadModel m = testutil::makeTinyHead();
    HeadParams a, b;
    a.pose = poseWith(kJaw, Eigen::Vector3f(0.2f, 0, 0));
    b = a;
    b.transl = Eigen::Vector3f(0.1f, -0.2f, 0.3f);
    const HeadPose pa = forward(m, a), pb = forward(m, b);
    EXPECT_TRUE((pb.vertices.rowwise() - b.transl.transpose()).isApprox(pa.vertices, 1e-6f));
    EXPECT_TRUE((pb.joints.rowwise() - b.transl.transpose()).isApprox(pa.joints, 1e-6f));
    EXPECT_TRUE((pb.landmarks.rowwise() - b.transl.transpose()).isApprox(pa.landmarks, 1e-6f));
}

TEST(Lbs, StaticLandmarksAreBarycentricPointsOfPosedMesh) {
    const HeadModel m = testutil::makeTinyHead();
    HeadParams params;
    params.pose = poseWith(kJaw, Eigen::Vector3f(0.3f, 0.1f, 0));
    const HeadPose p = forward(m, params);
    ASSERT_EQ(p.landmarks.rows(), kNumLandmarks);
    EXPECT_EQ(p.contourBin, -1);
    for (int i = 0; i < kNumLandmarks; ++i) {
        const auto f = m.faces.row(m.landmarks.staticFaces[i]);
        const auto b = m.landmarks.staticBary.row(i);
        const Eigen::RowVector3f expected = b[0] * p.vertices.row(f[0]) + b[1] * p.vertices.row(f[1]) + b[2] * p.vertices.row(f[2]);
        EXPECT_TRUE(p.landmarks.row(i).isApprox(expected, 1e-6f)) << i;
    }
}

TEST(Lbs, DynamicContourFollowsNeckYaw) {
    const HeadModel m = testutil::makeTinyHeadWithContour();
    HeadParams params;
    params.pose = poseWith(kNeck, Eigen::Vector3f(0, -20 * kPi / 180.0f, 0));
    const HeadPose p = forward(m, params);
    ASSERT_EQ(p.contourBin, 59);
    ASSERT_EQ(p.landmarks.rows(), kNumLandmarks);
    for (int k = 0; k < kNumContourLandmarks; ++k) {
        const int face = m.landmarks.dynamicFaces(59, k);
        EXPECT_TRUE(p.landmarks.row(k).isApprox(p.vertices.row(m.faces(face, 0)), 1e-6f)) << k;
    }
    // Static points follow after the 17 contour points.
    const auto f = m.faces.row(m.landmarks.staticFaces[0]);
    const auto b = m.landmarks.staticBary.row(0);
    EXPECT_TRUE(p.landmarks.row(17).isApprox(
        b[0] * p.vertices.row(f[0]) + b[1] * p.vertices.row(f[1]) + b[2] * p.vertices.row(f[2]), 1e-6f));
}

TEST(Lbs, BatchEqualsSingleCalls) {
    const HeadModel m = testutil::makeTinyHeadWithContour();
    std::vector<HeadParams> batch(5);
    std::mt19937 rng(3);
    std::normal_distribution<float> n(0.0f, 1.0f);
    for (std::size_t b = 0; b < batch.size(); ++b) {
        batch[b].shape = Eigen::VectorXf::NullaryExpr(static_cast<Eigen::Index>(b % 4 + 1), [&] { return n(rng); });
        batch[b].expr = Eigen::VectorXf::NullaryExpr(static_cast<Eigen::Index>(b % 3), [&] { return n(rng); });
        batch[b].pose = Eigen::Matrix<float, kNumPoseValues, 1>::NullaryExpr([&] { return 0.3f * n(rng); });
        batch[b].transl = Eigen::Vector3f::NullaryExpr([&] { return 0.1f * n(rng); });
    }
    const auto out = forwardBatch(m, batch);
    ASSERT_EQ(out.size(), batch.size());
    for (std::size_t b = 0; b < batch.size(); ++b) {
        const HeadPose single = forward(m, batch[b]);
        EXPECT_LT((out[b].vertices - single.vertices).cwiseAbs().maxCoeff(), 1e-6f) << b;
        EXPECT_LT((out[b].landmarks - single.landmarks).cwiseAbs().maxCoeff(), 1e-6f) << b;
        EXPECT_EQ(out[b].contourBin, single.contourBin);
    }
    EXPECT_TRUE(forwardBatch(m, {}).empty());
}

TEST(Lbs, RejectsParametersLongerThanTheModelOrNotFinite) {
    const HeadModel m = testutil::makeTinyHead();
    HeadParams tooLong;
    tooLong.shape = Eigen::VectorXf::Zero(m.numShape() + 1);
    try {
        forward(m, tooLong);
        FAIL() << "expected an error";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("shape has 5 values"), std::string::npos) << e.what();
    }
    HeadParams exprLong;
    exprLong.expr = Eigen::VectorXf::Zero(m.numExpr() + 2);
    EXPECT_THROW(forward(m, exprLong), std::invalid_argument);
    HeadParams nan;
    nan.pose[4] = std::nanf("");
    try {
        forward(m, nan);
        FAIL() << "expected an error";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("pose[4]"), std::string::npos) << e.what();
    }
    HeadParams inf;
    inf.transl[1] = INFINITY;
    EXPECT_THROW(forwardBatch(m, {HeadParams{}, inf}), std::invalid_argument);
}

TEST(HeadModelValidate, NamesTheBrokenField) {
    auto expectError = [](const HeadModel& m, const std::string& needle) {
        try {
            m.validate("model.safetensors");
            FAIL() << "expected an error containing " << needle;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).rfind("model.safetensors: ", 0), 0u) << e.what();
        }
    };
    EXPECT_NO_THROW(testutil::makeTinyHead().validate("x"));
    EXPECT_NO_THROW(testutil::makeTinyHeadWithContour().validate("x"));
    HeadModel m = testutil::makeTinyHead();
    m.faces(3, 1) = 99;
    expectError(m, "faces: index out of range");
    m = testutil::makeTinyHead();
    m.weights(4, 0) = 0.5f;
    expectError(m, "weights: row 4 sums to");
    m = testutil::makeTinyHead();
    m.shapedirs(0, 0) = std::nanf("");
    expectError(m, "shapedirs: contains NaN");
    m = testutil::makeTinyHead();
    m.parents[3] = 4;
    expectError(m, "parents");
    m = testutil::makeTinyHead();
    m.jRegressor.conservativeResize(4, Eigen::NoChange);
    expectError(m, "J_regressor: is 4x10");
    m = testutil::makeTinyHead();
    m.landmarks.staticFaces.pop_back();
    expectError(m, "lmk_faces_idx: has 67 points");
    m = testutil::makeTinyHead();
    m.regions["nose"] = {1, 2, 300};
    expectError(m, "region 'nose'");
}
