#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <Eigen/Geometry>
#include <Eigen/LU>

#include "core/camera/orbit_camera.h"

using namespace synthforge::camera;

namespace {

constexpr float kPi = 3.14159265358979323846f;

OrbitCamera makeCamera(float yaw, float pitch, float fov = 18.0f, float radius = 2.7f) {
    OrbitCamera c;
    c.yaw = yaw;
    c.pitch = pitch;
    c.eg3dFovDeg = fov;
    c.radius = radius;
    return c;
}

/// Expects `fn` to throw std::invalid_argument whose message contains `field`.
template <typename Fn>
void expectInvalid(Fn&& fn, const std::string& field) {
    try {
        fn();
        ADD_FAILURE() << "no exception, expected one naming " << field;
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
}

}  // namespace

TEST(FlameToWorld, FollowsDesignFormula) {
    // (X + [0, -0.01, -0.01]) * 2.5, then z += sqrt(2)/10.
    EXPECT_TRUE(flameToWorld(Eigen::Vector3f(0, 0.01f, 0.01f)).isApprox(Eigen::Vector3f(0, 0, std::sqrt(2.0f) / 10), 1e-6f));
    const Eigen::Vector3f x(0.03f, -0.2f, 0.11f);
    const Eigen::Vector3f expected((0.03f) * 2.5f, (-0.21f) * 2.5f, 0.10f * 2.5f + std::sqrt(2.0f) / 10);
    EXPECT_TRUE(flameToWorld(x).isApprox(expected, 1e-6f));
    const Eigen::Vector4f h = flameToWorldMatrix() * x.homogeneous();
    EXPECT_TRUE(h.head<3>().isApprox(expected, 1e-6f));
    EXPECT_FLOAT_EQ(h.w(), 1.0f);

    Points3f pts(2, 3);
    pts << 0.03f, -0.2f, 0.11f, 0, 0.01f, 0.01f;
    const Points3f w = transformPoints(flameToWorldMatrix(), pts);
    EXPECT_TRUE(Eigen::Vector3f(w.row(0)).isApprox(expected, 1e-6f));
    EXPECT_NEAR(w(1, 2), std::sqrt(2.0f) / 10, 1e-6f);
}

TEST(Intrinsics, Eg3dFocalAndTrueFov) {
    const float f = focalFromEg3dFov(18.0f);
    EXPECT_NEAR(f, 1.0 / (std::tan(9.0 * M_PI / 180.0) * 1.414), 1e-5);
    EXPECT_NEAR(eg3dFovFromFocal(f), 18.0f, 1e-4f);
    EXPECT_NEAR(trueFovDeg(f), 2.0 * std::atan(1.0 / (2.0 * f)) * 180.0 / M_PI, 1e-4);
    EXPECT_LT(trueFovDeg(f), 18.0f);  // EG3D's 1.414 makes its FOV larger than the true one

    const OrbitCamera cam;
    const Eigen::Matrix3f kn = cam.intrinsicsNormalised();
    EXPECT_FLOAT_EQ(kn(0, 0), f);
    EXPECT_FLOAT_EQ(kn(1, 1), f);
    EXPECT_FLOAT_EQ(kn(0, 2), 0.5f);
    EXPECT_FLOAT_EQ(kn(1, 2), 0.5f);
    const Eigen::Matrix3f kp = cam.intrinsicsPixels(512, 512);
    EXPECT_NEAR(kp(0, 0), f * 512, 1e-3f);
    EXPECT_NEAR(kp(1, 1), f * 512, 1e-3f);
    EXPECT_FLOAT_EQ(kp(0, 2), 256.0f);
    EXPECT_FLOAT_EQ(kp(1, 2), 256.0f);
    EXPECT_NEAR(cam.verticalFovDeg(), trueFovDeg(f), 1e-5f);
}

TEST(OrbitCamera, FrontalLooksAlongMinusZAtTheFace) {
    const OrbitCamera cam;  // yaw = pitch = 0
    const Eigen::Matrix4f c2w = cam.cam2world();
    EXPECT_TRUE(cam.position().isApprox(Eigen::Vector3f(0, 0, 2.7f), 1e-6f));
    EXPECT_TRUE(Eigen::Vector3f(c2w.block<3, 1>(0, 3)).isApprox(Eigen::Vector3f(0, 0, 2.7f), 1e-6f));
    EXPECT_TRUE(Eigen::Vector3f(c2w.block<3, 1>(0, 0)).isApprox(Eigen::Vector3f::UnitX(), 1e-6f));   // right
    EXPECT_TRUE(Eigen::Vector3f(c2w.block<3, 1>(0, 1)).isApprox(-Eigen::Vector3f::UnitY(), 1e-6f));  // image down
    EXPECT_TRUE(Eigen::Vector3f(c2w.block<3, 1>(0, 2)).isApprox(-Eigen::Vector3f::UnitZ(), 1e-6f));  // forward

    // FLAME's face looks toward +z: the nose side is nearer than the back of the head.
    const Projection nose = cam.project(flameToWorld(Eigen::Vector3f(0, 0, 0.1f)), 512, 512);
    const Projection back = cam.project(flameToWorld(Eigen::Vector3f(0, 0, -0.1f)), 512, 512);
    EXPECT_GT(nose.depth, 0.0f);
    EXPECT_LT(nose.depth, back.depth);
    // World up is image up, the subject's left (+x) is image right.
    const Projection top = cam.project(flameToWorld(Eigen::Vector3f(0, 0.1f, 0)), 512, 512);
    const Projection left = cam.project(flameToWorld(Eigen::Vector3f(0.05f, 0, 0)), 512, 512);
    const Projection centre = cam.project(flameToWorld(Eigen::Vector3f(0, 0, 0)), 512, 512);
    EXPECT_LT(top.pixel.y(), centre.pixel.y());
    EXPECT_GT(left.pixel.x(), centre.pixel.x());
}

TEST(OrbitCamera, YawAndPitchDirections) {
    EXPECT_GT(makeCamera(0.5f, 0).position().x(), 0.0f);   // yaw > 0: toward +x (subject's left)
    EXPECT_LT(makeCamera(-0.5f, 0).position().x(), 0.0f);
    EXPECT_LT(makeCamera(0, 0.3f).position().y(), 0.0f);   // pitch > 0: camera below
    EXPECT_GT(makeCamera(0, -0.3f).position().y(), 0.0f);
    // EG3D's vertical parameter: elevation = -asin(2 pitch / pi); radius from the origin.
    const OrbitCamera c = makeCamera(0.2f, 0.4f, 20.0f, 3.0f);
    const Eigen::Vector3f p = c.position();
    EXPECT_NEAR(p.norm(), 3.0f, 1e-5f);
    EXPECT_NEAR(std::asin(p.y() / p.norm()), -std::asin(2 * 0.4f / kPi), 1e-5f);
    EXPECT_NEAR(std::atan2(p.x(), p.z()), 0.2f, 1e-5f);
}

TEST(OrbitCamera, Cam2WorldIsRigidWithDetPlusOne) {
    for (float yaw : {-1.2f, -0.8f, 0.0f, 0.3f, 0.8f, 2.5f})
        for (float pitch : {-1.4f, -0.8f, 0.0f, 0.5f, 0.8f, 1.5f}) {
            const Eigen::Matrix4f m = makeCamera(yaw, pitch).cam2world();
            const Eigen::Matrix3f r = m.topLeftCorner<3, 3>();
            EXPECT_LT((r.transpose() * r - Eigen::Matrix3f::Identity()).cwiseAbs().maxCoeff(), 1e-6f);
            EXPECT_NEAR(r.determinant(), 1.0f, 1e-6f);
            EXPECT_TRUE(m.row(3).isApprox(Eigen::RowVector4f(0, 0, 0, 1)));
            // No roll: the right axis stays horizontal.
            EXPECT_NEAR(r(1, 0), 0.0f, 1e-6f);
            // world2cam inverts cam2world.
            EXPECT_TRUE((makeCamera(yaw, pitch).world2cam() * m).isIdentity(1e-5f));
        }
}

TEST(OrbitCamera, PivotProjectsToImageCentre) {
    for (float yaw : {-0.8f, 0.0f, 0.6f})
        for (float pitch : {-0.8f, 0.0f, 0.4f}) {
            const OrbitCamera cam = makeCamera(yaw, pitch, 22.0f);
            const Projection p = cam.project(cam.pivot, 512, 512);
            EXPECT_NEAR(p.pixel.x(), 256.0f, 1e-3f);
            EXPECT_NEAR(p.pixel.y(), 256.0f, 1e-3f);
            EXPECT_NEAR(p.depth, (cam.position() - cam.pivot).norm(), 1e-5f);
            const Projection q = cam.project(cam.pivot, 640, 480);
            EXPECT_NEAR(q.pixel.x(), 320.0f, 1e-3f);
            EXPECT_NEAR(q.pixel.y(), 240.0f, 1e-3f);
        }
}

TEST(OrbitCamera, LateralOffsetFollowsPinholeFormula) {
    // Frontal camera: the pivot is 2.5 in front; 0.1 to world +x and up.
    const OrbitCamera frontal;
    const float fpx = frontal.focalNormalised() * 512;
    const Projection px = frontal.project(frontal.pivot + Eigen::Vector3f(0.1f, 0, 0), 512, 512);
    EXPECT_NEAR(px.pixel.x(), 256.0f + fpx * 0.1f / 2.5f, 1e-3f);
    EXPECT_NEAR(px.pixel.y(), 256.0f, 1e-3f);
    const Projection py = frontal.project(frontal.pivot + Eigen::Vector3f(0, 0.1f, 0), 512, 512);
    EXPECT_NEAR(py.pixel.y(), 256.0f - fpx * 0.1f / 2.5f, 1e-3f);  // up in the world is up in the image

    // Any camera: a point at depth d with offsets a, b along right and down.
    const OrbitCamera cam = makeCamera(0.7f, -0.4f, 24.0f, 2.9f);
    const Eigen::Matrix4f c2w = cam.cam2world();
    const Eigen::Vector3f o = c2w.block<3, 1>(0, 3), right = c2w.block<3, 1>(0, 0), down = c2w.block<3, 1>(0, 1),
                          fwd = c2w.block<3, 1>(0, 2);
    const float d = 2.3f, a = 0.17f, b = -0.08f;
    const Projection p = cam.project(o + d * (fwd + a * right + b * down), 300, 200);
    const float f = cam.focalNormalised();
    EXPECT_NEAR(p.pixel.x(), 150.0f + f * 300 * a, 2e-3f);
    EXPECT_NEAR(p.pixel.y(), 100.0f + f * 200 * b, 2e-3f);
    EXPECT_NEAR(p.depth, d, 1e-5f);

    // Behind the camera: no pixel.
    const Projection behind = cam.project(o - fwd, 300, 200);
    EXPECT_LT(behind.depth, 0.0f);
    EXPECT_TRUE(std::isnan(behind.pixel.x()));
}

TEST(OrbitCamera, Vector25RoundTrip) {
    for (float yaw : {-0.8f, -0.3f, 0.0f, 0.45f, 0.8f, 2.0f})
        for (float pitch : {-0.8f, 0.0f, 0.25f, 0.8f})
            for (float fov : {18.0f, 24.0f})
                for (float radius : {2.7f, 3.2f}) {
                    const OrbitCamera cam = makeCamera(yaw, pitch, fov, radius);
                    const CameraVector25 v = cam.toVector25();
                    // Layout: row-major cam2world then row-major K.
                    EXPECT_FLOAT_EQ(v[3], cam.cam2world()(0, 3));
                    EXPECT_FLOAT_EQ(v[15], 1.0f);
                    EXPECT_FLOAT_EQ(v[16], cam.focalNormalised());
                    EXPECT_FLOAT_EQ(v[18], 0.5f);
                    EXPECT_FLOAT_EQ(v[24], 1.0f);
                    const OrbitCamera back = OrbitCamera::fromVector25(v);
                    EXPECT_NEAR(back.yaw, yaw, 1e-5f);
                    EXPECT_NEAR(back.pitch, pitch, 1e-5f);
                    EXPECT_NEAR(back.eg3dFovDeg, fov, 1e-4f);
                    EXPECT_NEAR(back.radius, radius, 1e-5f);
                    EXPECT_LT((back.toVector25() - v).cwiseAbs().maxCoeff(), 1e-5f);

                    const PinholeCamera pin = PinholeCamera::fromVector25(v);
                    EXPECT_EQ(pin.toVector25(), v);
                }
}

TEST(OrbitCamera, HostileVectorsRejected) {
    const CameraVector25 good = makeCamera(0.3f, -0.2f).toVector25();
    expectInvalid([] { PinholeCamera::fromVector25(Eigen::VectorXf::Zero(24)); }, "camera_params");
    expectInvalid([] { PinholeCamera::fromVector25(Eigen::VectorXf::Zero(26)); }, "camera_params");
    expectInvalid([] { PinholeCamera::fromVector25(Eigen::VectorXf()); }, "camera_params");
    {
        CameraVector25 v = good;
        v[5] = std::numeric_limits<float>::quiet_NaN();
        expectInvalid([&] { PinholeCamera::fromVector25(v); }, "camera_params[5]");
        v = good;
        v[20] = std::numeric_limits<float>::infinity();
        expectInvalid([&] { OrbitCamera::fromVector25(v); }, "camera_params[20]");
    }
    {
        CameraVector25 v = good;  // column 0 scaled: not orthonormal
        v[0] *= 1.1f;
        v[4] *= 1.1f;
        v[8] *= 1.1f;
        expectInvalid([&] { PinholeCamera::fromVector25(v); }, "cam2world");
    }
    {
        CameraVector25 v = good;  // reflection: flip the forward column
        v[2] = -v[2];
        v[6] = -v[6];
        v[10] = -v[10];
        expectInvalid([&] { PinholeCamera::fromVector25(v); }, "cam2world");
    }
    {
        CameraVector25 v = good;
        v[12] = 0.5f;  // last row
        expectInvalid([&] { PinholeCamera::fromVector25(v); }, "cam2world");
    }
    {
        CameraVector25 v = good;
        v[16] = -v[16];  // negative focal
        expectInvalid([&] { PinholeCamera::fromVector25(v); }, "K");
        v = good;
        v[17] = 0.1f;  // skew
        expectInvalid([&] { PinholeCamera::fromVector25(v); }, "K");
    }
    {
        // A valid pinhole that is no orbit camera: off-centre principal point...
        CameraVector25 v = good;
        v[18] = 0.6f;
        EXPECT_NO_THROW(PinholeCamera::fromVector25(v));
        expectInvalid([&] { OrbitCamera::fromVector25(v); }, "K");
        // ...or a rolled / mis-aimed pose.
        PinholeCamera pin = PinholeCamera::fromVector25(good);
        pin.cam2world.topLeftCorner<3, 3>() =
            pin.cam2world.topLeftCorner<3, 3>() * Eigen::AngleAxisf(0.1f, Eigen::Vector3f::UnitZ()).toRotationMatrix();
        expectInvalid([&] { OrbitCamera::fromVector25(pin.toVector25()); }, "cam2world");
        expectInvalid([&] { OrbitCamera::fromVector25(good, Eigen::Vector3f(0, 0.3f, 0)); }, "cam2world");
    }
    OrbitCamera bad;
    bad.yaw = std::numeric_limits<float>::quiet_NaN();
    expectInvalid([&] { bad.cam2world(); }, "OrbitCamera");
}
