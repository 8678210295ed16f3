// The viewport's CPU picking (widgets/viewport_picking.h) against the
// annotator for the same camera and size: triangle id, depth and class at
// every third pixel, landmark visibility, nearest landmark; a window raster
// equals the full raster's region; the HUD's rolling statistics; and the
// baked albedo texture's orientation (hair texels hair-coloured, skin skin).

#include <cmath>

#include <QTest>
#include <opencv2/core.hpp>

#include "core/annotate/annotator.h"
#include "core/annotate/class_table.h"
#include "core/generate/appearance.h"
#include "core/head/lbs.h"
#include "core/scene/scene_pipeline.h"
#include "render/albedo_texture.h"
#include "widgets/frame_stats.h"
#include "widgets/viewport_picking.h"

using namespace synthforge;
using namespace synthforge::widgets;

namespace {
constexpr int kSize = 256;

struct View {
    annotate::Annotations a;
    WindowRaster raster;
    raster::Vertices landmarksCamera;
};

camera::OrbitCamera orbit(float yaw, float pitch) {
    camera::OrbitCamera c;
    c.yaw = yaw;
    c.pitch = pitch;
    return c;
}
}  // namespace

class TestViewportPicking : public QObject {
    Q_OBJECT
private:
    View view(const camera::OrbitCamera& cam) {
        View v;
        annotate::AnnotationOptions opt;
        opt.segmentation = true;
        v.a = annotate::annotate(*pipeline_.model, pose_, cam.pinhole(), kSize, kSize, pipeline_.labels.get(), opt);
        const Eigen::Matrix4f toCam = annotate::flameToCamera(cam.pinhole());
        v.raster = WindowRaster(camera::transformPoints(toCam, pose_.vertices), pipeline_.model->faces,
                                raster::Intrinsics::fromMatrix(cam.pinhole().intrinsicsPixels(kSize, kSize)), kSize,
                                kSize);
        v.landmarksCamera = v.a.landmarks3d;
        return v;
    }

    void cameras() {
        QTest::addColumn<float>("yaw");
        QTest::addColumn<float>("pitch");
        QTest::newRow("frontal") << 0.0f << 0.0f;
        QTest::newRow("yaw 0.5") << 0.5f << 0.0f;
        QTest::newRow("yaw -0.7 pitch 0.2") << -0.7f << 0.2f;
        QTest::newRow("profile yaw 1.3") << 1.3f << -0.1f;
    }

private slots:
    void initTestCase() {
        pipeline_ = scene::buildScenePipeline("default", "procedural", kSize, kSize);
        QVERIFY(pipeline_.labels);
        head::HeadParams p;
        p.expr = Eigen::VectorXf::Zero(pipeline_.model->numExpr());
        p.expr[0] = 1.0f;  // not the rest pose, so posing matters
        p.pose[6] = 0.15f;  // jaw open
        pose_ = head::forward(*pipeline_.model, p);
    }

    void pixelPickMatchesAnnotator_data() { cameras(); }
    void pixelPickMatchesAnnotator() {
        QFETCH(float, yaw);
        QFETCH(float, pitch);
        const View v = view(orbit(yaw, pitch));
        int hits = 0, checked = 0;
        for (int y = 0; y < kSize; y += 3)
            for (int x = 0; x < kSize; x += 3) {
                const PixelPick p = pickPixel(v.raster, *pipeline_.model, pipeline_.labels.get(), x, y);
                const std::int32_t tri = v.a.raster.triangleAt(x, y);
                ++checked;
                QCOMPARE(p.triangle, tri);
                QCOMPARE(p.hit, tri >= 0);
                QCOMPARE(p.depth, v.a.depth.at<float>(y, x));  // exact: the same rasteriser arithmetic
                QCOMPARE(p.classId, static_cast<int>(v.a.segmentation.at<std::uint8_t>(y, x)));
                QCOMPARE(p.className, pipeline_.labels->classes().byId(p.classId).name);
                if (tri >= 0) {
                    ++hits;
                    // The nearest corner is one of the triangle's.
                    const auto f = pipeline_.model->faces.row(tri);
                    QVERIFY(p.vertex == f[0] || p.vertex == f[1] || p.vertex == f[2]);
                    QVERIFY(std::abs(p.bary.sum() - 1.0f) < 1e-4f);
                }
            }
        qInfo("%d of %d pixels on the head, all equal to the annotator", hits, checked);
        QVERIFY(hits > 1000);
    }

