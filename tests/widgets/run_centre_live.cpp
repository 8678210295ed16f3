// The run centre with real jobs, under a real X server (xvfb-run): a tiny
// `train` run launched from the panel shows its curve points arriving, is
// stopped from the UI (checkpoint, exit 130), resumed from the UI, and ends
// with weights byte-identical to an uninterrupted CLI run. A panel destroyed
// while a run goes on (the studio closed with "leave running", or killed)
// re-attaches from a new one; a crashing child shows as failed with its
// stderr, a vanished one as stale. With SYNTHFORGE_RUN_CENTRE_SCREENSHOT set,
// the panel with two runs selected is saved there.

#include <signal.h>

#include <QAction>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QItemSelectionModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QtCharts/QLineSeries>

#include "core/jobs/run_record.h"
#include "widgets/runs/eval_view.h"
#include "widgets/runs/predictions_view.h"
#include "widgets/runs/run_centre.h"
#include "widgets/runs/run_images_view.h"
#include "widgets/runs/scalar_chart_panel.h"
#include "widgets/runs/scalar_chart_view.h"
#include "widgets/runs/run_monitor.h"
#include "widgets/runs/run_table_model.h"

using namespace synthforge;
using namespace synthforge::widgets;

namespace {

QStringList trainArgs(const QString& data, const QString& out, int epochs) {
    return {"train", "--data", data, "--out", out, "--preset", "small", "--size", "64", "--batch", "2",
            "--epochs", QString::number(epochs), "--seed", "9", "--device", "cpu", "--threads", "1",
            "--checkpoint-every", "5", "--image-every", "10", "--workers", "0"};
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

jobs::RunStatus statusOf(RunCentre& c, const QString& dir) {
    const jobs::RunState* s = c.model()->runAt(dir);
    return s ? s->status : jobs::RunStatus::Stale;
}

bool present(RunCentre& c, const QString& dir) { return c.model()->runAt(dir) != nullptr; }

/// Points drawn for `run` in the chart of `tag` (0 while there is none).
int pointsOf(RunCentre& c, const QString& tag, const QString& run) {
    ScalarChartView* chart = c.scalarsView()->chart(tag);
    QLineSeries* series = chart ? chart->rawSeries(run) : nullptr;
    return series ? static_cast<int>(series->count()) : 0;
}

/// The table row (as the view sorts it) of the run in `dir`; -1 when absent.
int rowOf(RunCentre& c, const QString& dir) {
    QAbstractItemModel* m = c.table()->model();
    for (int row = 0; row < m->rowCount(); ++row)
        if (m->index(row, 0).data(RunTableModel::dirRole()).toString() == dir) return row;
    return -1;
}

}  // namespace

class RunCentreLive : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SynthForgeTest"));
        qputenv("SYNTHFORGE_CLI", SYNTHFORGE_CLI);
        QVERIFY(tmp_.isValid());
        ws_ = tmp_.filePath("ws");
        data_ = tmp_.filePath("data");
        QDir().mkpath(ws_);
        QProcess gen;
        gen.start(SYNTHFORGE_CLI, {"generate", "--count", "12", "--size", "64", "--seed", "4", "--out", data_,
                                   "--workers", "1", "--progress", "none"});
        QVERIFY(gen.waitForFinished(300000));
        QCOMPARE(gen.exitCode(), 0);
        // The uninterrupted reference run, from the CLI.
        QProcess ref;
        ref.start(SYNTHFORGE_CLI, trainArgs(data_, ws_ + "/reference", kEpochs) << "--progress" << "none");
        QVERIFY(ref.waitForFinished(600000));
        QVERIFY2(ref.exitCode() == 0, ref.readAllStandardError().constData());
    }

    void launchWatchStopResume() {
        RunCentre centre;
        centre.resize(1400, 900);
        centre.show();
        centre.monitor()->setInterval(300);
        centre.setWorkspace(ws_);
        const QString run = ws_ + "/live";
        LaunchRequest req;
        req.arguments = trainArgs(data_, run, kEpochs);
        req.runDir = run;
        QString error;
        QVERIFY2(centre.launch(req, &error), qPrintable(error));

        // Curve points arrive while it runs.
        QTRY_VERIFY_WITH_TIMEOUT(present(centre, run) && statusOf(centre, run) == jobs::RunStatus::Running, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(centre.model()->runAt(run)->lastStep >= 3, 120000);
        const std::int64_t seen = centre.model()->runAt(run)->lastStep;
        QVERIFY2(seen < kTotalSteps, "the run ended before it could be stopped; the test proved nothing");
        // The Scalars view follows the selected run as it writes.
        QVERIFY(centre.selectRun(run));
        centre.views()->setCurrentWidget(centre.scalarsView()->parentWidget());  // the panel sits in its tab page
        QTRY_VERIFY_WITH_TIMEOUT(pointsOf(centre, "train/grad_norm", "live") >= 3, 60000);
        const int points = pointsOf(centre, "train/grad_norm", "live");
        QTRY_VERIFY_WITH_TIMEOUT(pointsOf(centre, "train/grad_norm", "live") > points, 60000);
        QVERIFY(statusOf(centre, run) == jobs::RunStatus::Running);

        // Stop from the UI: a checkpoint, exit 130, status stopped.
        QVERIFY(centre.selectRun(run));
        QVERIFY(centre.stopAction()->isEnabled());
        centre.stopAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(statusOf(centre, run) == jobs::RunStatus::Stopped, 120000);
        QCOMPARE(centre.model()->runAt(run)->record->end->exitCode, 130);
        QVERIFY(!QFile::exists(run + "/final.safetensors"));

        // Resume from the UI; it finishes with the uninterrupted run's weights.
        QVERIFY(centre.selectRun(run));
        QVERIFY(centre.resumeAction()->isEnabled());
        centre.resumeAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(statusOf(centre, run) == jobs::RunStatus::Finished, 300000);
        QCOMPARE(centre.model()->runAt(run)->record->attempts, 2);
        QCOMPARE(centre.model()->runAt(run)->lastStep, kTotalSteps);
        const QByteArray resumed = readAll(run + "/final.safetensors");
        QVERIFY(!resumed.isEmpty());
        QVERIFY2(resumed == readAll(ws_ + "/reference/final.safetensors"),
                 "stopped and resumed from the panel, the final weights differ from an uninterrupted run");

    }

    void evaluationRunsFromThePanel() {
        RunCentre centre;
        centre.resize(1400, 900);
        centre.show();
        centre.monitor()->setInterval(300);
        centre.setWorkspace(ws_);
        // eval --run-dir makes an evaluation a run of its own, beside the
        // training runs; two of them compare side by side.
        for (const QString& name : {QStringLiteral("live"), QStringLiteral("reference")}) {
            LaunchRequest req;
            req.arguments = {"eval", "--model", ws_ + "/" + name, "--data", data_, "--split", "all", "--threads", "1",
                             "--run-dir", ws_ + "/eval_" + name};
            req.runDir = ws_ + "/eval_" + name;
            QVERIFY(centre.launch(req));
            QTRY_VERIFY_WITH_TIMEOUT(present(centre, req.runDir) && statusOf(centre, req.runDir) == jobs::RunStatus::Finished,
                                     120000);
            QCOMPARE(QString::fromStdString(centre.model()->runAt(req.runDir)->kind), QString("eval"));
            QVERIFY(QFile::exists(req.runDir + "/eval.json"));
        }
        // The training run's own record is untouched by the evaluations.
        QCOMPARE(QString::fromStdString(centre.model()->runAt(ws_ + "/live")->kind), QString("train"));

        const QString shot = qEnvironmentVariable("SYNTHFORGE_RUN_CENTRE_SCREENSHOT");
        const auto save = [&](const QString& suffix) {
            QTest::qWait(1000);  // let the views of the selection load
            const QString path = shot.left(shot.size() - 4) + suffix + ".png";
            QVERIFY(centre.grab().save(path));
        };
        // Two training runs: the table and their prediction grids.
        QVERIFY(centre.selectRun(ws_ + "/live"));
        centre.table()->selectionModel()->select(
            centre.table()->model()->index(rowOf(centre, ws_ + "/reference"), 0),
            QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QCOMPARE(centre.selectedRuns().size(), 2);
        centre.views()->setCurrentWidget(centre.imagesView());
        if (!shot.isEmpty()) save(QString());
        centre.views()->setCurrentWidget(centre.scalarsView()->parentWidget());  // the panel sits in its tab page
        QTRY_VERIFY_WITH_TIMEOUT(pointsOf(centre, "train/grad_norm", "reference") > 0, 30000);
        QCOMPARE(pointsOf(centre, "train/grad_norm", "reference"), pointsOf(centre, "train/grad_norm", "live"));
        if (!shot.isEmpty()) save(QStringLiteral("_scalars"));
        // Two evaluations compared.
        QVERIFY(centre.selectRun(ws_ + "/eval_live"));
        centre.table()->selectionModel()->select(
            centre.table()->model()->index(rowOf(centre, ws_ + "/eval_reference"), 0),
            QItemSelectionModel::Select | QItemSelectionModel::Rows);
        centre.views()->setCurrentWidget(centre.evalView());
        QCOMPARE(centre.evalView()->resultCount(), 2);
        if (!shot.isEmpty()) save(QStringLiteral("_eval"));

        // Predictions on images, launched from the panel, shown as overlays.
        LaunchRequest predict;
        predict.arguments = {"predict", "--model", ws_ + "/live", "--images", data_ + "/images", "--out",
                             ws_ + "/predict_live", "--threads", "1", "--weights", "best"};
        predict.runDir = ws_ + "/predict_live";
        QVERIFY(centre.launch(predict));
        QTRY_VERIFY_WITH_TIMEOUT(present(centre, predict.runDir) &&
                                     statusOf(centre, predict.runDir) == jobs::RunStatus::Finished,
                                 120000);
        QVERIFY(centre.selectRun(predict.runDir));
        centre.views()->setCurrentWidget(centre.predictionsView());
        QTRY_COMPARE_WITH_TIMEOUT(centre.predictionsView()->imageCount(), 12, 30000);
        QCOMPARE(centre.predictionsView()->failedCount(), 0);
        QVERIFY(!centre.predictionsView()->shownImage(0).isNull());
        if (!shot.isEmpty()) save(QStringLiteral("_predictions"));
    }

    void reattachesAfterThePanelIsGone() {
        const QString run = ws_ + "/reattach";
        {
            auto* centre = new RunCentre;
            centre->monitor()->setInterval(300);
            centre->setWorkspace(ws_);
            LaunchRequest req;
            req.arguments = trainArgs(data_, run, kEpochs);
            req.runDir = run;
            QVERIFY(centre->launch(req));
            QTRY_VERIFY_WITH_TIMEOUT(present(*centre, run) && statusOf(*centre, run) == jobs::RunStatus::Running, 60000);
            delete centre;  // as a closed ("leave running") or killed studio
        }
        RunCentre again;
        again.monitor()->setInterval(300);
        again.setWorkspace(ws_);
        QTRY_VERIFY_WITH_TIMEOUT(present(again, run), 30000);
        // Either still running (re-attached) or already done; it must end finished with every step.
        QTRY_VERIFY_WITH_TIMEOUT(statusOf(again, run) == jobs::RunStatus::Finished, 300000);
        QCOMPARE(again.model()->runAt(run)->lastStep, kTotalSteps);
        QVERIFY(readAll(run + "/final.safetensors") == readAll(ws_ + "/reference/final.safetensors"));
    }

    void failedAndStaleRuns() {
        RunCentre centre;
        centre.monitor()->setInterval(300);
        centre.setWorkspace(ws_);
        // A child that exits non-zero: failed, with its stderr.
        const QString failed = ws_ + "/failed";
        LaunchRequest bad;
        bad.arguments = trainArgs(tmp_.filePath("no_such_data"), failed, 1);
        bad.runDir = failed;
        QVERIFY(centre.launch(bad));
        QTRY_VERIFY_WITH_TIMEOUT(present(centre, failed) && statusOf(centre, failed) == jobs::RunStatus::Failed, 60000);
        bool named = false;
        for (const std::string& l : centre.model()->runAt(failed)->stderrTail)
            named |= l.find("no_such_data") != std::string::npos;
        QVERIFY2(named, "the failed run's stderr tail does not name the missing dataset");

        // A child that vanishes without an end record: stale.
        const QString vanished = ws_ + "/vanished";
        LaunchRequest gen;
        gen.arguments = {"generate", "--count", "100000", "--size", "64", "--out", vanished, "--workers", "1"};
        gen.runDir = vanished;
        QVERIFY(centre.launch(gen));
        QTRY_VERIFY_WITH_TIMEOUT(present(centre, vanished) && statusOf(centre, vanished) == jobs::RunStatus::Running, 60000);
        ::kill(static_cast<pid_t>(centre.model()->runAt(vanished)->record->pid), SIGKILL);
        QTRY_VERIFY_WITH_TIMEOUT(statusOf(centre, vanished) == jobs::RunStatus::Stale, 60000);
    }

private:
    static constexpr int kEpochs = 10;
    static constexpr std::int64_t kTotalSteps = 50;  // 10 epochs of 5 steps (11 training samples, batch 2: the last one dropped)
    QTemporaryDir tmp_;
    QString ws_, data_;
};

QTEST_MAIN(RunCentreLive)
#include "run_centre_live.moc"
