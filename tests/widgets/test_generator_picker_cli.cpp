// The Generator tab with a TorchScript generator, without a display: picking
// the planted-answer module renders the scene through the real
// `synthforge render --scene` (both halves of the CLI) at the scene's size,
// with landmarks, segmentation and depth read back for the overlays; a
// corrupt .pt and a missing executable give a shown error naming the file;
// procedural renders in process again; the scene's "generator" field follows
// the picker and selects it when a scene is opened.

// planted_generator.h finds tools/ from the test data directory.
#define SYNTHFORGE_TEST_DATA_DIR SYNTHFORGE_TEST_SOURCE_DIR "/tests/data"

#include <fstream>

#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <opencv2/core.hpp>

#include "core/head/default_head/model_source.h"
#include "core/head/head_model.h"
#include "core/scene/scene_pipeline.h"
#include "tests/support/planted_generator.h"
#include "widgets/align/generator_picker.h"
#include "widgets/panels/cli_scene_render.h"
#include "widgets/panels/generator_view.h"
#include "widgets/panels/scene_document.h"

using namespace synthforge;
using namespace synthforge::widgets;

namespace {
constexpr int kSize = 64;  // the scene's size; the planted module draws 32², the CLI resizes
constexpr int kCliWaitMs = 180000;
}  // namespace

