// Painting on the 3D head (core/labelmap/surface_paint.h) on the default head
// seen through the viewport's camera (a square viewport of the scene's size,
// whose intrinsics are the scene's):
//  - a d = 1 dab at a screen point paints exactly one texel, and that texel's
//    centre, taken back through the UV atlas to the posed mesh and projected
//    with the camera, lands on the cursor's pixel (an independent round trip:
//    UV triangle search, barycentrics in UV, 3D point, projection);
//  - the brush's texels per screen pixel equal the local UV/screen area scale
//    measured by finite differences of picks, double when the camera moves
//    twice as far, and a 9 px brush paints exactly brushTexels of that size;
//  - a drag is one stroke record, undo and redo are exact, with and without
//    mirror painting;
//  - a drag across a UV seam starts a new segment and paints nothing between
//    the two sides of the atlas; on one island it is one swept segment.

#include <algorithm>
#include <cmath>
#include <limits>
#include <iostream>
#include <memory>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include "core/annotate/annotator.h"
#include "core/head/lbs.h"
#include "core/labelmap/brush.h"
#include "core/labelmap/mirror_map.h"
#include "core/labelmap/surface_paint.h"
#include "core/labelmap/uv_islands.h"
#include "core/scene/scene_pipeline.h"

using namespace synthforge;
using namespace synthforge::labelmap;

namespace {
constexpr int kView = 256;  ///< viewport and scene size, device pixels

struct Camera {
    raster::Vertices cam;
    raster::Intrinsics k;
};

int changedTexels(const cv::Mat& a, const cv::Mat& b) { return cv::countNonZero(a != b); }
}  // namespace

class SurfacePaintTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        pipeline_ = new generate::SamplePipeline(scene::buildScenePipeline("default", "procedural", kView, kView));
        pose_ = new head::HeadPose(head::forward(*pipeline_->model, head::HeadParams{}));
        size_ = pipeline_->labels ? pipeline_->labels->original().cols : 0;
    }
    static void TearDownTestSuite() {
        delete pose_;
        delete pipeline_;
        pose_ = nullptr;
        pipeline_ = nullptr;
    }
    void SetUp() override { ASSERT_TRUE(pipeline_->labels && pipeline_->model->hasUv() && size_ > 0); }

    /// The viewport's view of the head: with the viewport the scene's size,
    /// its intrinsics are the scene camera's (render::viewportIntrinsics).
    static Camera camera(float radius = camera::OrbitCamera{}.radius, float yaw = 0.0f) {
        camera::OrbitCamera c;
        c.radius = radius;
        c.yaw = yaw;
        const camera::PinholeCamera pin = c.pinhole();
        return {camera::transformPoints(annotate::flameToCamera(pin), pose_->vertices),
                raster::Intrinsics::fromMatrix(pin.intrinsicsPixels(kView, kView))};
    }
    static SurfacePicker picker(const Camera& c) { return SurfacePicker(*pipeline_->model, c.cam, c.k, kView, kView); }

    /// A fresh canvas holding the head's map.
    static LabelCanvas canvas() { return LabelCanvas::fromMat(pipeline_->labels->original()); }
    static const annotate::ClassTable& classes() { return pipeline_->labels->classes(); }

    /// Independently of the picker: the screen position of a UV point, through
    /// the UV triangle that contains it, its 3D point on the posed mesh and
    /// the camera. Of several candidates (a shared edge), the one nearest to
    /// `near` (pixels).
    static Eigen::Vector2f projectUv(const Eigen::Vector2f& uv, const Camera& c, const Eigen::Vector2f& near) {
        const head::HeadModel& m = *pipeline_->model;
        Eigen::Vector2f best(std::numeric_limits<float>::quiet_NaN(), 0.0f);
        float bestD = std::numeric_limits<float>::infinity();
        for (Eigen::Index f = 0; f < m.uvFaces.rows(); ++f) {
            const Eigen::Vector2f a = m.uv.row(m.uvFaces(f, 0)), b = m.uv.row(m.uvFaces(f, 1)),
                                  d = m.uv.row(m.uvFaces(f, 2));
            const Eigen::Vector2f e0 = b - a, e1 = d - a, q = uv - a;
            const float det = e0.x() * e1.y() - e0.y() * e1.x();
            if (std::abs(det) < 1e-12f) continue;
            const float w1 = (q.x() * e1.y() - q.y() * e1.x()) / det, w2 = (e0.x() * q.y() - e0.y() * q.x()) / det;
            const float w0 = 1.0f - w1 - w2;
            if (w0 < -1e-5f || w1 < -1e-5f || w2 < -1e-5f) continue;
            const Eigen::Vector3f p = w0 * c.cam.row(m.faces(f, 0)) + w1 * c.cam.row(m.faces(f, 1)) +
                                      w2 * c.cam.row(m.faces(f, 2));
            const Eigen::Vector2f s(c.k.fx * p.x() / p.z() + c.k.cx, c.k.fy * p.y() / p.z() + c.k.cy);
            if ((s - near).norm() < bestD) bestD = (s - near).norm(), best = s;
        }
        return best;
    }

    static generate::SamplePipeline* pipeline_;
    static head::HeadPose* pose_;
    static int size_;
};
generate::SamplePipeline* SurfacePaintTest::pipeline_ = nullptr;
head::HeadPose* SurfacePaintTest::pose_ = nullptr;
int SurfacePaintTest::size_ = 0;

