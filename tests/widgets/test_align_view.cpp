// The studio's Align tab without a display: losses.csv read while it grows
// (half lines, a missing file, a new run), the heatmap's colour scale, the
// iso-surface re-extracted at another level from the same grid, fits loaded
// (good and bad) with before/after reaching the generator view's annotated
// head, and `synthforge align` runs through a fake command (live losses,
// success loads the fit, Stop exits 130, a failure is reported).

#include <cmath>
#include <fstream>

#include <QCoreApplication>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "app/studio/main_window.h"
#include "core/align/alignment_fit.h"
#include "core/camera/orbit_camera.h"
#include "widgets/align/align_geometry.h"
#include "widgets/align/align_run.h"
#include "widgets/align/align_run_panel.h"
#include "widgets/align/align_view.h"
#include "widgets/align/heat_legend.h"
#include "widgets/align/heat_scale.h"
#include "widgets/align/losses_tail.h"
#include "widgets/panels/generator_view.h"
#include "widgets/panels/scene_document.h"
#include "widgets/runs/scalar_chart_view.h"

using namespace synthforge;
using namespace synthforge::widgets;

namespace {

QString fakeAlign() { return QStringLiteral(SYNTHFORGE_TEST_SOURCE_DIR "/tests/widgets/fake_align.sh"); }

void append(const QString& path, const char* text) {
    std::ofstream f(path.toStdString(), std::ios::app | std::ios::binary);
    f << text;
}

/// A fit for the default head that moves it 8 mm along x and scales it 2 %.
align::AlignmentFit shiftFit(std::int64_t vertices) {
    align::AlignmentFit fit;
    fit.generatorName = "procedural";
    fit.headName = "default";
    fit.vertexCount = vertices;
    fit.correction = Eigen::Matrix4f::Identity();
    fit.correction.block<3, 3>(0, 0) *= 1.02f;
    fit.correction(0, 3) = 0.008f;
    fit.nominalFlameToWorld = camera::flameToWorldMatrix();
    fit.samples = 4;
    fit.steps = 20;
    fit.final = {{"total", 0.012}};
    return fit;
}

double mean(const std::vector<float>& v) {
    double s = 0;
    for (float x : v) s += x;
    return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

}  // namespace

class TestAlignView : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SynthForgeTest"));
        QVERIFY(tmp_.isValid());
    }
    void cleanupTestCase() { delete window_; }

    // ---- losses.csv while it is written ----
    void lossesTailReadsGrowingFileWithPartialLines() {
        const QString path = QDir(tmp_.path()).filePath(QStringLiteral("tail/losses.csv"));
        QDir().mkpath(QFileInfo(path).path());
        LossesTail tail(path.toStdString());
        QVERIFY(tail.poll().empty());  // not there yet: no rows, no error
        QCOMPARE(tail.skipped(), std::size_t{0});
        append(path, "step,total,chamfer,density,depth,landmarks\n0,1.5,0.5,0.25,0.125,0\n1,1.0,0.4");
        auto rows = tail.poll();
        QCOMPARE(rows.size(), std::size_t{1});  // the half-written step 1 waits
        QCOMPARE(tail.names(), (std::vector<std::string>{"total", "chamfer", "density", "depth", "landmarks"}));
        QCOMPARE(rows[0].step, std::int64_t{0});
        QCOMPARE(rows[0].values, (std::vector<double>{1.5, 0.5, 0.25, 0.125, 0.0}));
        QVERIFY(tail.poll().empty());  // nothing new, still half a line
        append(path, ",0.2,0.1,nan\n2,0.9,0.3,0.2,0.1,0\r\n");
        rows = tail.poll();
        QCOMPARE(rows.size(), std::size_t{2});
        QCOMPARE(rows[0].step, std::int64_t{1});
        QCOMPARE(rows[0].values[1], 0.4);
        QVERIFY(std::isnan(rows[0].values[4]));  // an unused loss
        QCOMPARE(rows[1].step, std::int64_t{2});
        QCOMPARE(rows[1].values[4], 0.0);  // the CR of a CRLF line is not part of the value
        // A malformed row is skipped and said why; the rows after it still come.
        append(path, "3,abc\nx,1,1,1,1,1\n4,0.8,0.3,0.2,0.1,0\n");
        rows = tail.poll();
        QCOMPARE(rows.size(), std::size_t{1});
        QCOMPARE(rows[0].step, std::int64_t{4});
        QCOMPARE(tail.skipped(), std::size_t{2});
        QVERIFY(QString::fromStdString(tail.lastError()).contains(QStringLiteral("step is not an integer")));
        // A new run replaces the file with a shorter one: read from its start.
        { std::ofstream f(path.toStdString(), std::ios::trunc); f << "step,total\n0,7\n"; }
        rows = tail.poll();
        QCOMPARE(rows.size(), std::size_t{1});
        QCOMPARE(tail.names(), (std::vector<std::string>{"total"}));
        QCOMPARE(rows[0].values, (std::vector<double>{7.0}));
    }

    // ---- the heatmap's colours and legend ----
    void heatScaleMapsDistancesAndTicksInMillimetres() {
        QCOMPARE(mmPerGeneratorUnit(), 400.0);  // world = 2.5 x FLAME metres
        const HeatScale s(0.005f);              // 2 mm
        QVERIFY((s.colour(0.0f) - HeatScale::ramp(0.0f)).norm() < 1e-6f);
        QVERIFY((s.colour(0.005f) - HeatScale::ramp(1.0f)).norm() < 1e-6f);
        QVERIFY((s.colour(1.0f) - HeatScale::ramp(1.0f)).norm() < 1e-6f);   // clamped above
        QVERIFY((s.colour(-1.0f) - HeatScale::ramp(0.0f)).norm() < 1e-6f);  // and below
        QVERIFY((s.colour(std::nanf("")) - HeatScale::ramp(0.0f)).norm() < 1e-6f);
        // Brighter with distance (the ramp is ordered in lightness).
        float last = -1.0f;
        for (int i = 0; i <= 10; ++i) {
            const Eigen::Vector3f c = HeatScale::ramp(i / 10.0f);
            const float luma = 0.2126f * c.x() + 0.7152f * c.y() + 0.0722f * c.z();
            QVERIFY2(luma > last, qPrintable(QStringLiteral("step %1").arg(i)));
            last = luma;
        }
        const std::vector<double> ticks = s.ticksMm(5);
        QCOMPARE(ticks.size(), std::size_t{5});
        QCOMPARE(ticks.front(), 0.0);
        QVERIFY(std::abs(ticks.back() - 2.0) < 1e-5);
        // The maximum follows the p95, rounded up to 1-2-5 in mm: one outlier does not set it.
        std::vector<float> d(100, 0.003f);  // 1.2 mm
        d[7] = 0.5f;                        // 200 mm
        QVERIFY(std::abs(HeatScale::fitting(d).maxMm() - 2.0) < 1e-4);
        QVERIFY(std::abs(HeatScale::fitting(std::vector<float>(10, 0.0f)).maxMm() - 1.0) < 1e-4);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, HeatScale(0.0f));
        HeatLegend legend;
        legend.setScale(s);
        QCOMPARE(legend.tickLabels().first(), QStringLiteral("≥ 2.0 mm"));
        QCOMPARE(legend.tickLabels().last(), QStringLiteral("0.0 mm"));
    }

    // ---- the view in the studio window ----
    void densityIsSampledAndTheLevelReExtracts() {
        AlignView* v = window()->alignView();
        QVERIFY(v);
        v->setResolution(48);
        QSignalSpy ready(v, &AlignView::densityReady);
        QVERIFY(v->sampleDensity());
        QVERIFY(v->sampling());
        QVERIFY(ready.wait(120000));
        QVERIFY(!v->sampling());
        QCOMPARE(v->level(), defaultSurfaceLevel());
        QCOMPARE(v->level(), 50.0f);
        QVERIFY(!v->surface().empty());
        QVERIFY(v->fieldMax() > v->level() && v->fieldMin() < v->level());
        const int vertices = window()->document()->model()->numVertices();
        QCOMPARE(static_cast<int>(v->headMesh().positions.rows()), vertices);
        QCOMPARE(static_cast<int>(v->residuals().size()), vertices);
        QCOMPARE(v->headColours().size(), static_cast<std::size_t>(vertices));
        // At the surface level the iso-surface lies on the mesh: well under a cell on average.
        const double cell = (v->surface().mesh.positions.colwise().maxCoeff() -
                             v->surface().mesh.positions.colwise().minCoeff()).maxCoeff() / 48.0;
        QVERIFY2(mean(v->residuals()) < 0.3 * cell, qPrintable(QString::number(mean(v->residuals()) / cell)));
        const double volumeAtSurface = align::signedVolume(v->surface().mesh);

        // A lower level takes in more of the density's skirt: a larger surface, farther from the mesh.
        QSignalSpy changed(v, &AlignView::geometryChanged);
        const int sliderBefore = v->levelSlider()->value();
        v->setLevel(10.0f);
        QCOMPARE(changed.count(), 1);
        QVERIFY(v->levelSlider()->value() < sliderBefore);
        QVERIFY(align::signedVolume(v->surface().mesh) > volumeAtSurface * 1.01);
        QVERIFY(mean(v->residuals()) > 0.3 * cell);
        // Moving the slider re-extracts too, from the cached grid (no sampling).
        v->levelSlider()->setValue(v->levelSlider()->maximum() - 1);
        QVERIFY(std::abs(v->level() - v->fieldMax()) < 0.01f * (v->fieldMax() - v->fieldMin()));
        QVERIFY(align::signedVolume(v->surface().mesh) < volumeAtSurface);
        QVERIFY(!v->sampling());
        // Beyond the field's range: an empty surface and a message, no crash.
        v->setLevel(1e6f);
        QVERIFY(v->surface().empty());
        QVERIFY(v->residuals().empty());
        QVERIFY(v->statusLabel()->text().contains(QStringLiteral("outside the field's range")));
        v->setLevel(defaultSurfaceLevel());
        QVERIFY(!v->surface().empty());
        // Heatmap off: plain head.
        v->setHeatmapShown(false);
        QVERIFY(v->headColours().empty());
        v->setHeatmapShown(true);
        QCOMPARE(v->headColours().size(), static_cast<std::size_t>(vertices));
    }

    void samplingCanBeCancelled() {
        AlignView* v = window()->alignView();
        v->setResolution(192);
        QSignalSpy failed(v, &AlignView::densityFailed);
        QSignalSpy ready(v, &AlignView::densityReady);
        QVERIFY(v->sampleDensity());
        v->cancelSampling();
        QVERIFY(failed.wait(60000));
        QCOMPARE(failed.first().first().toString(), QStringLiteral("cancelled"));
        QCOMPARE(ready.count(), 0);
        QVERIFY(!v->sampling());
        QVERIFY(!v->surface().empty());  // the earlier grid's surface stays

        // Sampling again while a sampling runs replaces it: the first one's
        // cancellation must not end the second.
        v->setResolution(192);
        QVERIFY(v->sampleDensity());
        v->setResolution(32);
        QVERIFY(v->sampleDensity());
        QVERIFY(ready.wait(60000));
        QCOMPARE(failed.count(), 1);  // only the cancel above
        QVERIFY(!v->sampling());
        QVERIFY(v->surface().mesh.positions.rows() > 0);
        v->setResolution(48);
        QVERIFY(v->sampleDensity());
        QVERIFY(ready.wait(60000));
    }

    void badFitsAreReportedAndChangeNothing() {
        AlignView* v = window()->alignView();
        QSignalSpy errors(v, &AlignView::errorReported);
        QVERIFY(!v->loadFit(QDir(tmp_.path()).filePath(QStringLiteral("no-such-fit"))));
        QCOMPARE(errors.count(), 1);
        QVERIFY(errors.last().at(1).toString().contains(QStringLiteral("no such file")));
        const QString broken = QDir(tmp_.path()).filePath(QStringLiteral("broken-fit"));
        QDir().mkpath(broken);
        append(QDir(broken).filePath(QStringLiteral("alignment.json")), "{\"format\": \"synthforge-alignment\",");
        QVERIFY(!v->loadFit(broken));
        QCOMPARE(errors.count(), 2);
        // A valid fit for a head with another vertex count.
        const QString other = QDir(tmp_.path()).filePath(QStringLiteral("other-head-fit"));
        align::saveAlignmentFit(other.toStdString(), shiftFit(1234));
        QVERIFY(!v->loadFit(other));
        QVERIFY(errors.last().at(1).toString().contains(QStringLiteral("1234 vertices")));
        QVERIFY(!v->hasFit());
        QVERIFY(!v->activeCorrection());
        QVERIFY(window()->lastError().contains(QStringLiteral("1234 vertices")));  // reported by the window
    }

    void beforeAfterMovesTheHeadAndTheOverlays() {
        AlignView* v = window()->alignView();
        const int vertices = window()->document()->model()->numVertices();
        const QString dir = QDir(tmp_.path()).filePath(QStringLiteral("fit"));
        const align::AlignmentFit fit = shiftFit(vertices);
        align::saveAlignmentFit(dir.toStdString(), fit);
        const io::TriMesh before = v->headMesh();
        const double residualBefore = mean(v->residuals());
        QVERIFY(v->loadFit(dir));
        QVERIFY(!v->corrected());  // loading alone keeps "before"
        QVERIFY(v->headMesh().positions.isApprox(before.positions));

        QSignalSpy correction(v, &AlignView::correctionChanged);
        QSignalSpy frames(window()->generatorView(), &GeneratorView::frameShown);
        v->setCorrected(true);
        QCOMPARE(correction.count(), 1);
        QVERIFY(v->activeCorrection());
        QVERIFY(v->activeCorrection()->isApprox(fit.correction));
        // world = M * C * v: a vertex moves by M's linear part times (C v - v).
        const Eigen::Matrix4f m = camera::flameToWorldMatrix();
        const Eigen::Matrix4f toFlame = m.inverse();
        for (int i : {0, 1000, vertices - 1}) {
            const Eigen::Vector4f w0(before.positions(i, 0), before.positions(i, 1), before.positions(i, 2), 1.0f);
            const Eigen::Vector4f expected = m * fit.correction * toFlame * w0;
            const Eigen::Vector3f got = v->headMesh().positions.row(i).transpose();
            QVERIFY2((got - expected.head<3>()).norm() < 1e-5f, qPrintable(QString::number(i)));
        }
        // Moved off the density's surface by the (planted) shift: larger residuals.
        QVERIFY(mean(v->residuals()) > residualBefore + 0.005);
        // The generator view renders with the correction, so its annotated head (landmarks, segmentation) moves.
        const auto pipeline = window()->generatorView()->pipeline();
        QVERIFY(pipeline && pipeline->correction);
        QVERIFY(pipeline->correction->isApprox(fit.correction));
        QVERIFY(frames.wait(60000));
        const auto sample = window()->generatorView()->lastSample();
        QVERIFY(sample);
        const head::HeadPose plain = head::forward(*window()->document()->model(), window()->document()->scene().params);
        const Eigen::Vector4f v0(plain.vertices(0, 0), plain.vertices(0, 1), plain.vertices(0, 2), 1.0f);
        const Eigen::Vector3f corrected0 = (fit.correction * v0).head<3>();
        QVERIFY((sample->pose.vertices.row(0).transpose() - corrected0).norm() < 1e-5f);

        // Back to "before": the plain pipeline again.
        v->setCorrected(false);
        QCOMPARE(correction.count(), 2);
        QVERIFY(!window()->generatorView()->pipeline()->correction);
        QVERIFY(v->headMesh().positions.isApprox(before.positions));
    }

    // ---- synthforge align through a fake command ----
    void alignArgumentsFollowTheDocumentedInterface() {
        AlignRunOptions o;
        o.head = QStringLiteral("/m/head.safetensors");
        o.samples = 3;
        o.steps = 40;
        o.outDir = QStringLiteral("/tmp/fit");
        QCOMPARE(alignArguments(o), (QStringList{"align", "--generator", "procedural", "--head", "/m/head.safetensors",
                                                 "--samples", "3", "--steps", "40", "--out", "/tmp/fit",
                                                 "--progress", "json"}));
    }

    void aRunPlotsLossesLiveAndLoadsItsFit() {
        AlignView* v = window()->alignView();
        v->setCorrected(false);
        const QString templ = QDir(tmp_.path()).filePath(QStringLiteral("fit-template"));
        align::AlignmentFit fit = shiftFit(window()->document()->model()->numVertices());
        fit.correction(1, 3) = -0.004f;  // not the fit loaded before
        align::saveAlignmentFit(templ.toStdString(), fit);
        qputenv("FAKE_ALIGN_FIT", templ.toUtf8());
        qputenv("FAKE_ALIGN_DELAY", "0.05");
        AlignRunPanel* panel = v->runPanel();
        panel->run()->setProgram(fakeAlign());
        panel->run()->setPollInterval(40);
        panel->stepsBox()->setValue(12);
        const QString out = QDir(tmp_.path()).filePath(QStringLiteral("run-out"));
        panel->outDirEdit()->setText(out);
        QCOMPARE(panel->options().head, QStringLiteral("default"));

        QSignalSpy appended(panel->run(), &AlignRun::lossesAppended);
        QSignalSpy finished(panel->run(), &AlignRun::finished);
        QVERIFY(panel->startRun());
        QVERIFY(!panel->runButton()->isEnabled());
        QVERIFY(panel->stopButton()->isEnabled());
        QVERIFY(appended.wait(10000));
        QVERIFY(panel->run()->running());  // rows arrive while it runs, not only at the end
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.first().at(0).toBool(), true);
        QVERIFY(appended.count() >= 2);
        QCOMPARE(panel->run()->rows().size(), std::size_t{12});
        QCOMPARE(panel->run()->rows().back().step, std::int64_t{11});
        QCOMPARE(panel->run()->progressDone(), qint64{12});
        // total, chamfer, density and depth have values; landmarks stays 0 and is left off the log chart.
        QCOMPARE(panel->chart()->runNames().size(), 4);
        QVERIFY(panel->chart()->runNames().contains(QStringLiteral("chamfer")));
        QVERIFY(!panel->chart()->runNames().contains(QStringLiteral("landmarks")));
        // Success loads the fit it wrote and shows it applied.
        QVERIFY(v->hasFit());
        QVERIFY(v->corrected());
        QVERIFY(v->activeCorrection()->isApprox(fit.correction));
        QVERIFY(window()->generatorView()->pipeline()->correction->isApprox(fit.correction));
        QVERIFY(panel->runButton()->isEnabled());
    }

    void stopInterruptsTheRun() {
        AlignRunPanel* panel = window()->alignView()->runPanel();
        qputenv("FAKE_ALIGN_DELAY", "0.2");
        panel->stepsBox()->setValue(500);
        panel->outDirEdit()->setText(QDir(tmp_.path()).filePath(QStringLiteral("stopped-out")));
        QSignalSpy appended(panel->run(), &AlignRun::lossesAppended);
        QSignalSpy finished(panel->run(), &AlignRun::finished);
        const auto fitBefore = window()->alignView()->fit()->correction;
        QVERIFY(panel->startRun());
        QVERIFY(appended.wait(10000));
        panel->stopRun();
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().at(0).toBool(), false);  // not ok
        QCOMPARE(finished.first().at(1).toBool(), true);   // stopped
        QCOMPARE(finished.first().at(2).toInt(), kInterruptedExitCode);
        QVERIFY(panel->run()->rows().size() < 500);
        QVERIFY(panel->statusLabel()->text().contains(QStringLiteral("Stopped")));
        QVERIFY(window()->alignView()->fit()->correction.isApprox(fitBefore));  // no new fit
    }

    void aFailedRunIsReported() {
        AlignRunPanel* panel = window()->alignView()->runPanel();
        qputenv("FAKE_ALIGN_DELAY", "0.01");
        qputenv("FAKE_ALIGN_EXIT", "1");
        panel->stepsBox()->setValue(3);
        QSignalSpy finished(panel->run(), &AlignRun::finished);
        QVERIFY(panel->startRun());
        QVERIFY(finished.wait(10000));
        qunsetenv("FAKE_ALIGN_EXIT");
        QCOMPARE(finished.first().at(0).toBool(), false);
        QCOMPARE(finished.first().at(1).toBool(), false);
        QVERIFY(panel->statusLabel()->text().contains(QStringLiteral("exit code 1")));
        QVERIFY(panel->statusLabel()->text().contains(QStringLiteral("cannot read head model")));
        // A program that does not exist is refused at start, with the reason.
        panel->run()->setProgram(QDir(tmp_.path()).filePath(QStringLiteral("no-such-program")));
        QSignalSpy errors(panel, &AlignRunPanel::errorReported);
        QVERIFY(!panel->startRun());
        QCOMPARE(errors.count(), 1);
        QVERIFY(panel->runButton()->isEnabled());
    }

private:
    MainWindow* window() {
        if (!window_) {
            window_ = new MainWindow;
            window_->setErrorDialogsEnabled(false);
            QSignalSpy frames(window_->generatorView(), &GeneratorView::frameShown);
            if (!frames.wait(120000)) qFatal("the studio window showed no frame");
        }
        return window_;
    }

    QTemporaryDir tmp_;
    MainWindow* window_ = nullptr;
};

QTEST_MAIN(TestAlignView)
#include "test_align_view.moc"