class TestGeneratorPickerCli : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(tmp_.isValid());
        model_ = std::make_shared<head::HeadModel>(head::loadHeadModel("default"));
        testutil::PlantedGeneratorSpec spec;
        spec.imageSize = 32;
        planted_ = QString::fromStdString(
            testutil::makePlantedGenerator(*model_, spec, QDir(tmp_.path()).filePath("m").toStdString()));
        QVERIFY2(QFileInfo(planted_).isFile(), qPrintable(planted_));
        corrupt_ = QDir(tmp_.path()).filePath(QStringLiteral("corrupt.pt"));
        std::ofstream(corrupt_.toStdString()) << "not a TorchScript archive";
        pipeline_ = std::make_shared<const generate::SamplePipeline>(
            scene::buildScenePipeline("default", "procedural", kSize, kSize));
    }

    void argumentsFollowTheCli() {
        CliRenderOptions o;
        o.generator = QStringLiteral("/g/model.pt");
        o.psi = 0.5;
        QCOMPARE(cliRenderArguments(QStringLiteral("/t/scene.json"), o, QStringLiteral("/t/out")),
                 (QStringList{"render", "--scene", "/t/scene.json", "--generator", "/g/model.pt", "--psi", "0.5",
                              "--head", "default", "--out", "/t/out"}));
        o.alignment = QStringLiteral("/fit");
        QVERIFY(cliRenderArguments(QStringLiteral("s"), o, QStringLiteral("o")).join(' ').contains("--alignment /fit --out o"));
    }

    void proceduralRendersInProcessByDefault() {
        SceneDocument doc;
        doc.reset(smallScene(), model_);
        GeneratorView v(&doc);
        QSignalSpy frames(&v, &GeneratorView::frameShown);
        v.setPipeline(pipeline_);
        QVERIFY(frames.wait(60000));
        QVERIFY(!v.throughCli());
        QCOMPARE(v.generatorPicker()->generator(), QStringLiteral("procedural"));
        QVERIFY2(v.statusText().startsWith(QStringLiteral("procedural generator, in process")), qPrintable(v.statusText()));
        QCOMPARE(v.lastSample()->image.image.cols, kSize);
        QVERIFY(!v.lastSample()->annotations.raster.triangleId.empty());  // only the in-process path has a raster
    }

    void pickingTheModuleRendersThroughTheCli() {
        SceneDocument doc;
        doc.reset(smallScene(), model_);
        GeneratorView v(&doc);
        v.setCliProgram(QStringLiteral(SYNTHFORGE_CLI));
        QSignalSpy frames(&v, &GeneratorView::frameShown);
        QSignalSpy failures(&v, &GeneratorView::renderFailed);
        v.setPipeline(pipeline_);
        QVERIFY(frames.wait(60000));
        const auto procedural = v.lastSample();
        frames.clear();

        v.generatorPicker()->setPsi(0.6);
        v.generatorPicker()->setTorchScriptFile(planted_);
        QVERIFY(v.throughCli());
        // The choice is in the scene (one undo step), so a saved scene remembers it.
        QCOMPARE(QString::fromStdString(doc.scene().generator), planted_);
        QVERIFY(doc.undoStack()->canUndo());
        QTRY_VERIFY_WITH_TIMEOUT(v.statusText().startsWith(QStringLiteral("rendering through synthforge")), 5000);
        QVERIFY2(frames.wait(kCliWaitMs), qPrintable(v.statusText()));
        QVERIFY2(failures.isEmpty(), qPrintable(failures.isEmpty() ? QString() : failures[0][0].toString()));
        QVERIFY2(v.statusText().contains(QStringLiteral("planted.pt through synthforge render")), qPrintable(v.statusText()));
        QVERIFY(v.statusText().contains(QStringLiteral(" ms")));
        qInfo("%s", qPrintable(v.statusText()));  // the latency docs/studio.md quotes

        const auto s = v.lastSample();
        QVERIFY(s != procedural);
        QCOMPARE(s->image.image.cols, kSize);
        QCOMPARE(s->image.image.rows, kSize);
        const annotate::Annotations& a = s->annotations;
        QCOMPARE(a.landmarks2d.rows(), Eigen::Index(68));
        QCOMPARE(a.landmarkVisible.size(), std::size_t(68));
        QCOMPARE(a.segmentation.rows, kSize);
        QVERIFY(cv::countNonZero(a.segmentation) > 0);
        QCOMPARE(a.depth.type(), CV_32FC1);
        QVERIFY(cv::countNonZero(a.depth) > 0);
        // The planted head is drawn where its landmarks are: most are inside the picture.
        int inside = 0;
        for (int i = 0; i < 68; ++i)
            inside += a.landmarks2d(i, 0) > 0 && a.landmarks2d(i, 0) < kSize && a.landmarks2d(i, 1) > 0 &&
                      a.landmarks2d(i, 1) < kSize;
        QVERIFY(inside > 60);

        // The overlays draw on it: landmarks and segmentation change the picture.
        v.setLandmarksShown(false);
        v.setSegmentationShown(false);
        const cv::Mat plain = v.composed();
        QCOMPARE(cv::norm(plain, s->image.image, cv::NORM_INF), 0.0);
        v.setLandmarksShown(true);
        QVERIFY(cv::norm(v.composed(), plain, cv::NORM_L1) > 0);
        v.setLandmarksShown(false);
        v.setSegmentationShown(true);
        QVERIFY(cv::norm(v.composed(), plain, cv::NORM_L1) > 0);
        v.setBase(GeneratorView::Base::Depth);
        QVERIFY(cv::norm(v.composed(), plain, cv::NORM_L1) > 0);
        v.setBase(GeneratorView::Base::Image);

        // An edit renders again through the CLI, for the edited scene.
        frames.clear();
        scene::Scene moved = doc.scene();
        moved.camera.yaw += 0.3f;
        doc.apply(moved, QStringLiteral("yaw"));
        QVERIFY(frames.wait(kCliWaitMs));
        QVERIFY(v.lastSample() != s);
        QVERIFY(cv::norm(v.lastSample()->image.image, s->image.image, cv::NORM_L1) > 0);

        // Back to procedural: in process again, at once.
        frames.clear();
        v.generatorPicker()->setProcedural();
        QCOMPARE(doc.scene().generator, std::string("procedural"));
        QVERIFY(!v.throughCli());
        QVERIFY(frames.wait(60000));
        QVERIFY2(v.statusText().startsWith(QStringLiteral("procedural generator, in process")), qPrintable(v.statusText()));
        QVERIFY(!v.lastSample()->annotations.raster.triangleId.empty());
    }

    void aCorruptModuleIsAShownErrorNamingTheFile() {
        SceneDocument doc;
        doc.reset(smallScene(), model_);
        GeneratorView v(&doc);
        v.setCliProgram(QStringLiteral(SYNTHFORGE_CLI));
        QSignalSpy failures(&v, &GeneratorView::renderFailed);
        v.setPipeline(pipeline_);
        v.generatorPicker()->setTorchScriptFile(corrupt_);
        QVERIFY(failures.wait(kCliWaitMs));
        const QString message = failures.last()[0].toString();
        QVERIFY2(message.contains(QStringLiteral("corrupt.pt")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("exit code")), qPrintable(message));
        QCOMPARE(v.statusText(), message);
        QVERIFY(v.picture()->text().contains(QStringLiteral("corrupt.pt")));
    }

    void aMissingExecutableIsAShownError() {
        SceneDocument doc;
        doc.reset(smallScene(), model_);
        GeneratorView v(&doc);
        v.setCliProgram(QDir(tmp_.path()).filePath(QStringLiteral("no-such-synthforge")));
        QSignalSpy failures(&v, &GeneratorView::renderFailed);
        // A path that is not (yet) a file: said so, no run, the scene untouched.
        v.generatorPicker()->setTorchScriptFile(QDir(tmp_.path()).filePath(QStringLiteral("plan")));
        QVERIFY(v.statusText().startsWith(QStringLiteral("No such TorchScript file")));
        QCOMPARE(doc.scene().generator, std::string("procedural"));
        QVERIFY(!doc.undoStack()->canUndo());
        QTest::qWait(500);
        QVERIFY(failures.isEmpty());
        v.generatorPicker()->setTorchScriptFile(planted_);
        QVERIFY(failures.wait(10000));
        QVERIFY2(failures.last()[0].toString().contains(QStringLiteral("no-such-synthforge")),
                 qPrintable(failures.last()[0].toString()));
        QVERIFY(v.statusText().contains(QStringLiteral("no-such-synthforge")));
    }

    void anOpenedSceneSelectsItsGenerator() {
        SceneDocument doc;
        doc.reset(smallScene(), model_);
        GeneratorView v(&doc);
        v.setCliProgram(QDir(tmp_.path()).filePath(QStringLiteral("no-such-synthforge")));  // no runs needed here
        scene::Scene withModule = smallScene();
        withModule.generator = planted_.toStdString();
        // Through the file, as File > Open reads it.
        const QString file = QDir(tmp_.path()).filePath(QStringLiteral("scene.json"));
        scene::saveScene(withModule, file.toStdString());
        doc.reset(scene::loadScene(file.toStdString()), model_);
        QVERIFY(v.throughCli());
        QCOMPARE(v.generatorPicker()->torchScriptFile(), planted_);

        QSignalSpy failures(&v, &GeneratorView::renderFailed);
        scene::Scene missing = smallScene();
        missing.generator = QDir(tmp_.path()).filePath(QStringLiteral("gone.pt")).toStdString();
        doc.reset(missing, model_);
        QVERIFY(!v.throughCli());
        QCOMPARE(v.generatorPicker()->generator(), QStringLiteral("procedural"));
        QCOMPARE(failures.size(), 1);
        QVERIFY(failures[0][0].toString().contains(QStringLiteral("gone.pt")));
        QVERIFY(v.statusText().contains(QStringLiteral("gone.pt")));
        // Further edits of that scene neither repeat the message nor change the field.
        scene::Scene edited = doc.scene();
        edited.camera.yaw += 0.1f;
        doc.apply(edited, QStringLiteral("yaw"));
        QCOMPARE(failures.size(), 1);
        QCOMPARE(doc.scene().generator, missing.generator);

        doc.reset(smallScene(), model_);
        QCOMPARE(v.generatorPicker()->generator(), QStringLiteral("procedural"));
    }

private:
    static scene::Scene smallScene() {
        scene::Scene s;
        s.width = s.height = kSize;
        return s;
    }

    QTemporaryDir tmp_;
    std::shared_ptr<head::HeadModel> model_;
    std::shared_ptr<const generate::SamplePipeline> pipeline_;
    QString planted_, corrupt_;
};

QTEST_MAIN(TestGeneratorPickerCli)
#include "test_generator_picker_cli.moc"
