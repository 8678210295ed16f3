// Scene interpolation: the ends are the two scenes, the middle is the mean
// of every linear parameter, the latent code follows the great circle with
// its norm in between, and mismatched scenes are refused.

#include <gtest/gtest.h>

#include <cmath>

#include "core/scene/scene_interpolation.h"

namespace synthforge::scene {
namespace {

Scene sceneWith(float yaw, float shape0, std::uint64_t zSeed) {
    Scene s;
    s.params.shape = Eigen::VectorXf::Zero(4);
    s.params.shape[0] = shape0;
    s.params.expr = Eigen::VectorXf::Constant(3, shape0 / 2);
    s.params.pose[3 * 2] = shape0 / 10;  // the jaw
    s.camera.yaw = yaw;
    s.zSeed = zSeed;
    return s;
}

TEST(SceneInterpolation, EndsAreTheScenesAndTheMiddleIsBetween) {
    const Scene a = sceneWith(-0.4f, 1.0f, 1), b = sceneWith(0.6f, -1.0f, 2);
    const int dim = 64;
    const Scene s0 = interpolateScenes(a, b, 0.0, dim), s1 = interpolateScenes(a, b, 1.0, dim);
    EXPECT_TRUE(s0.params.shape.isApprox(a.params.shape));
    EXPECT_NEAR(s0.camera.yaw, a.camera.yaw, 1e-7);
    EXPECT_TRUE(s0.z.isApprox(a.latent(dim), 1e-5f));
    EXPECT_TRUE(s1.z.isApprox(b.latent(dim), 1e-5f));
    EXPECT_NEAR(s1.camera.yaw, b.camera.yaw, 1e-7);
    const Scene mid = interpolateScenes(a, b, 0.5, dim);
    EXPECT_NEAR(mid.camera.yaw, 0.1f, 1e-6);
    EXPECT_NEAR(mid.params.shape[0], 0.0f, 1e-6);
    EXPECT_NEAR(mid.params.pose[6], 0.0f, 1e-6);
    // The latent midpoint: equal angles to both ends, norm the mean of theirs.
    const Eigen::VectorXd za = a.latent(dim).cast<double>(), zb = b.latent(dim).cast<double>(),
                          zm = mid.z.cast<double>();
    const auto angle = [](const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
        return std::acos(std::clamp(x.normalized().dot(y.normalized()), -1.0, 1.0));
    };
    EXPECT_NEAR(angle(za, zm), angle(zm, zb), 1e-5);
    EXPECT_NEAR(angle(za, zm) + angle(zm, zb), angle(za, zb), 1e-5);
    EXPECT_NEAR(zm.norm(), 0.5 * (za.norm() + zb.norm()), 1e-3);
    // A straight average would shrink the code; the slerp does not.
    EXPECT_GT(zm.norm(), (0.5 * (za + zb)).norm());
}

TEST(SceneInterpolation, AssetsAreTheNearerEndsAndSwitchAtTheMiddle) {
    Scene a = sceneWith(0.0f, 0.0f, 1), b = sceneWith(0.0f, 0.0f, 2);
    generate::AssetSpec cap;
    cap.type = generate::AssetType::Headwear;
    cap.id = 7;
    b.assets = {cap};
    EXPECT_TRUE(interpolateScenes(a, b, 0.0, 64).assets.empty());
    EXPECT_TRUE(interpolateScenes(a, b, 0.49, 64).assets.empty());
    ASSERT_EQ(interpolateScenes(a, b, 0.5, 64).assets.size(), 1u);
    EXPECT_EQ(interpolateScenes(a, b, 1.0, 64).assets[0].id, 7u);
}

TEST(SceneInterpolation, RefusesMismatchedScenesAndBadT) {
    Scene a = sceneWith(0, 0, 1), b = sceneWith(0, 0, 2);
    EXPECT_THROW(interpolateScenes(a, b, 1.5, 8), std::invalid_argument);
    b.width = 256;
    EXPECT_THROW(interpolateScenes(a, b, 0.5, 8), std::invalid_argument);
    b = a;
    b.headModel = "flame.pkl";
    try {
        interpolateScenes(a, b, 0.5, 8);
        FAIL() << "accepted two head models";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).rfind("head_model:", 0), 0u) << e.what();
    }
    // Collinear codes fall back to a linear blend.
    Eigen::VectorXf z = Eigen::VectorXf::Ones(4);
    EXPECT_TRUE(slerpLatent(z, 2 * z, 0.5).isApprox(1.5 * z));
    EXPECT_THROW(slerpLatent(z, Eigen::VectorXf::Ones(3), 0.5), std::invalid_argument);
}

}  // namespace
}  // namespace synthforge::scene