TEST_F(SurfacePaintTest, DabPaintsTheTexelUnderTheCursor) {
    const Camera c = camera();
    const SurfacePicker pick = picker(c);
    LabelCanvas map = canvas();
    int hits = 0;
    float worst = 0.0f;
    for (int y = 40; y < 230; y += 19)
        for (int x = 60; x < 200; x += 13) {
            const SurfacePoint p = pick.pick(x + 0.5f, y + 0.5f, size_);
            if (!p.hit) continue;
            ++hits;
            const int tx = static_cast<int>(std::floor(p.texel.x())), ty = static_cast<int>(std::floor(p.texel.y()));
            const std::uint8_t old = map.get(tx, ty);
            SurfaceBrush brush;
            brush.screenDiameter = 0.01f;  // -> 1 texel
            brush.classId = old == annotate::kLeftBrow ? annotate::kSkin : annotate::kLeftBrow;
            const cv::Mat before = map.toMat();
            SurfaceStroke stroke(map, brush, nullptr);
            stroke.add(p, Eigen::Vector2f(x + 0.5f, y + 0.5f));
            ASSERT_EQ(stroke.dabs().size(), std::size_t{1});
            EXPECT_EQ(stroke.dabs()[0].diameter, 1);
            const StrokeRecord record = stroke.finish();
            const cv::Mat after = map.toMat();
            ASSERT_EQ(changedTexels(before, after), 1);
            EXPECT_EQ(after.at<std::uint8_t>(ty, tx), brush.classId);
            // The painted texel's centre, back on the screen.
            const Eigen::Vector2f uv((tx + 0.5f) / size_, 1.0f - (ty + 0.5f) / size_);
            const Eigen::Vector2f s = projectUv(uv, c, Eigen::Vector2f(x + 0.5f, y + 0.5f));
            ASSERT_TRUE(std::isfinite(s.x()));
            const float err = (s - Eigen::Vector2f(x + 0.5f, y + 0.5f)).norm();
            worst = std::max(worst, err);
            // Half a texel diagonal in pixels, plus the pick's own sub-pixel slack.
            EXPECT_LE(err, 0.75f / std::max(p.texelsPerPixel, 1.0f) + 0.25f) << "(" << x << ", " << y << ")";
            map.undo(record);
            ASSERT_EQ(changedTexels(before, map.toMat()), 0);
        }
    std::cout << hits << " dabs: painted texel centre re-projects within " << worst << " px of the cursor\n";
    EXPECT_GT(hits, 40);
}