    void liveLabelsOverrideThePipelinesMap() {
        const View v = view(orbit(0.0f, 0.0f));
        const int c = kSize / 2;
        const PixelPick before = pickPixel(v.raster, *pipeline_.model, pipeline_.labels.get(), c, c);
        QVERIFY(before.hit);
        QVERIFY(before.classId != annotate::kGlasses);
        // The editor painted the whole map "glasses": the live map wins.
        const cv::Mat painted(pipeline_.labels->original().size(), CV_8UC1, cv::Scalar(annotate::kGlasses));
        const annotate::PaddedLabelMap live(painted);
        const annotate::ClassTable& classes = pipeline_.labels->classes();
        const PixelPick after =
            pickPixel(v.raster, *pipeline_.model, pipeline_.labels.get(), c, c, LiveLabels{&live, &classes});
        QCOMPARE(after.classId, int(annotate::kGlasses));
        QCOMPARE(after.className, std::string("glasses"));
        QCOMPARE(after.triangle, before.triangle);
        // An empty live map (no editor) falls back to the pipeline's.
        const annotate::PaddedLabelMap none;
        QCOMPARE(pickPixel(v.raster, *pipeline_.model, pipeline_.labels.get(), c, c, LiveLabels{&none, &classes}).classId,
                 before.classId);
    }

    void landmarkVisibilityMatchesAnnotator_data() { cameras(); }
    void landmarkVisibilityMatchesAnnotator() {
        QFETCH(float, yaw);
        QFETCH(float, pitch);
        const View v = view(orbit(yaw, pitch));
        const std::vector<std::uint8_t> visible = landmarkVisibility(v.raster, v.landmarksCamera);
        QCOMPARE(visible.size(), v.a.landmarkVisible.size());
        int occluded = 0;
        for (std::size_t i = 0; i < visible.size(); ++i) {
            QCOMPARE(int(visible[i]), int(v.a.landmarkVisible[i]));
            occluded += visible[i] ? 0 : 1;
        }
        qInfo("%d of %zu landmarks occluded", occluded, visible.size());
        if (std::abs(yaw) > 1.0f) QVERIFY(occluded > 0);  // the far jaw and eye hide in profile
    }

    void nearestLandmarkFindsItsIndex() {
        const View v = view(orbit(0.3f, 0.0f));
        const auto px = projectPoints(v.landmarksCamera, v.raster.intrinsics());
        for (int i : {8, 30, 36, 45, 57}) {
            // The annotator's 2D landmarks are the same projection, to the bit.
            QCOMPARE(px(i, 0), v.a.landmarks2d(i, 0));
            const LandmarkHit h = nearestLandmark(px, px(i, 0) + 0.2f, px(i, 1) - 0.2f);
            QCOMPARE(h.index, i);
            QVERIFY(std::abs(h.distance - std::sqrt(0.08f)) < 1e-3f);
        }
        Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> none(2, 2);
        none.setConstant(std::numeric_limits<float>::quiet_NaN());
        QCOMPARE(nearestLandmark(none, 0, 0).index, -1);
    }

    void windowEqualsFullRasterRegion() {
        const View v = view(orbit(-0.4f, 0.1f));
        Eigen::Vector2i o;
        const raster::RasterResult w = v.raster.window(90, 70, 50, 40, &o);
        QCOMPARE(o, Eigen::Vector2i(90, 70));
        QCOMPARE(w.width, 50);
        for (int y = 0; y < w.height; ++y)
            for (int x = 0; x < w.width; ++x) {
                QCOMPARE(w.triangleAt(x, y), v.a.raster.triangleAt(90 + x, 70 + y));
                QCOMPARE(w.depth[w.index(x, y)], v.a.raster.depth[v.a.raster.index(90 + x, 70 + y)]);
                QCOMPARE(w.bary0[w.index(x, y)], v.a.raster.bary0[v.a.raster.index(90 + x, 70 + y)]);
            }
        // Clipped at the image border; outside entirely is empty.
        const raster::RasterResult edge = v.raster.window(-2, 250, 5, 10, &o);
        QCOMPARE(o, Eigen::Vector2i(0, 250));
        QCOMPARE(edge.width, 3);
        QCOMPARE(edge.height, 6);
        QCOMPARE(v.raster.window(300, 0, 4, 4).width, 0);
        // Off the image, picking reports nothing.
        QVERIFY(!pickPixel(v.raster, *pipeline_.model, pipeline_.labels.get(), -1, 5).hit);
    }

