// Painting on the 3D head (widgets/viewport_paint.h), without a display, on
// the default head seen through the viewport's camera:
//  - a d = 1 dab at a screen point paints exactly one texel, and that texel's
//    centre, taken back through the UV atlas to the posed mesh and projected
//    with the camera, lands on the cursor's pixel (an independent round trip:
//    UV triangle search, barycentrics in UV, 3D point, projection);
//  - the brush's texels per screen pixel equal the local UV/screen area scale
//    measured by finite differences of picks, double when the camera moves
//    twice as far, and a 9 px brush paints exactly brushTexels of that size;
//  - a drag is one undo step on the editor's stack, undo and redo are exact,
//    with and without mirror painting;
//  - a drag across a UV seam starts a new segment and paints nothing between
//    the two sides of the atlas; on one island it is one swept segment.

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include <QTest>
#include <QUndoStack>
#include <opencv2/core.hpp>

#include "core/annotate/annotator.h"
#include "core/head/lbs.h"
#include "core/labelmap/brush.h"
#include "core/labelmap/mirror_map.h"
#include "core/labelmap/uv_islands.h"
#include "core/scene/scene_pipeline.h"
#include "render/gl_camera.h"
#include "widgets/label_edit_document.h"
#include "widgets/viewport_paint.h"

using namespace synthforge;
using namespace synthforge::widgets;

namespace {
constexpr int kView = 256;  ///< viewport and scene size, device pixels

struct Camera {
    raster::Vertices cam;
    raster::Intrinsics k;
};

int changedTexels(const cv::Mat& a, const cv::Mat& b) { return cv::countNonZero(a != b); }
}  // namespace

class TestViewportPaint : public QObject {
    Q_OBJECT
    generate::SamplePipeline pipeline_;
    head::HeadPose pose_;
    int size_ = 0;

    Camera camera(float radius = camera::OrbitCamera{}.radius, float yaw = 0.0f) const {
        camera::OrbitCamera c;
        c.radius = radius;
        c.yaw = yaw;
        const camera::PinholeCamera pin = c.pinhole();
        return {camera::transformPoints(annotate::flameToCamera(pin), pose_.vertices),
                render::viewportIntrinsics(pin, kView, kView, kView, kView)};
    }
    SurfacePicker picker(const Camera& c) const { return SurfacePicker(*pipeline_.model, c.cam, c.k, kView, kView); }

    /// A fresh editor document holding the head's map.
    std::unique_ptr<LabelEditDocument> document() const {
        auto doc = std::make_unique<LabelEditDocument>();
        doc->reset(labelmap::LabelCanvas::fromMat(pipeline_.labels->original()), pipeline_.labels->classes());
        return doc;
    }