TEST_F(SurfacePaintTest, BrushSizeIsInScreenSpace) {
    const Camera near = camera(), far = camera(2.0f * camera::OrbitCamera{}.radius);
    const SurfacePicker pn = picker(near), pf = picker(far);
    // The local scale against finite differences of picks: sqrt|det J| of
    // the texel motion per pixel motion is the area ratio the brush uses.
    const Eigen::Vector2f at(128.5f, 120.5f);
    const SurfacePoint p = pn.pick(at.x(), at.y(), size_);
    const SurfacePoint px = pn.pick(at.x() + 2, at.y(), size_), py = pn.pick(at.x(), at.y() + 2, size_);
    ASSERT_TRUE(p.hit && px.hit && py.hit);
    const Eigen::Vector2f jx = (px.texel - p.texel) / 2.0f, jy = (py.texel - p.texel) / 2.0f;
    const float measured = std::sqrt(std::abs(jx.x() * jy.y() - jx.y() * jy.x()));
    EXPECT_GT(p.texelsPerPixel, 0.5f);
    EXPECT_LT(p.texelsPerPixel, 50.0f);
    EXPECT_LT(std::abs(p.texelsPerPixel - measured), 0.3f * measured);
    // Twice as far: each pixel covers twice the texels (perspective, so roughly).
    float sumNear = 0.0f, sumFar = 0.0f;  // averaged over a patch: triangles differ in stretch
    int n = 0;
    for (int dy = -6; dy <= 6; dy += 3)
        for (int dx = -6; dx <= 6; dx += 3) {
            const SurfacePoint a = pn.pick(128.5f + 2 * dx, 128.5f + 2 * dy, size_);
            const SurfacePoint b = pf.pick(128.5f + dx, 128.5f + dy, size_);
            if (!a.hit || !b.hit) continue;
            sumNear += a.texelsPerPixel, sumFar += b.texelsPerPixel, ++n;
        }
    ASSERT_GT(n, 10);
    const float ratio = sumFar / sumNear;
    EXPECT_GT(ratio, 1.6f);
    EXPECT_LT(ratio, 2.4f);

    EXPECT_EQ(brushTexelDiameter(9.0f, 2.0f), 18);
    EXPECT_EQ(brushTexelDiameter(9.0f, 0.01f), 1);
    EXPECT_EQ(brushTexelDiameter(9.0f, 1e6f), kMaxBrushDiameter);
    EXPECT_EQ(brushTexelDiameter(9.0f, std::numeric_limits<float>::infinity()), kMaxBrushDiameter);
    EXPECT_EQ(brushTexelDiameter(0.0f, std::numeric_limits<float>::infinity()), kMinBrushDiameter);

    // A 9 px dab paints exactly the brush's footprint of that many texels.
    LabelCanvas map = canvas();
    const cv::Mat before = map.toMat();
    SurfaceBrush brush;
    brush.screenDiameter = 9.0f;
    brush.classId = annotate::kLeftBrow;
    SurfaceStroke stroke(map, brush, nullptr);
    stroke.add(p, at);
    const int d = stroke.dabs()[0].diameter;
    EXPECT_EQ(d, brushTexelDiameter(9.0f, p.texelsPerPixel));
    (void)stroke.finish();
    const cv::Mat after = map.toMat();
    int expected = 0;
    for (const Texel& t : brushTexels(p.texel, d)) {
        EXPECT_EQ(after.at<std::uint8_t>(t.y, t.x), std::uint8_t{annotate::kLeftBrow});
        expected += before.at<std::uint8_t>(t.y, t.x) != annotate::kLeftBrow ? 1 : 0;
    }
    EXPECT_EQ(changedTexels(before, after), expected);
}

TEST_F(SurfacePaintTest, DragIsOneExactUndoStep) {
    for (const bool mirror : {false, true}) {
        SCOPED_TRACE(mirror ? "mirrored" : "plain");
        const Camera c = camera(camera::OrbitCamera{}.radius, 0.3f);
        const SurfacePicker pick = picker(c);
        LabelCanvas map = canvas();
        SurfaceBrush brush;
        brush.screenDiameter = 7.0f;
        brush.classId = annotate::kLeftBrow;
        if (mirror) {
            brush.mirror = std::make_shared<MirrorMap>(MirrorMap::build(*pipeline_->model, 1024));
            brush.flip = classes().flipMap();
        }
        const cv::Mat before = map.toMat();
        SurfaceStroke stroke(map, brush, nullptr);
        for (int x = 90; x <= 170; x += 3) {
            const float y = 100.5f + 10.0f * std::sin(x * 0.1f);
            stroke.add(pick.pick(x + 0.5f, y, size_), Eigen::Vector2f(x + 0.5f, y));
        }
        EXPECT_GT(stroke.dabs().size(), std::size_t{20});
        TexelRect shown;
        const StrokeRecord record = stroke.finish(&shown);
        EXPECT_EQ(shown.empty(), !mirror);  // only a mirrored stroke repaints what the live edit showed
        ASSERT_FALSE(record.empty());
        const cv::Mat after = map.toMat();
        const int changed = changedTexels(before, after);
        const int partner = classes().flipMap()[annotate::kLeftBrow];
        const int mirrored = cv::countNonZero(after == partner) - cv::countNonZero(before == partner);
        EXPECT_GT(changed, 100);
        if (mirror) EXPECT_GT(mirrored, changed / 4);
        else EXPECT_EQ(mirrored, 0);
        map.undo(record);
        EXPECT_EQ(changedTexels(before, map.toMat()), 0);
        map.redo(record);
        EXPECT_EQ(changedTexels(after, map.toMat()), 0);
    }
}