    void frameStatsPercentileAndFps() {
        FrameStats s;
        QCOMPARE(s.latencyPercentile(95), 0.0);
        for (int i = 1; i <= 100; ++i) s.addFrame(10.0 * i, 1.0, static_cast<double>(i));
        QCOMPARE(s.latencyPercentile(95), 95.0);
        QCOMPARE(s.latencyPercentile(50), 50.0);
        QCOMPARE(s.latencyPercentile(100), 100.0);
        QCOMPARE(s.latencyCount(), std::size_t(100));
        QVERIFY(std::abs(s.fps() - 100.0) < 1e-9);  // one frame every 10 ms
        s.addFrame(2000.0, 1.0, -1.0);  // no edit waited for it: no latency sample
        QCOMPARE(s.latencyCount(), std::size_t(100));
        QCOMPARE(s.fps(), 0.0);  // alone in the last second
        for (int i = 0; i < 300; ++i) s.addFrame(3000.0 + i, 1.0, 1000.0);
        QCOMPARE(s.latencyCount(), FrameStats::kWindow);  // rolling window
        QCOMPARE(s.latencyPercentile(5), 1000.0);
    }

    void albedoTextureIsUpright() {
        // The texture's rows follow the label map's (row 0 at v = 1), so the
        // label map says which colour each texel should have.
        const cv::Mat ids = pipeline_.labels->original();
        const generate::AppearanceAtlas atlas(*pipeline_.model, ids, 512);
        Eigen::VectorXf z = Eigen::VectorXf::Zero(64);
        z[0] = 1.5f;  // darker skin than hair ...
        z[5] = -1.5f; // ... and dark hair: both far from the background
        const generate::Appearance app = generate::appearanceFromLatent(z);
        const int n = 256;
        const QImage tex = render::bakeAlbedoTexture(atlas, app, n);
        QCOMPARE(tex.width(), n);
        const int skin = annotate::ClassTable::defaultTable().byName("skin").id;
        const int hair = annotate::ClassTable::defaultTable().byName("hair").id;
        auto meanOf = [&](int cls) {
            Eigen::Vector3d sum = Eigen::Vector3d::Zero();
            int count = 0;
            for (int y = 0; y < n; ++y)
                for (int x = 0; x < n; ++x) {
                    const int iy = (y * ids.rows) / n + ids.rows / (2 * n), ix = (x * ids.cols) / n + ids.cols / (2 * n);
                    if (ids.at<std::uint8_t>(iy, ix) != cls) continue;
                    const QRgb c = tex.pixel(x, y);
                    sum += Eigen::Vector3d(qRed(c), qGreen(c), qBlue(c));
                    ++count;
                }
            return Eigen::Vector3d(sum / std::max(1, count));
        };
        auto display = [](const generate::Rgb& c) {
            return Eigen::Vector3d(render::albedoToDisplay(c.x()), render::albedoToDisplay(c.y()),
                                   render::albedoToDisplay(c.z()));
        };
        const Eigen::Vector3d skinMean = meanOf(skin), hairMean = meanOf(hair);
        const Eigen::Vector3d skinExpected = display(app.skin);
        qInfo("skin texels %.0f %.0f %.0f (skin colour %.0f %.0f %.0f), hair texels %.0f %.0f %.0f", skinMean.x(),
              skinMean.y(), skinMean.z(), skinExpected.x(), skinExpected.y(), skinExpected.z(), hairMean.x(),
              hairMean.y(), hairMean.z());
        // Skin texels carry noise and cheek flush around the skin colour.
        QVERIFY((skinMean - skinExpected).cwiseAbs().maxCoeff() < 20.0);
        // Hair texels are clearly not skin.
        QVERIFY((hairMean - skinMean).norm() > 30.0);
    }

private:
    generate::SamplePipeline pipeline_;
    head::HeadPose pose_;
};

QTEST_MAIN(TestViewportPicking)
#include "test_viewport_picking.moc"