    /// Independently of the picker: the screen position of a UV point, through
    /// the UV triangle that contains it, its 3D point on the posed mesh and
    /// the camera. Of several candidates (a shared edge), the one nearest to
    /// `near` (pixels).
    Eigen::Vector2f projectUv(const Eigen::Vector2f& uv, const Camera& c, const Eigen::Vector2f& near) const {
        const head::HeadModel& m = *pipeline_.model;
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

private slots:
    void initTestCase() {
        pipeline_ = scene::buildScenePipeline("default", "procedural", kView, kView);
        QVERIFY(pipeline_.labels && pipeline_.model->hasUv());
        pose_ = head::forward(*pipeline_.model, head::HeadParams{});
        size_ = pipeline_.labels->original().cols;
    }

    void dabPaintsTheTexelUnderTheCursor() {
        const Camera c = camera();
        const SurfacePicker pick = picker(c);
        auto doc = document();
        int hits = 0;
        float worst = 0.0f;
        for (int y = 40; y < 230; y += 19)
            for (int x = 60; x < 200; x += 13) {
                const SurfacePoint p = pick.pick(x + 0.5f, y + 0.5f, size_);
                if (!p.hit) continue;
                ++hits;
                const int tx = static_cast<int>(std::floor(p.texel.x())), ty = static_cast<int>(std::floor(p.texel.y()));
                const std::uint8_t old = doc->canvas().get(tx, ty);
                SurfaceBrush brush;
                brush.screenDiameter = 0.01f;  // -> 1 texel
                brush.classId = old == annotate::kLeftBrow ? annotate::kSkin : annotate::kLeftBrow;
                const cv::Mat before = doc->canvas().toMat();
                SurfaceStroke stroke(doc->canvas(), brush, nullptr);
                stroke.add(p, Eigen::Vector2f(x + 0.5f, y + 0.5f));
                QCOMPARE(stroke.dabs().size(), std::size_t{1});
                QCOMPARE(stroke.dabs()[0].diameter, 1);
                doc->pushStroke(stroke.finish(), QStringLiteral("dab"));
                const cv::Mat after = doc->canvas().toMat();
                QCOMPARE(changedTexels(before, after), 1);
                QCOMPARE(after.at<std::uint8_t>(ty, tx), brush.classId);
                // The painted texel's centre, back on the screen.
                const Eigen::Vector2f uv((tx + 0.5f) / size_, 1.0f - (ty + 0.5f) / size_);
                const Eigen::Vector2f s = projectUv(uv, c, Eigen::Vector2f(x + 0.5f, y + 0.5f));
                QVERIFY(std::isfinite(s.x()));
                const float err = (s - Eigen::Vector2f(x + 0.5f, y + 0.5f)).norm();
                worst = std::max(worst, err);
                // Half a texel diagonal in pixels, plus the pick's own sub-pixel slack.
                QVERIFY2(err <= 0.75f / std::max(p.texelsPerPixel, 1.0f) + 0.25f,
                         qPrintable(QStringLiteral("(%1, %2): %3 px").arg(x).arg(y).arg(err)));
                doc->undoStack()->undo();
                QCOMPARE(changedTexels(before, doc->canvas().toMat()), 0);
            }
        qInfo("%d dabs: painted texel centre re-projects within %.3f px of the cursor", hits, worst);
        QVERIFY(hits > 40);
    }

    void brushSizeIsInScreenSpace() {
        const Camera near = camera(), far = camera(2.0f * camera::OrbitCamera{}.radius);
        const SurfacePicker pn = picker(near), pf = picker(far);
        // The local scale against finite differences of picks: sqrt|det J| of
        // the texel motion per pixel motion is the area ratio the brush uses.
        const Eigen::Vector2f at(128.5f, 120.5f);
        const SurfacePoint p = pn.pick(at.x(), at.y(), size_);
        const SurfacePoint px = pn.pick(at.x() + 2, at.y(), size_), py = pn.pick(at.x(), at.y() + 2, size_);
        QVERIFY(p.hit && px.hit && py.hit);
        const Eigen::Vector2f jx = (px.texel - p.texel) / 2.0f, jy = (py.texel - p.texel) / 2.0f;
        const float measured = std::sqrt(std::abs(jx.x() * jy.y() - jx.y() * jy.x()));
        qInfo("texels per pixel at (128, 120): %.3f (finite differences %.3f); 9 px brush = %d texels",
              p.texelsPerPixel, measured, brushTexelDiameter(9.0f, p.texelsPerPixel));
        QVERIFY(p.texelsPerPixel > 0.5f && p.texelsPerPixel < 50.0f);
        QVERIFY(std::abs(p.texelsPerPixel - measured) < 0.3f * measured);
        // Twice as far: each pixel covers twice the texels (perspective, so roughly).
        const SurfacePoint q = pf.pick(128.5f, 128.5f, size_), qn = pn.pick(128.5f, 128.5f, size_);
        QVERIFY(q.hit && qn.hit);
        float sumNear = 0.0f, sumFar = 0.0f;  // averaged over a patch: triangles differ in stretch
        int n = 0;
        for (int dy = -6; dy <= 6; dy += 3)
            for (int dx = -6; dx <= 6; dx += 3) {
                const SurfacePoint a = pn.pick(128.5f + 2 * dx, 128.5f + 2 * dy, size_);
                const SurfacePoint b = pf.pick(128.5f + dx, 128.5f + dy, size_);
                if (!a.hit || !b.hit) continue;
                sumNear += a.texelsPerPixel, sumFar += b.texelsPerPixel, ++n;
            }
        QVERIFY(n > 10);
        const float ratio = sumFar / sumNear;
        qInfo("radius x2: texels per pixel x%.2f", ratio);
        QVERIFY(ratio > 1.6f && ratio < 2.4f);

        QCOMPARE(brushTexelDiameter(9.0f, 2.0f), 18);
        QCOMPARE(brushTexelDiameter(9.0f, 0.01f), 1);
        QCOMPARE(brushTexelDiameter(9.0f, 1e6f), labelmap::kMaxBrushDiameter);
        QCOMPARE(brushTexelDiameter(9.0f, std::numeric_limits<float>::infinity()), labelmap::kMaxBrushDiameter);
        QCOMPARE(brushTexelDiameter(0.0f, std::numeric_limits<float>::infinity()), labelmap::kMinBrushDiameter);

        // A 9 px dab paints exactly the brush's footprint of that many texels.
        auto doc = document();
        const cv::Mat before = doc->canvas().toMat();
        SurfaceBrush brush;
        brush.screenDiameter = 9.0f;
        brush.classId = annotate::kLeftBrow;
        SurfaceStroke stroke(doc->canvas(), brush, nullptr);
        stroke.add(p, at);
        const int d = stroke.dabs()[0].diameter;
        QCOMPARE(d, brushTexelDiameter(9.0f, p.texelsPerPixel));
        doc->pushStroke(stroke.finish(), QStringLiteral("dab"));
        const cv::Mat after = doc->canvas().toMat();
        int expected = 0;
        for (const labelmap::Texel& t : labelmap::brushTexels(p.texel, d)) {
            QCOMPARE(after.at<std::uint8_t>(t.y, t.x), std::uint8_t{annotate::kLeftBrow});
            expected += before.at<std::uint8_t>(t.y, t.x) != annotate::kLeftBrow ? 1 : 0;
        }
        QCOMPARE(changedTexels(before, after), expected);
    }

    void dragIsOneExactUndoStep_data() {
        QTest::addColumn<bool>("mirror");
        QTest::newRow("plain") << false;
        QTest::newRow("mirrored") << true;
    }
    void dragIsOneExactUndoStep() {
        QFETCH(bool, mirror);
        const Camera c = camera(camera::OrbitCamera{}.radius, 0.3f);
        const SurfacePicker pick = picker(c);
        auto doc = document();
        SurfaceBrush brush;
        brush.screenDiameter = 7.0f;
        brush.classId = annotate::kLeftBrow;
        if (mirror) {
            brush.mirror = std::make_shared<labelmap::MirrorMap>(labelmap::MirrorMap::build(*pipeline_.model, 1024));
            brush.flip = doc->classes().flipMap();
        }
        const cv::Mat before = doc->canvas().toMat();
        SurfaceStroke stroke(doc->canvas(), brush, nullptr);
        for (int x = 90; x <= 170; x += 3) {
            const float y = 100.5f + 10.0f * std::sin(x * 0.1f);
            stroke.add(pick.pick(x + 0.5f, y, size_), Eigen::Vector2f(x + 0.5f, y));
        }
        QVERIFY(stroke.dabs().size() > 20);
        labelmap::TexelRect shown;
        labelmap::StrokeRecord record = stroke.finish(&shown);
        QCOMPARE(shown.empty(), !mirror);
        doc->pushStroke(std::move(record), QStringLiteral("3D stroke"));
        QCOMPARE(doc->undoStack()->count(), 1);
        const cv::Mat after = doc->canvas().toMat();
        const int changed = changedTexels(before, after);
        const int partner = doc->classes().flipMap()[annotate::kLeftBrow];
        const int mirrored = cv::countNonZero(after == partner) - cv::countNonZero(before == partner);
        qInfo("%s drag: %zu dabs, %d texels changed, %d more in the flip partner class", mirror ? "mirrored" : "plain",
              stroke.dabs().size(), changed, mirrored);
        QVERIFY(changed > 100);
        if (mirror) QVERIFY(mirrored > changed / 4);
        doc->undoStack()->undo();
        QCOMPARE(changedTexels(before, doc->canvas().toMat()), 0);
        doc->undoStack()->redo();
        QCOMPARE(changedTexels(after, doc->canvas().toMat()), 0);
    }

    void seamStartsANewSegment() {
        const Camera c = camera(camera::OrbitCamera{}.radius, 0.6f);  // an ear and the scalp in view
        const SurfacePicker pick = picker(c);
        const auto islands =
            std::make_shared<labelmap::UvIslandMap>(labelmap::UvIslandMap::build(*pipeline_.model, size_));
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
        QVERIFY2(found, "no UV seam between neighbouring pixels in view");
        qInfo("seam at (%.0f, %.0f): texels (%.0f, %.0f) -> (%.0f, %.0f)", sa.x(), sa.y(), a.texel.x(), a.texel.y(),
              b.texel.x(), b.texel.y());
        for (const bool withIslands : {true, false}) {  // the fallback without islands sees the jump too
            auto doc = document();
            SurfaceBrush brush;
            brush.screenDiameter = 3.0f;
            brush.classId = annotate::kLeftBrow;
            const cv::Mat before = doc->canvas().toMat();
            SurfaceStroke stroke(doc->canvas(), brush, withIslands ? islands : nullptr);
            stroke.add(a, sa);
            stroke.add(b, sb);
            QCOMPARE(stroke.segmentCount(), 2);
            QCOMPARE(stroke.dabs().size(), std::size_t{2});
            QCOMPARE(stroke.dabs()[1].points.size(), std::size_t{1});
            doc->pushStroke(stroke.finish(), QStringLiteral("seam"));
            const cv::Mat after = doc->canvas().toMat();
            // Nothing painted along the atlas line between the two sides.
            for (const float t : {0.25f, 0.5f, 0.75f}) {
                const Eigen::Vector2f m = a.texel + t * (b.texel - a.texel);
                const int mx = static_cast<int>(m.x()), my = static_cast<int>(m.y());
                QCOMPARE(after.at<std::uint8_t>(my, mx), before.at<std::uint8_t>(my, mx));
            }
        }
        // On one island, consecutive hits are one swept segment.
        auto doc = document();
        SurfaceBrush brush;
        brush.classId = annotate::kLeftBrow;
        SurfaceStroke stroke(doc->canvas(), brush, islands);
        const SurfacePoint p = pick.pick(120.5f, 110.5f, size_), q = pick.pick(126.5f, 112.5f, size_);
        QVERIFY(p.hit && q.hit && faceIsland[p.triangle] == faceIsland[q.triangle]);
        stroke.add(p, {120.5f, 110.5f});
        stroke.add(SurfacePoint{}, {200.0f, 0.0f});  // a miss in between ends the segment
        stroke.add(p, {120.5f, 110.5f});
        stroke.add(q, {126.5f, 112.5f});
        QCOMPARE(stroke.segmentCount(), 2);
        QCOMPARE(stroke.dabs().back().points.size(), std::size_t{2});
        QCOMPARE(stroke.dabs().back().segment, 1);
    }
};

QTEST_MAIN(TestViewportPaint)
#include "test_viewport_paint.moc"