TEST_F(SurfacePaintTest, SeamStartsANewSegment) {
    const Camera c = camera(camera::OrbitCamera{}.radius, 0.6f);  // an ear and the scalp in view
    const SurfacePicker pick = picker(c);
    const auto islands = std::make_shared<UvIslandMap>(UvIslandMap::build(*pipeline_->model, size_));
    const auto& faceIsland = islands->faceIslands();
    // Neighbouring pixels on different islands, far apart on the atlas.
    SurfacePoint a, b;
    Eigen::Vector2f sa, sb;
    bool found = false;
    for (int y = 10; y < kView - 10 && !found; y += 2)
        for (int x = 10; x < kView - 10 && !found; ++x) {
            const SurfacePoint p = pick.pick(x + 0.5f, y + 0.5f, size_), q = pick.pick(x + 1.5f, y + 0.5f, size_);
            if (p.hit && q.hit && faceIsland[p.triangle] != faceIsland[q.triangle] &&
                (p.texel - q.texel).norm() > 100.0f) {
                a = p, b = q, sa = {x + 0.5f, y + 0.5f}, sb = {x + 1.5f, y + 0.5f};
                found = true;
            }
        }
    ASSERT_TRUE(found) << "no UV seam between neighbouring pixels in view";
    for (const bool withIslands : {true, false}) {  // the fallback without islands sees the jump too
        SCOPED_TRACE(withIslands ? "with islands" : "without islands");
        LabelCanvas map = canvas();
        SurfaceBrush brush;
        brush.screenDiameter = 3.0f;
        brush.classId = annotate::kLeftBrow;
        const cv::Mat before = map.toMat();
        SurfaceStroke stroke(map, brush, withIslands ? islands : nullptr);
        stroke.add(a, sa);
        stroke.add(b, sb);
        EXPECT_EQ(stroke.segmentCount(), 2);
        ASSERT_EQ(stroke.dabs().size(), std::size_t{2});
        EXPECT_EQ(stroke.dabs()[1].points.size(), std::size_t{1});
        (void)stroke.finish();
        const cv::Mat after = map.toMat();
        // Nothing painted along the atlas line between the two sides.
        for (const float t : {0.25f, 0.5f, 0.75f}) {
            const Eigen::Vector2f m = a.texel + t * (b.texel - a.texel);
            const int mx = static_cast<int>(m.x()), my = static_cast<int>(m.y());
            EXPECT_EQ(after.at<std::uint8_t>(my, mx), before.at<std::uint8_t>(my, mx));
        }
    }
    // On one island, consecutive hits are one swept segment.
    LabelCanvas map = canvas();
    SurfaceBrush brush;
    brush.classId = annotate::kLeftBrow;
    SurfaceStroke stroke(map, brush, islands);
    const SurfacePoint p = pick.pick(120.5f, 110.5f, size_), q = pick.pick(126.5f, 112.5f, size_);
    ASSERT_TRUE(p.hit && q.hit && faceIsland[p.triangle] == faceIsland[q.triangle]);
    stroke.add(p, {120.5f, 110.5f});
    stroke.add(SurfacePoint{}, {200.0f, 0.0f});  // a miss in between ends the segment
    stroke.add(p, {120.5f, 110.5f});
    stroke.add(q, {126.5f, 112.5f});
    EXPECT_EQ(stroke.segmentCount(), 2);
    EXPECT_EQ(stroke.dabs().back().points.size(), std::size_t{2});
    EXPECT_EQ(stroke.dabs().back().segment, 1);
}

TEST(SurfacePaint, UvToTexelAndEmptyPicker) {
    // Row 0 is v = 1 (the label map's orientation).
    EXPECT_EQ(uvToTexel(Eigen::Vector2f(0.25f, 1.0f), 512), Eigen::Vector2f(128.0f, 0.0f));
    EXPECT_EQ(uvToTexel(Eigen::Vector2f(1.0f, 0.0f), 512), Eigen::Vector2f(512.0f, 512.0f));
    const SurfacePicker none;
    EXPECT_TRUE(none.empty());
    EXPECT_FALSE(none.pick(1.0f, 1.0f, 512).hit);
}
