// The main window with the real default head: the generator view produces
// an image for the scene, a corrupt scene file keeps the previous state, and
// a saved scene opens back to the same scene.

#include <QDir>
#include <QFile>
#include <QFuture>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoGroup>
#include <QUndoStack>
#include <opencv2/core.hpp>

#include "app/studio/main_window.h"
#include "core/head/lbs.h"
#include "core/io/mesh_io.h"
#include "core/scene/scene.h"
#include "widgets/label_editor/label_editor_dock.h"
#include "widgets/panels/generator_view.h"
#include "widgets/panels/image_hover.h"
#include "widgets/panels/scene_document.h"

using namespace synthforge;
using namespace synthforge::widgets;

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        // Keep the tests' window layout out of the user's settings.
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SynthForgeTest"));
        window_ = new MainWindow;
        window_->setErrorDialogsEnabled(false);
        QSignalSpy frames(window_->generatorView(), &GeneratorView::frameShown);
        // The default head builds in seconds on first use (then it is cached).
        QVERIFY(frames.wait(120000));
    }
    void cleanupTestCase() { delete window_; }

    void generatorViewShowsAnImageForTheScene() {
        const auto sample = window_->generatorView()->lastSample();
        QVERIFY(sample);
        QCOMPARE(sample->image.image.cols, window_->document()->scene().width);
        QCOMPARE(sample->image.image.rows, window_->document()->scene().height);
        const cv::Mat shown = window_->generatorView()->composed();
        QVERIFY(!shown.empty());
        cv::Scalar mean, stddev;
        cv::meanStdDev(shown, mean, stddev);
        QVERIFY(stddev[0] > 5.0);  // a face, not a flat image

        // An edit renders again (debounced, on the worker) with the new camera.
        QSignalSpy frames(window_->generatorView(), &GeneratorView::frameShown);
        camera::OrbitCamera c = window_->document()->scene().camera;
        c.yaw = 0.5f;
        window_->document()->setCamera(c);
        QVERIFY(frames.wait(60000));
        QCOMPARE(window_->generatorView()->lastSample()->spec.camera.yaw, 0.5f);
    }

    void hoverNamesThePixelAndLabelsTheLandmark() {
        GeneratorView* v = window_->generatorView();
        v->setLandmarksShown(true);
        v->picture()->resize(400, 300);
        const auto sample = v->lastSample();
        QVERIFY(sample);
        const annotate::Annotations& a = sample->annotations;
        const ImageFit fit = fitImage(QSize(a.width, a.height), v->picture()->size());
        const int nose = 30;  // the nose tip faces a frontal camera
        QVERIFY(a.landmarkVisible.at(nose));
        const QPointF at = fit.toWidget(QPointF(a.landmarks2d(nose, 0), a.landmarks2d(nose, 1)));
        v->hoverAt((at + QPointF(2, 1)).toPoint());
        QCOMPARE(v->hoveredLandmark(), nose);
        QVERIFY2(v->hoverText().contains(QStringLiteral("landmark 30 (visible)")), qPrintable(v->hoverText()));
        QVERIFY2(v->hoverText().contains(QStringLiteral("nose")), qPrintable(v->hoverText()));
        QVERIFY(v->hoverText().contains(QStringLiteral("depth")));
        // The label is drawn on the picture: it differs from the unlabelled one.
        const QImage labelled = v->picture()->pixmap().toImage();
        v->hoverAt(fit.toWidget(QPointF(1, 1)).toPoint());  // a corner: background, no landmark
        QCOMPARE(v->hoveredLandmark(), -1);
        QVERIFY(v->hoverText().contains(QStringLiteral("background")));
        QVERIFY(v->picture()->pixmap().toImage() != labelled);
        v->clearHover();
        QVERIFY(v->hoverText().isEmpty());
    }

    void labelEditorGetsTheModelsMapAndSharesUndo() {
        LabelEditorDock* labels = window_->labelEditor();
        QVERIFY(labels);
        const auto map = labels->labelMap();
        QVERIFY(map);
        const auto pipeline = window_->generatorView()->pipeline();
        QVERIFY(pipeline && pipeline->labels);
        QCOMPARE(map->size(), pipeline->labels->size());
        QCOMPARE(cv::norm(map->original(), pipeline->labels->original(), cv::NORM_INF), 0.0);
        // Edit > Undo follows the focus: the scene's stack by default.
        QCOMPARE(window_->undoGroup()->activeStack(), window_->document()->undoStack());
        QCOMPARE(window_->undoGroup()->stacks().size(), 2);
        QVERIFY(window_->undoGroup()->stacks().contains(labels->undoStack()));
    }

    void corruptSceneKeepsThePreviousState() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"format\": \"synthforge-scene\", \"flame_shape\": [1, 2, \"x\"]");
        f.close();
        const scene::Scene before = window_->document()->scene();
        const int steps = window_->document()->undoStack()->count();
        QVERIFY(!window_->openScene(path));
        QVERIFY(window_->lastError().startsWith(path));
        QVERIFY(window_->document()->scene() == before);
        QCOMPARE(window_->document()->undoStack()->count(), steps);
        QVERIFY(!window_->openScene(dir.filePath(QStringLiteral("missing.json"))));
    }

    void savedSceneOpensBack() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.json"));
        window_->document()->setZSeed(77);
        QVERIFY(window_->saveSceneTo(path));
        const scene::Scene saved = window_->document()->scene();
        window_->document()->setZSeed(78);
        QVERIFY(window_->openScene(path));
        QVERIFY(window_->document()->scene() == saved);
        QCOMPARE(window_->document()->undoStack()->count(), 0);
    }

    void exportWritesADatasetSample() {
        QTemporaryDir dir;
        QFuture<QString> done = window_->exportSample(dir.path());
        done.waitForFinished();
        QCOMPARE(done.result(), QString());
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("images/000000.png"))));
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("annotations/000000.json"))));
        // The exported annotation opens as a scene.
        QVERIFY(window_->openScene(dir.filePath(QStringLiteral("annotations/000000.json"))));
    }

    void exportedMeshReadsBackPosed() {
        QTemporaryDir dir;
        scene::Scene s = window_->document()->scene();
        s.params.pose(6) = 0.2f;  // open the jaw (joint 2 = jaw, x axis): the export must be the posed mesh, not the template
        window_->document()->reset(s, window_->document()->model());
        const auto model = window_->document()->model();
        for (const char* ext : {"obj", "ply", "glb"}) {
            const QString path = dir.filePath(QStringLiteral("head.") + QLatin1String(ext));
            QFuture<QString> done = window_->exportPosedMesh(path);
            done.waitForFinished();
            QCOMPARE(done.result(), QString());
            const io::TriMesh back = io::importMesh(path.toStdString());
            QCOMPARE(back.faces.rows(), model->faces.rows());
            // Welded back by exact value: the vertex set equals the posed one.
            const head::HeadPose posed = head::forward(*model, s.params);
            QCOMPARE(back.positions.rows(), posed.vertices.rows());
            // Order-free comparisons (the reader's welding reorders vertices).
            QVERIFY((back.positions.colwise().maxCoeff() - posed.vertices.colwise().maxCoeff()).norm() < 1e-5f);
            QVERIFY((back.positions.colwise().minCoeff() - posed.vertices.colwise().minCoeff()).norm() < 1e-5f);
            QVERIFY((back.positions.colwise().mean() - posed.vertices.colwise().mean()).norm() < 1e-5f);
            QVERIFY((posed.vertices.colwise().mean() - model->vTemplate.colwise().mean()).norm() > 1e-5f);
        }
        // An unknown extension is an error naming the file; nothing is written.
        const QString bad = dir.filePath(QStringLiteral("head.stl"));
        QFuture<QString> done = window_->exportPosedMesh(bad);
        done.waitForFinished();
        QVERIFY(done.result().startsWith(bad));
        QVERIFY(!QFile::exists(bad));
        QTRY_VERIFY(window_->lastError().startsWith(bad));  // reported on the GUI thread
    }

    void screenshotsHaveTheWidgetsSize() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("window.png"));
        QFuture<QString> done = window_->saveScreenshot(path, MainWindow::Screenshot::Window);
        done.waitForFinished();
        QCOMPARE(done.result(), QString());
        QImage back(path);
        QCOMPARE(back.size(), window_->size() * window_->devicePixelRatio());
        const QString view = dir.filePath(QStringLiteral("view"));  // no suffix: PNG is added
        done = window_->saveScreenshot(view, MainWindow::Screenshot::CurrentView);
        done.waitForFinished();
        QCOMPARE(done.result(), QString());
        QVERIFY(!QImage(view + QStringLiteral(".png")).isNull());
        // An unwritable place is an error, not a crash.
        done = window_->saveScreenshot(QStringLiteral("/proc/forbidden/x.png"), MainWindow::Screenshot::Window);
        done.waitForFinished();
        QVERIFY(done.result().contains(QStringLiteral("/proc/forbidden/x.png")));
    }

private:
    MainWindow* window_ = nullptr;
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
