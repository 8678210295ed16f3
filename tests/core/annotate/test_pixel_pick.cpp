// annotate::pickPixel against the annotator for the same camera and size:
// triangle, depth and class at every third pixel; the label editor's live
// map overrides the pipeline's; off the image nothing is hit.

#include <cmath>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include "core/annotate/annotator.h"
#include "core/annotate/class_table.h"
#include "core/annotate/pixel_pick.h"
#include "core/head/lbs.h"
#include "core/scene/scene_pipeline.h"
#include "tests/support/posed_view.h"

using namespace synthforge;

namespace {
class PixelPickTest : public testutil::PosedViewTest {};
}  // namespace

TEST_F(PixelPickTest, MatchesAnnotator) {
    ASSERT_TRUE(pipeline_->labels);
    for (const auto& [yaw, pitch] : {std::pair{0.0f, 0.0f}, {0.5f, 0.0f}, {-0.7f, 0.2f}, {1.3f, -0.1f}}) {
        SCOPED_TRACE(testing::Message() << "yaw " << yaw << " pitch " << pitch);
        const View v = view(yaw, pitch);
        int hits = 0;
        for (int y = 0; y < kSize; y += 3)
            for (int x = 0; x < kSize; x += 3) {
                const annotate::PixelPick p = annotate::pickPixel(v.raster, *pipeline_->model, pipeline_->labels.get(), x, y);
                const std::int32_t tri = v.a.raster.triangleAt(x, y);
                ASSERT_EQ(p.triangle, tri) << x << ", " << y;
                ASSERT_EQ(p.hit, tri >= 0);
                ASSERT_EQ(p.depth, v.a.depth.at<float>(y, x));  // exact: the same rasteriser arithmetic
                ASSERT_EQ(p.classId, static_cast<int>(v.a.segmentation.at<std::uint8_t>(y, x)));
                ASSERT_EQ(p.className, pipeline_->labels->classes().byId(p.classId).name);
                if (tri >= 0) {
                    ++hits;
                    // The nearest corner is one of the triangle's.
                    const auto f = pipeline_->model->faces.row(tri);
                    EXPECT_TRUE(p.vertex == f[0] || p.vertex == f[1] || p.vertex == f[2]);
                    EXPECT_NEAR(p.bary.sum(), 1.0f, 1e-4f);
                    EXPECT_GE(p.bary[0], -1e-6f);
                }
            }
        EXPECT_GT(hits, 1000);
    }
}

TEST_F(PixelPickTest, LiveLabelsOverrideThePipelinesMap) {
    const View v = view(0.0f, 0.0f);
    const int c = kSize / 2;
    const annotate::PixelPick before = annotate::pickPixel(v.raster, *pipeline_->model, pipeline_->labels.get(), c, c);
    ASSERT_TRUE(before.hit);
    ASSERT_NE(before.classId, annotate::kGlasses);
    // The editor painted the whole map "glasses": the live map wins.
    const cv::Mat painted(pipeline_->labels->original().size(), CV_8UC1, cv::Scalar(annotate::kGlasses));
    const annotate::PaddedLabelMap live(painted);
    const annotate::ClassTable& classes = pipeline_->labels->classes();
    const annotate::PixelPick after = annotate::pickPixel(v.raster, *pipeline_->model, pipeline_->labels.get(), c, c,
                                                          annotate::LiveLabels{&live, &classes});
    EXPECT_EQ(after.classId, int(annotate::kGlasses));
    EXPECT_EQ(after.className, "glasses");
    EXPECT_EQ(after.triangle, before.triangle);
    // An empty live map (no editor) falls back to the pipeline's.
    const annotate::PaddedLabelMap none;
    EXPECT_EQ(annotate::pickPixel(v.raster, *pipeline_->model, pipeline_->labels.get(), c, c,
                                  annotate::LiveLabels{&none, &classes})
                  .classId,
              before.classId);
}

TEST_F(PixelPickTest, WithoutLabelsOrOffTheImage) {
    const View v = view(0.0f, 0.0f);
    const int c = kSize / 2;
    // No label map: geometry only, no class.
    const annotate::PixelPick bare = annotate::pickPixel(v.raster, *pipeline_->model, nullptr, c, c);
    EXPECT_TRUE(bare.hit);
    EXPECT_EQ(bare.classId, -1);
    EXPECT_EQ(bare.className, "");
    // A corner pixel is background.
    const annotate::PixelPick corner = annotate::pickPixel(v.raster, *pipeline_->model, pipeline_->labels.get(), 0, 0);
    EXPECT_FALSE(corner.hit);
    EXPECT_EQ(corner.classId, 0);
    EXPECT_EQ(corner.className, "background");
    // Off the image: nothing, and the pixel is reported as asked.
    const annotate::PixelPick off = annotate::pickPixel(v.raster, *pipeline_->model, pipeline_->labels.get(), -1, 5);
    EXPECT_FALSE(off.hit);
    EXPECT_EQ(off.x, -1);
    EXPECT_EQ(off.y, 5);
    EXPECT_FALSE(annotate::pickPixel(v.raster, *pipeline_->model, pipeline_->labels.get(), kSize, 0).hit);
}
