// The 3D viewport under a real GL context (xvfb-run + Mesa llvmpipe; named
// gl_test_* so the offscreen widget-test glob does not pick it up):
//  - its silhouette matches the CPU rasteriser's (the annotator's depth and
//    segmentation coverage) for the same camera, IoU > 0.98;
//  - a mouse drag orbits the camera as one undo step, the wheel zooms;
//  - a screenshot of the whole window with the viewport shown.
// Skips when no OpenGL 3.3 core context can be had.

#include <cmath>

#include <QCoreApplication>
#include <QDir>
#include <QImage>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTest>
#include <QUndoStack>
#include <QWheelEvent>
#include <opencv2/core.hpp>

#include "core/annotate/annotator.h"
#include "core/head/lbs.h"
#include "core/scene/scene_pipeline.h"
#include "render/mesh_renderer.h"
#include "widgets/main_window.h"
#include "widgets/scene_document.h"
#include "widgets/viewport_widget.h"

using namespace synthforge;
using namespace synthforge::widgets;

namespace {
constexpr int kSize = 256;

// Pixels that differ from the clear colour.
cv::Mat glSilhouette(const QImage& grabbed) {
    const QImage img = grabbed.convertToFormat(QImage::Format_RGB888);
    const Eigen::Vector3f bg = render::MeshRenderer::background() * 255.0f;
    cv::Mat m(img.height(), img.width(), CV_8UC1);
    for (int y = 0; y < img.height(); ++y) {
        const uchar* row = img.constScanLine(y);
        for (int x = 0; x < img.width(); ++x) {
            bool isBg = true;
            for (int c = 0; c < 3; ++c) isBg = isBg && std::abs(row[3 * x + c] - std::lround(bg[c])) <= 1;
            m.at<uchar>(y, x) = isBg ? 0 : 1;
        }
    }
    return m;
}

double iou(const cv::Mat& a, const cv::Mat& b) {
    const int inter = cv::countNonZero(a & b), uni = cv::countNonZero(a | b);
    return uni == 0 ? 0.0 : static_cast<double>(inter) / uni;
}

void sendMouse(QWidget* w, QEvent::Type type, QPoint p, Qt::MouseButton button, Qt::MouseButtons buttons) {
    QMouseEvent e(type, QPointF(p), w->mapToGlobal(QPointF(p)), button, buttons, Qt::NoModifier);
    QCoreApplication::sendEvent(w, &e);
}
}  // namespace

