// The main window with the real default head: the generator view produces
// an image for the scene, a corrupt scene file keeps the previous state, and
// a saved scene opens back to the same scene.

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>
#include <opencv2/core.hpp>

#include "core/scene/scene.h"
#include "widgets/generator_view.h"
#include "widgets/main_window.h"
#include "widgets/scene_document.h"

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
        QVERIFY(window_->exportSample(dir.path()));
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("images/000000.png"))));
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("annotations/000000.json"))));
        // The exported annotation opens as a scene.
        QVERIFY(window_->openScene(dir.filePath(QStringLiteral("annotations/000000.json"))));
    }

private:
    MainWindow* window_ = nullptr;
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
