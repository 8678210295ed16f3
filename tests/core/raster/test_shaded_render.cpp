#include <gtest/gtest.h>

#include <stdexcept>

#include <opencv2/core.hpp>

#include "core/camera/orbit_camera.h"
#include "core/raster/shaded_render.h"
#include "tests/core/raster/sphere_mesh.h"

using namespace synthforge;
using namespace synthforge::raster;

namespace {

/// The FLAME point that the generator world puts on the camera pivot.
Eigen::Vector3f flamePivot() {
    return (camera::defaultPivot() - camera::worldShift()) / camera::kFlameToWorldScale - camera::flameOffset();
}

struct Scene {
    Vertices v;
    Triangles t;
    float radius = 0.08f;  // metres: a head-sized ball on the pivot
    Scene() { testutil::makeSphere(48, 24, flamePivot(), radius, v, t); }
};

int brightness(const cv::Mat& img, int x, int y) {
    const cv::Vec3b p = img.at<cv::Vec3b>(y, x);
    return p[0] + p[1] + p[2];
}

}  // namespace

TEST(ShadedRender, FrontalBallIsCentredLitAndOnBackground) {
    const Scene s;
    ShadedRenderOptions o;
    o.width = o.height = 128;
    const ShadedRender r = renderShaded(s.v, s.t, camera::OrbitCamera{}, o);
    ASSERT_EQ(r.image.type(), CV_8UC3);
    ASSERT_EQ(r.image.cols, 128);
    ASSERT_EQ(r.image.rows, 128);
    // Background: display RGB (0.16, 0.16, 0.17) in BGR order.
    EXPECT_EQ(r.image.at<cv::Vec3b>(0, 0), cv::Vec3b(43, 41, 41));
    EXPECT_EQ(r.image.at<cv::Vec3b>(127, 127), cv::Vec3b(43, 41, 41));
    // The ball sits on the pivot, which is the image centre; symmetric coverage.
    EXPECT_TRUE(r.raster.covered(64, 64));
    EXPECT_TRUE(r.raster.covered(63, 63));
    int left = 0, right = 0, top = 0, bottom = 0;
    for (int y = 0; y < 128; ++y)
        for (int x = 0; x < 128; ++x)
            if (r.raster.covered(x, y)) {
                (x < 64 ? left : right)++;
                (y < 64 ? top : bottom)++;
            }
    EXPECT_NEAR(left, right, 0.02 * (left + right));
    EXPECT_NEAR(top, bottom, 0.02 * (top + bottom));
    // Light from the upper left, in front.
    EXPECT_GT(brightness(r.image, 50, 50), brightness(r.image, 78, 78));
    EXPECT_GT(brightness(r.image, 64, 64), 3 * 43);
}

TEST(ShadedRender, LandmarksProjectAndKnowTheirVisibility) {
    const Scene s;
    const Eigen::Vector3f c = flamePivot();
    ShadedRenderOptions o;
    o.width = o.height = 200;
    o.landmarks.resize(4, 3);
    o.landmarks.row(0) = (c + Eigen::Vector3f(0, 0, s.radius)).transpose();     // front: visible
    o.landmarks.row(1) = (c + Eigen::Vector3f(0, 0, -s.radius)).transpose();    // back: hidden
    o.landmarks.row(2) = (c + Eigen::Vector3f(0, 0.05f, 0.0624f)).transpose();  // up
    o.landmarks.row(3) = (c + Eigen::Vector3f(0.05f, 0, 0.0624f)).transpose();  // subject's left
    const camera::OrbitCamera cam;
    const ShadedRender r = renderShaded(s.v, s.t, cam, o);
    ASSERT_EQ(r.landmarks2d.rows(), 4);
    ASSERT_EQ(r.landmarkVisible.size(), 4u);
    EXPECT_TRUE(r.landmarkVisible[0]);
    EXPECT_FALSE(r.landmarkVisible[1]);
    EXPECT_TRUE(r.landmarkVisible[2]);
    EXPECT_TRUE(r.landmarkVisible[3]);
    for (int i = 0; i < 4; ++i) {
        const camera::Projection p = cam.project(camera::flameToWorld(o.landmarks.row(i).transpose()), 200, 200);
        EXPECT_NEAR(r.landmarks2d(i, 0), p.pixel.x(), 1e-3f);
        EXPECT_NEAR(r.landmarks2d(i, 1), p.pixel.y(), 1e-3f);
    }
    // Upright (FLAME +y is image up) and mirrored as a photo (subject's left on the right).
    EXPECT_LT(r.landmarks2d(2, 1), r.landmarks2d(0, 1) - 10);
    EXPECT_GT(r.landmarks2d(3, 0), r.landmarks2d(0, 0) + 10);
}

TEST(ShadedRender, VertexColoursWireframeAndBadSizes) {
    const Scene s;
    ShadedRenderOptions o;
    o.width = o.height = 96;
    o.vertexColors = Vertices::Zero(s.v.rows(), 3);
    o.vertexColors.col(0).setOnes();  // red
    const ShadedRender red = renderShaded(s.v, s.t, camera::OrbitCamera{}, o);
    const cv::Vec3b centre = red.image.at<cv::Vec3b>(48, 48);
    EXPECT_EQ(centre[0], 0);
    EXPECT_EQ(centre[1], 0);
    EXPECT_GT(centre[2], 100);

    o.vertexColors.resize(0, 3);
    const ShadedRender plain = renderShaded(s.v, s.t, camera::OrbitCamera{}, o);
    o.wireframe = true;
    const ShadedRender wire = renderShaded(s.v, s.t, camera::OrbitCamera{}, o);
    int darker = 0;
    for (int y = 0; y < 96; ++y)
        for (int x = 0; x < 96; ++x) darker += brightness(wire.image, x, y) < brightness(plain.image, x, y);
    EXPECT_GT(darker, 200);

    o.vertexColors = Vertices::Zero(3, 3);
    EXPECT_THROW(renderShaded(s.v, s.t, camera::OrbitCamera{}, o), std::invalid_argument);
    o.vertexColors.resize(0, 3);
    Triangles bad = s.t;
    bad(0, 0) = static_cast<int>(s.v.rows());
    EXPECT_THROW(renderShaded(s.v, bad, camera::OrbitCamera{}, o), std::invalid_argument);
}