class TestGlViewport : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        pipeline_ = std::make_shared<generate::SamplePipeline>(
            scene::buildScenePipeline("default", "procedural", kSize, kSize));
        scene::Scene s;
        s.width = s.height = kSize;
        doc_ = new SceneDocument(this);
        doc_->reset(s, pipeline_->model);
        view_ = new ViewportWidget(doc_);
        view_->setLandmarksShown(false);  // points may poke past the outline
        view_->setFixedSize(kSize, kSize);
        view_->show();
        if (!QTest::qWaitForWindowExposed(view_)) QSKIP("no window system");
        // grabFramebuffer() initialises GL if the first paint has not yet.
        const QImage first = view_->grabFramebuffer();
        if (!view_->isValid() || first.isNull() || !view_->glError().isEmpty())
            QSKIP(qPrintable(QStringLiteral("no OpenGL 3.3 core context: ") + view_->glError()));
        if (first.width() != kSize || first.height() != kSize)
            QSKIP("device pixel ratio is not 1; the silhouette test needs 256x256 device pixels");
    }

    void cleanupTestCase() { delete view_; }

    void silhouetteMatchesCpu_data() {
        QTest::addColumn<float>("yaw");
        QTest::addColumn<float>("pitch");
        QTest::newRow("frontal") << 0.0f << 0.0f;
        QTest::newRow("yaw 0.5") << 0.5f << 0.0f;
        QTest::newRow("pitch -0.3") << 0.0f << -0.3f;
        QTest::newRow("yaw -0.7 pitch 0.2") << -0.7f << 0.2f;
    }

    void silhouetteMatchesCpu() {
        QFETCH(float, yaw);
        QFETCH(float, pitch);
        camera::OrbitCamera cam;
        cam.yaw = yaw;
        cam.pitch = pitch;
        doc_->setCamera(cam);
        const cv::Mat gl = glSilhouette(view_->grabFramebuffer());

        const head::HeadPose pose = head::forward(*pipeline_->model, doc_->scene().params);
        annotate::AnnotationOptions opt;
        opt.segmentation = pipeline_->labels != nullptr;
        const annotate::Annotations a = annotate::annotate(*pipeline_->model, pose, cam.pinhole(), kSize, kSize,
                                                           pipeline_->labels.get(), opt);
        const cv::Mat depthSil = a.depth > 0.0f;
        const double depthIou = iou(gl, depthSil / 255);
        double segIou = -1.0;
        if (!a.segmentation.empty()) segIou = iou(gl, (a.segmentation > 0) / 255);
        qInfo("%s: GL %d px, CPU %d px, differing %d px, IoU depth %.6f, segmentation %.6f", QTest::currentDataTag(),
              cv::countNonZero(gl), cv::countNonZero(depthSil), cv::countNonZero(gl != depthSil / 255), depthIou, segIou);
        QVERIFY2(depthIou > 0.98, qPrintable(QString::number(depthIou)));
        if (segIou >= 0.0) QVERIFY2(segIou > 0.98, qPrintable(QString::number(segIou)));
    }

    void dragOrbitsAsOneUndoStep() {
        doc_->setCamera(camera::OrbitCamera{});
        const int before = doc_->undoStack()->count();
        const QPoint start(100, 100);
        sendMouse(view_, QEvent::MouseButtonPress, start, Qt::LeftButton, Qt::LeftButton);
        for (int i = 1; i <= 10; ++i)
            sendMouse(view_, QEvent::MouseMove, start + QPoint(3 * i, 2 * i), Qt::NoButton, Qt::LeftButton);
        sendMouse(view_, QEvent::MouseButtonRelease, start + QPoint(30, 20), Qt::LeftButton, Qt::NoButton);
        QCOMPARE(doc_->undoStack()->count(), before + 1);
        const float k = ViewportWidget::kOrbitRadiansPerPixel;
        QVERIFY(std::abs(doc_->scene().camera.yaw - (-30 * k)) < 1e-5f);
        QVERIFY(std::abs(doc_->scene().camera.pitch - (-20 * k)) < 1e-5f);
        doc_->undoStack()->undo();
        QCOMPARE(doc_->scene().camera.yaw, 0.0f);

        const float r = doc_->scene().camera.radius;
        QWheelEvent wheel(QPointF(50, 50), view_->mapToGlobal(QPointF(50, 50)), QPoint(), QPoint(0, 120),
                          Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QCoreApplication::sendEvent(view_, &wheel);
        QVERIFY(doc_->scene().camera.radius < r);
    }

    void windowScreenshot() {
        MainWindow window;
        window.setErrorDialogsEnabled(false);
        window.resize(1400, 900);
        QSignalSpy loaded(&window, &MainWindow::modelLoaded);
        window.show();
        QVERIFY(loaded.wait(120000));
        camera::OrbitCamera cam;
        cam.yaw = 0.45f;
        cam.pitch = -0.15f;
        window.document()->setCamera(cam);
        ViewportWidget* vp = window.showViewport();
        QVERIFY(vp);
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTest::qWait(500);
        QVERIFY(vp->glError().isEmpty());
        const QImage shot = window.grab().toImage();
        const QString out = QDir(QStringLiteral(SYNTHFORGE_GL_TEST_OUT)).filePath(QStringLiteral("viewport_window.png"));
        QVERIFY(shot.save(out));
        qInfo("screenshot: %s", qPrintable(out));
        // The viewport part shows the head: many non-background pixels.
        const QImage vpImage = vp->grabFramebuffer();
        QVERIFY(cv::countNonZero(glSilhouette(vpImage)) > vpImage.width() * vpImage.height() / 50);
    }

private:
    std::shared_ptr<generate::SamplePipeline> pipeline_;
    SceneDocument* doc_ = nullptr;
    ViewportWidget* view_ = nullptr;
};

QTEST_MAIN(TestGlViewport)
#include "gl_test_viewport.moc"
