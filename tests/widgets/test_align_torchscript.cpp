// The Align tab with a TorchScript generator, without a display: the picker's
// arguments for `synthforge align` and `synthforge density`, a real density
// run of the real CLI on the planted-answer module (its iso-surface loads and
// the heatmap has one colour per vertex of the CLI's head), what the reader
// says about outputs that do not fit together, and the errors a corrupt .pt
// and a missing executable give.

// planted_generator.h finds tools/ from the test data directory.
#define SYNTHFORGE_TEST_DATA_DIR SYNTHFORGE_TEST_SOURCE_DIR "/tests/data"

#include <fstream>

#include <QDir>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <QDoubleSpinBox>

#include "core/head/default_head/model_source.h"
#include "core/head/head_model.h"
#include "tests/support/planted_generator.h"
#include "widgets/align/align_run.h"
#include "widgets/align/align_run_panel.h"
#include "widgets/align/align_view.h"
#include "widgets/align/density_cli_run.h"
#include "widgets/align/generator_picker.h"
#include "widgets/panels/scene_document.h"

using namespace synthforge;
using namespace synthforge::widgets;

class TestAlignTorchScript : public QObject {
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
    }

    void pickerStartsProceduralAndFeedsTheAlignRun() {
        SceneDocument doc;
        AlignView v(&doc);
        GeneratorPicker* p = v.generatorPicker();
        QVERIFY(!p->torchScript());
        QCOMPARE(p->generator(), QStringLiteral("procedural"));
        QCOMPARE(p->psi(), 0.7);
        QVERIFY(!p->psiBox()->isEnabled());
        QCOMPARE(v.runPanel()->options().generator, QStringLiteral("procedural"));
        p->setTorchScriptFile(QStringLiteral("/g/model.pt"));
        p->setPsi(0.5);
        QVERIFY(p->psiBox()->isEnabled());
        const AlignRunOptions o = v.runPanel()->options();
        QCOMPARE(o.generator, QStringLiteral("/g/model.pt"));
        QCOMPARE(o.psi, 0.5);
        AlignRunOptions a = o;
        a.samples = 2;
        a.steps = 5;
        a.outDir = QStringLiteral("/tmp/fit");
        QCOMPARE(alignArguments(a), (QStringList{"align", "--generator", "/g/model.pt", "--psi", "0.5", "--head",
                                                 "default", "--samples", "2", "--steps", "5", "--out", "/tmp/fit",
                                                 "--progress", "json"}));
    }

    void densityArgumentsFollowTheCli() {
        DensityCliOptions o;
        o.generator = QStringLiteral("/g/model.pt");
        o.psi = 0.7;
        o.seed = 7;
        o.index = 0;
        o.resolution = 48;
        o.outDir = QStringLiteral("/tmp/d");
        QCOMPARE(densityArguments(o), (QStringList{"density", "--generator", "/g/model.pt", "--psi", "0.7", "--seed",
                                                   "7", "--index", "0", "--resolution", "48", "--out", "/tmp/d",
                                                   "--progress", "json"}));
        o.alignment = QStringLiteral("/fit");
        QVERIFY(densityArguments(o).join(' ').contains(QStringLiteral("--alignment /fit --seed")));
    }

    void theCliSamplesThePlantedModuleAndTheTabShowsIt() {
        SceneDocument doc;
        scene::Scene s = doc.scene();
        s.zSeed = 3;
        doc.reset(s, model_);
        AlignView v(&doc);
        v.setErrorDialogsEnabled(false);
        v.densityCli()->setProgram(QStringLiteral(SYNTHFORGE_CLI));
        v.generatorPicker()->setTorchScriptFile(planted_);
        v.setResolution(32);
        QCOMPARE(v.cliSample(), (std::pair<quint64, quint64>{3, 0}));
        QSignalSpy ready(&v, &AlignView::densityReady);
        QSignalSpy errors(&v, &AlignView::errorReported);
        QVERIFY(v.sampleDensity());
        QVERIFY(v.sampling());
        QVERIFY2(ready.wait(240000), qPrintable(v.statusLabel()->text()));
        QCOMPARE(errors.count(), 0);
        QVERIFY(v.showingCliDensity());
        QVERIFY(!v.sampling());
        // The iso-surface of isosurface.obj, and the CLI's head (the default head's vertices).
        QVERIFY(v.surface().mesh.positions.rows() > 500);
        QVERIFY(v.surface().mesh.faces.rows() > 1000);
        QCOMPARE(v.headMesh().positions.rows(), static_cast<Eigen::Index>(model_->numVertices()));
        QCOMPARE(v.headMesh().faces.rows(), model_->faces.rows());
        QCOMPARE(v.residuals().size(), static_cast<std::size_t>(model_->numVertices()));
        QCOMPARE(v.headColours().size(), static_cast<std::size_t>(model_->numVertices()));
        // The planted module (identity map) is the head's own density: the head lies on its surface.
        std::vector<float> r = v.residuals();
        std::nth_element(r.begin(), r.begin() + r.size() / 2, r.end());
        QVERIFY2(r[r.size() / 2] < 0.02f, qPrintable(QString::number(r[r.size() / 2])));
        // The level is the generator's, not the slider's.
        QVERIFY(!v.levelSlider()->isEnabled());
        QVERIFY(v.levelSlider()->toolTip().contains(QStringLiteral("surface level")));
        const float level = v.level();
        v.setLevel(level * 2);
        QCOMPARE(v.level(), level);
        // Heatmap off and on again keeps the CLI's distances.
        v.setHeatmapShown(false);
        QVERIFY(v.headColours().empty());
        v.setHeatmapShown(true);
        QCOMPARE(v.headColours().size(), static_cast<std::size_t>(model_->numVertices()));

        // The reader refuses distances that are not one per vertex, naming the file.
        const QString out = v.densityCli()->options().outDir;
        QTemporaryDir bad;
        for (const char* f : {"isosurface.obj", "mesh.obj"})
            QVERIFY(QFile::copy(QDir(out).filePath(f), QDir(bad.path()).filePath(f)));
        QFile src(QDir(out).filePath("distances.json"));
        QVERIFY(src.open(QIODevice::ReadOnly));
        QByteArray json = src.readAll();
        const int at = json.indexOf("\"per_vertex\"");
        QVERIFY(at > 0);
        const int open = json.indexOf('[', at);
        json.insert(open + 1, "0.5,");  // one distance too many
        QFile dst(QDir(bad.path()).filePath("distances.json"));
        QVERIFY(dst.open(QIODevice::WriteOnly));
        dst.write(json);
        dst.close();
        try {
            loadDensityOutputs(bad.path());
            QFAIL("a distance count that does not match mesh.obj was accepted");
        } catch (const std::runtime_error& e) {
            const QString m = QString::fromUtf8(e.what());
            QVERIFY2(m.contains(QStringLiteral("distances.json")) && m.contains(QStringLiteral("per_vertex")) &&
                         m.contains(QString::number(model_->numVertices())),
                     qPrintable(m));
        }
        QVERIFY(QFile::remove(QDir(bad.path()).filePath("mesh.obj")));
        try {
            loadDensityOutputs(bad.path());
            QFAIL("a missing mesh.obj was accepted");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("mesh.obj")), e.what());
        }
    }

    void cancelStopsTheCommand() {
        SceneDocument doc;
        AlignView v(&doc);
        v.setErrorDialogsEnabled(false);
        v.densityCli()->setProgram(QStringLiteral(SYNTHFORGE_CLI));
        v.generatorPicker()->setTorchScriptFile(planted_);
        v.setResolution(192);
        QSignalSpy failed(&v, &AlignView::densityFailed);
        QSignalSpy ready(&v, &AlignView::densityReady);
        QSignalSpy errors(&v, &AlignView::errorReported);
        QSignalSpy progress(v.densityCli(), &DensityCliRun::progress);
        QVERIFY(v.sampleDensity());
        QVERIFY(!v.sampleDensity());  // one at a time
        QCOMPARE(errors.count(), 1);
        QVERIFY(progress.wait(60000));  // sampling has begun: SIGINT now reaches the sampling loop
        v.cancelSampling();
        QVERIFY(failed.wait(30000));
        QCOMPARE(failed.first().at(0).toString(), QStringLiteral("cancelled"));
        QCOMPARE(ready.count(), 0);
        QCOMPARE(errors.count(), 1);  // a cancel is not an error
        QVERIFY(!v.sampling());
        QVERIFY(!v.showingCliDensity());
    }

    void aCorruptModuleIsReportedNamingTheFile() {
        const QString corrupt = QDir(tmp_.path()).filePath(QStringLiteral("corrupt.pt"));
        {
            std::ofstream f(corrupt.toStdString(), std::ios::binary);
            f << "this is not a TorchScript archive";
        }
        SceneDocument doc;
        AlignView v(&doc);
        v.setErrorDialogsEnabled(false);
        v.densityCli()->setProgram(QStringLiteral(SYNTHFORGE_CLI));
        v.generatorPicker()->setTorchScriptFile(corrupt);
        QSignalSpy failed(&v, &AlignView::densityFailed);
        QSignalSpy errors(&v, &AlignView::errorReported);
        QVERIFY(v.sampleDensity());
        QVERIFY(failed.wait(120000));
        QCOMPARE(errors.count(), 1);
        const QString message = errors.first().at(1).toString();
        QVERIFY2(message.contains(corrupt), qPrintable(message));
        // The CLI's reason, not the backtrace lines after it.
        QVERIFY2(message.contains(QStringLiteral("not a TorchScript module")), qPrintable(message));
        QVERIFY(v.statusLabel()->text().contains(corrupt));
        QVERIFY(!v.showingCliDensity());
        QVERIFY(!v.sampling());
    }

    void aMissingExecutableOrFileIsReported() {
        SceneDocument doc;
        AlignView v(&doc);
        v.setErrorDialogsEnabled(false);
        v.densityCli()->setProgram(QDir(tmp_.path()).filePath(QStringLiteral("no-such-synthforge")));
        QSignalSpy errors(&v, &AlignView::errorReported);
        v.generatorPicker()->setTorchScriptFile(planted_);
        QVERIFY(!v.sampleDensity());
        QCOMPARE(errors.count(), 1);
        QVERIFY2(errors.last().at(1).toString().contains(QStringLiteral("no-such-synthforge")),
                 qPrintable(errors.last().at(1).toString()));
        QVERIFY(!v.sampling());
        v.generatorPicker()->setTorchScriptFile(QDir(tmp_.path()).filePath(QStringLiteral("absent.pt")));
        QVERIFY(!v.sampleDensity());
        QVERIFY(errors.last().at(1).toString().contains(QStringLiteral("absent.pt")));
        v.generatorPicker()->setTorchScriptFile(QString());
        QVERIFY(!v.sampleDensity());
        QCOMPARE(errors.count(), 3);
    }

private:
    QTemporaryDir tmp_;
    std::shared_ptr<head::HeadModel> model_;
    QString planted_;
};

QTEST_MAIN(TestAlignTorchScript)
#include "test_align_torchscript.moc"
