// raster::WindowRaster (the viewport's CPU picking) against the annotator for
// the same camera and size: a window equals the full raster's region,
// landmark visibility equals annotate()'s, and the nearest landmark is found
// at the annotator's own 2D positions.

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "core/annotate/annotator.h"
#include "core/head/lbs.h"
#include "core/raster/window_raster.h"
#include "core/scene/scene_pipeline.h"
#include "tests/support/posed_view.h"

using namespace synthforge;

namespace {
class WindowRasterTest : public testutil::PosedViewTest {};
}  // namespace

TEST_F(WindowRasterTest, WindowEqualsFullRasterRegion) {
    const View v = view(-0.4f, 0.1f);
    Eigen::Vector2i o;
    const raster::RasterResult w = v.raster.window(90, 70, 50, 40, &o);
    EXPECT_EQ(o, Eigen::Vector2i(90, 70));
    ASSERT_EQ(w.width, 50);
    ASSERT_EQ(w.height, 40);
    int covered = 0;
    for (int y = 0; y < w.height; ++y)
        for (int x = 0; x < w.width; ++x) {
            ASSERT_EQ(w.triangleAt(x, y), v.a.raster.triangleAt(90 + x, 70 + y)) << x << ", " << y;
            ASSERT_EQ(w.depth[w.index(x, y)], v.a.raster.depth[v.a.raster.index(90 + x, 70 + y)]);
            ASSERT_EQ(w.bary0[w.index(x, y)], v.a.raster.bary0[v.a.raster.index(90 + x, 70 + y)]);
            covered += w.triangleAt(x, y) >= 0 ? 1 : 0;
        }
    EXPECT_GT(covered, 500);  // the window is on the face, not background
    // Clipped at the image border; outside entirely is empty.
    const raster::RasterResult edge = v.raster.window(-2, 250, 5, 10, &o);
    EXPECT_EQ(o, Eigen::Vector2i(0, 250));
    EXPECT_EQ(edge.width, 3);
    EXPECT_EQ(edge.height, 6);
    EXPECT_EQ(v.raster.window(300, 0, 4, 4).width, 0);
}

TEST_F(WindowRasterTest, LandmarkVisibilityMatchesAnnotator) {
    for (const auto& [yaw, pitch] : {std::pair{0.0f, 0.0f}, {0.5f, 0.0f}, {-0.7f, 0.2f}, {1.3f, -0.1f}}) {
        SCOPED_TRACE(testing::Message() << "yaw " << yaw << " pitch " << pitch);
        const View v = view(yaw, pitch);
        const std::vector<std::uint8_t> visible = raster::landmarkVisibility(v.raster, v.a.landmarks3d);
        ASSERT_EQ(visible.size(), v.a.landmarkVisible.size());
        int occluded = 0;
        for (std::size_t i = 0; i < visible.size(); ++i) {
            EXPECT_EQ(int(visible[i]), int(v.a.landmarkVisible[i])) << "landmark " << i;
            occluded += visible[i] ? 0 : 1;
        }
        if (std::abs(yaw) > 1.0f) {
            EXPECT_GT(occluded, 0);  // the far jaw and eye hide in profile
        }
    }
}

TEST_F(WindowRasterTest, NearestLandmarkFindsItsIndex) {
    const View v = view(0.3f, 0.0f);
    const auto px = raster::projectPoints(v.a.landmarks3d, v.raster.intrinsics());
    for (int i : {8, 30, 36, 45, 57}) {
        // The annotator's 2D landmarks are the same projection, to the bit.
        EXPECT_EQ(px(i, 0), v.a.landmarks2d(i, 0));
        EXPECT_EQ(px(i, 1), v.a.landmarks2d(i, 1));
        const raster::LandmarkHit h = raster::nearestLandmark(px, px(i, 0) + 0.2f, px(i, 1) - 0.2f);
        EXPECT_EQ(h.index, i);
        EXPECT_NEAR(h.distance, std::sqrt(0.08f), 1e-3f);
    }
    Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> none(2, 2);
    none.setConstant(std::numeric_limits<float>::quiet_NaN());
    EXPECT_EQ(raster::nearestLandmark(none, 0, 0).index, -1);
}

TEST(WindowRaster, ProjectsBehindTheCameraAsNaN) {
    raster::Vertices pts(2, 3);
    pts << 0.5f, -0.25f, 2.0f,  //
        1.0f, 1.0f, -1.0f;
    raster::Intrinsics k;
    k.fx = 100.0f, k.fy = 200.0f, k.cx = 10.0f, k.cy = 20.0f;
    const auto px = raster::projectPoints(pts, k);
    EXPECT_FLOAT_EQ(px(0, 0), 100.0f * 0.25f + 10.0f);
    EXPECT_FLOAT_EQ(px(0, 1), 200.0f * -0.125f + 20.0f);
    EXPECT_TRUE(std::isnan(px(1, 0)));
    EXPECT_TRUE(std::isnan(px(1, 1)));
}

TEST(WindowRaster, RejectsBadSizes) {
    const raster::Vertices v(0, 3);
    const raster::Triangles t(0, 3);
    EXPECT_THROW(raster::WindowRaster(v, t, raster::Intrinsics{}, 0, 10), std::invalid_argument);
    EXPECT_THROW(raster::WindowRaster(v, t, raster::Intrinsics{}, 10, -1), std::invalid_argument);
    const raster::WindowRaster empty;
    EXPECT_TRUE(empty.empty());
    EXPECT_EQ(empty.window(0, 0, 3, 3).width, 0);
    EXPECT_TRUE(raster::landmarkVisibility(empty, raster::Vertices::Zero(2, 3)) == std::vector<std::uint8_t>(2, 0));
}
