// The run centre's logic on a workspace of hand-made run folders (no jobs
// run here; widgets/run_centre_live.cpp runs real ones): the table's rows,
// columns and sort values, row identity across polls, filtering, which
// actions each selection allows, the resume and re-run command lines, and
// a workspace that cannot be read.

#include <QAction>
#include <QDir>
#include <QFile>
#include <QItemSelectionModel>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QtCharts/QLineSeries>

#include <filesystem>

#include <fstream>

#include "app/studio/main_window.h"
#include "core/io/tensorboard_writer.h"
#include "core/jobs/run_record.h"
#include "widgets/runs/predictions_view.h"
#include "widgets/runs/run_centre.h"
#include "widgets/runs/run_launcher.h"
#include "widgets/runs/run_monitor.h"
#include "widgets/runs/run_table_model.h"
#include "widgets/runs/scalar_chart_panel.h"
#include "widgets/runs/scalar_chart_view.h"

using namespace synthforge;
using namespace synthforge::widgets;

namespace {

/// The table row (as the view sorts it) of the run in `dir`; -1 when absent.
int rowOf(RunCentre& c, const QString& dir) {
    QAbstractItemModel* m = c.table()->model();
    for (int row = 0; row < m->rowCount(); ++row)
        if (m->index(row, 0).data(RunTableModel::dirRole()).toString() == dir) return row;
    return -1;
}

void writeText(const QString& path, const std::string& text) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    std::ofstream(path.toStdString(), std::ios::binary) << text;
}

/// A train run folder with a record ending in `exitCode` (none: still "running" as pid 1's child... never alive).
void makeRun(const QString& dir, const std::string& kind, std::optional<int> exitCode, bool checkpoint,
             const std::string& metrics) {
    QDir().mkpath(dir);
    jobs::RunRecord r;
    r.kind = kind;
    r.argv = {"/usr/bin/synthforge", kind, "--out", dir.toStdString(), "--lr", "0.01", "--progress", "json"};
    r.cwd = "/tmp";
    r.host = jobs::hostName();
    r.pid = 999999999;  // no such process: without an end record the run is stale
    r.startTime = 1764900000;
    if (exitCode)
        r.end = jobs::RunEnd{*exitCode == 0 ? jobs::RunStatus::Finished
                             : *exitCode == 130 ? jobs::RunStatus::Stopped
                                                : jobs::RunStatus::Failed,
                             *exitCode, 1764900090, *exitCode == 1 ? "data: missing" : "", {}};
    jobs::writeRunRecord(dir.toStdString(), r);
    writeText(dir + "/config.json", "{\"stage\": \"I\", \"recipe\": \"fast\", \"preset\": \"small\", \"optimizer\": {\"lr\": 0.01}, \"size\": 64}");
    if (checkpoint) writeText(dir + "/checkpoints/step_00000004.pt", "x");
    if (!metrics.empty()) writeText(dir + "/metrics.csv", metrics);
}

}  // namespace

class TestRunCentre : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SynthForgeTest"));
        QVERIFY(dir_.isValid());
        ws_ = dir_.filePath(QStringLiteral("ws"));
        makeRun(ws_ + "/finished", "train", 0, true, "step,epoch,total,val_nme\n1,0,3.5,\n2,0,2.5,0.4\n");
        makeRun(ws_ + "/stopped", "train", 130, true, "step,epoch,total,val_nme\n1,0,9.5,\n");
        makeRun(ws_ + "/failed", "train", 1, false, "");
        makeRun(ws_ + "/stale", "train", std::nullopt, true, "");
        makeRun(ws_ + "/eval_run", "eval", 0, false, "");
        QDir().mkpath(ws_ + "/not_a_run");
    }

    void tableShowsEveryRunWithItsState() {
        RunCentre centre;
        QSignalSpy changed(centre.monitor(), &RunMonitor::runsChanged);
        centre.setWorkspace(ws_);
        QVERIFY(changed.wait(10000));
        RunTableModel* m = centre.model();
        QCOMPARE(m->rowCount(), 5);
        QMap<QString, QString> status;
        for (int row = 0; row < m->rowCount(); ++row)
            status[m->index(row, RunTableModel::Name).data().toString()] =
                m->index(row, RunTableModel::Status).data().toString();
        QCOMPARE(status.value("finished"), QString("finished"));
        QCOMPARE(status.value("stopped"), QString("stopped"));
        QCOMPARE(status.value("failed"), QString("failed"));
        QCOMPARE(status.value("stale"), QString("stale"));
        const jobs::RunState* fin = m->runAt(ws_ + "/finished");
        QVERIFY(fin);
        QCOMPARE(fin->lastStep, 2);
        // Key metrics and config columns.
        int finishedRow = -1;
        for (int row = 0; row < m->rowCount(); ++row)
            if (m->index(row, 0).data(RunTableModel::dirRole()).toString() == ws_ + "/finished") finishedRow = row;
        QVERIFY(finishedRow >= 0);
        QCOMPARE(m->index(finishedRow, RunTableModel::Loss).data().toString(), QString("2.5"));
        QCOMPARE(m->index(finishedRow, RunTableModel::ValNme).data().toString(), QString("0.4"));
        QCOMPARE(m->index(finishedRow, RunTableModel::ValNme).data(RunTableModel::sortRole()).toDouble(), 0.4);
        QCOMPARE(m->headerData(RunTableModel::FixedColumns + 1, Qt::Horizontal, Qt::DisplayRole).toString(), QString("preset"));
        QCOMPARE(m->index(finishedRow, RunTableModel::FixedColumns).data().toString(), QString("fast"));
        QCOMPARE(m->index(finishedRow, RunTableModel::FixedColumns + 1).data().toString(), QString("small"));
        QCOMPARE(m->index(finishedRow, RunTableModel::FixedColumns + 2).data().toString(), QString("0.01"));
        QCOMPARE(m->index(finishedRow, RunTableModel::FixedColumns + 2).data(RunTableModel::sortRole()).toDouble(), 0.01);
        // The failed run's tooltip carries its stderr tail.
        for (int row = 0; row < m->rowCount(); ++row)
            if (m->index(row, 0).data().toString() == "failed")
                QVERIFY(m->index(row, RunTableModel::Status).data(Qt::ToolTipRole).toString().contains("data: missing"));
    }

    void configColumnsAreChosenAndRemembered() {
        QSettings().remove(QStringLiteral("runs/configColumns"));
        {
            RunCentre centre;
            QSignalSpy changed(centre.monitor(), &RunMonitor::runsChanged);
            centre.setWorkspace(ws_);
            QVERIFY(changed.wait(10000));
            QVERIFY(centre.configKeys().contains("optimizer.lr"));
            QVERIFY(centre.configKeys().contains("stage"));
            const int before = centre.model()->columnCount();
            centre.toggleConfigColumn(QStringLiteral("stage"), true);
            QCOMPARE(centre.model()->columnCount(), before + 1);
            centre.toggleConfigColumn(QStringLiteral("preset"), false);
            QCOMPARE(centre.model()->columnCount(), before);
        }
        RunCentre again;
        QVERIFY(again.model()->configColumns().contains("stage"));
        QVERIFY(!again.model()->configColumns().contains("preset"));
        QSettings().remove(QStringLiteral("runs/configColumns"));
    }

    void rowsKeepTheirIdentityAcrossPolls() {
        RunTableModel m;
        std::vector<jobs::RunState> runs(3);
        for (int i = 0; i < 3; ++i) {
            runs[i].dir = "/ws/r" + std::to_string(i);
            runs[i].name = "r" + std::to_string(i);
        }
        m.setRuns(runs);
        QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
        runs.erase(runs.begin() + 1);
        runs[0].lastStep = 7;
        jobs::RunState extra;
        extra.dir = "/ws/r9";
        extra.name = "r9";
        runs.push_back(extra);
        m.setRuns(runs);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(changed.count(), 2);  // r0 and r2 updated in place
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(m.index(0, RunTableModel::Step).data().toLongLong(), 7LL);
        QCOMPARE(m.index(2, RunTableModel::Name).data().toString(), QString("r9"));
    }

    void actionsFollowTheSelection() {
        RunCentre centre;
        QSignalSpy changed(centre.monitor(), &RunMonitor::runsChanged);
        centre.setWorkspace(ws_);
        QVERIFY(changed.wait(10000));
        QVERIFY(centre.selectRun(ws_ + "/stopped"));
        QCOMPARE(centre.selectedRuns(), QStringList{ws_ + "/stopped"});
        QVERIFY(centre.resumeAction()->isEnabled());
        QVERIFY(!centre.stopAction()->isEnabled());
        QVERIFY(centre.rerunAction()->isEnabled());
        QVERIFY(centre.deleteAction()->isEnabled());
        QVERIFY(centre.selectRun(ws_ + "/finished"));
        QVERIFY(!centre.resumeAction()->isEnabled());
        QVERIFY(centre.selectRun(ws_ + "/failed"));
        QVERIFY(!centre.resumeAction()->isEnabled());  // no checkpoint to resume from
        QVERIFY(centre.resumeAction()->toolTip().contains("checkpoint"));
        QVERIFY(centre.selectRun(ws_ + "/stale"));
        QVERIFY(centre.resumeAction()->isEnabled());
        QVERIFY(centre.selectRun(ws_ + "/eval_run"));
        QVERIFY(!centre.resumeAction()->isEnabled());
        // Multi-select: stop and delete apply to many, resume to one.
        centre.table()->selectAll();
        QCOMPARE(centre.selectedRuns().size(), 5);
        QVERIFY(!centre.resumeAction()->isEnabled());
        QVERIFY(centre.deleteAction()->isEnabled());
        // Filtering narrows the table.
        auto* proxy = qobject_cast<QSortFilterProxyModel*>(centre.table()->model());
        QVERIFY(proxy);
        proxy->setFilterFixedString(QStringLiteral("eval"));
        QCOMPARE(proxy->rowCount(), 1);
        // Nothing runs here, so nothing to stop on close.
        QVERIFY(centre.runningHere().isEmpty());
    }

    void resumeAndRerunCommandLines() {
        jobs::RunState s = jobs::readRunState((ws_ + "/stopped").toStdString());
        QString why;
        const LaunchRequest r = resumeRequest(s, &why);
        QCOMPARE(r.arguments, (QStringList{"train", "--out", ws_ + "/stopped", "--lr", "0.01", "--resume"}));
        QCOMPARE(r.workingDir, QString("/tmp"));
        QCOMPARE(r.runDir, ws_ + "/stopped");
        QCOMPARE(rerunArguments(s), (QStringList{"train", "--out", ws_ + "/stopped", "--lr", "0.01"}));
        s = jobs::readRunState((ws_ + "/finished").toStdString());
        QVERIFY(resumeRequest(s, &why).arguments.isEmpty());
        QVERIFY(why.contains("finished"));
        // A face-recognition run resumes like a training run.
        const QString fr = dir_.filePath("fr_run");
        makeRun(fr, "fr-train", 130, true, "");
        s = jobs::readRunState(fr.toStdString());
        QCOMPARE(resumeRequest(s, &why).arguments.last(), QString("--resume"));
    }

    void rerunGoesToAFreshFolderThroughThePrompt() {
        QCOMPARE(RunCentre::freshSibling(ws_ + "/stopped"), ws_ + "/stopped-2");
        QDir().mkpath(ws_ + "/x-2");
        QCOMPARE(RunCentre::freshSibling(ws_ + "/x-2"), ws_ + "/x-3");
        RunCentre centre;
        QSignalSpy changed(centre.monitor(), &RunMonitor::runsChanged);
        centre.setWorkspace(ws_);
        QVERIFY(changed.wait(10000));
        QString gotCommand;
        QStringList gotArgs;
        centre.setLaunchPrompt([&](const QString& command, const QStringList& initial) {
            gotCommand = command;
            gotArgs = initial;
            return LaunchRequest{};  // cancelled
        });
        QVERIFY(centre.selectRun(ws_ + "/stopped"));
        centre.rerunAction()->trigger();
        QCOMPARE(gotCommand, QString("train"));
        QCOMPARE(gotArgs, (QStringList{"--out", ws_ + "/stopped-2", "--lr", "0.01"}));
        // A command of a group ("fr train") keeps both words.
        const QString frRun = ws_ + "/fr_group";
        makeRun(frRun, "fr-train", 0, false, "");
        jobs::RunRecord r = jobs::readRunRecord(frRun.toStdString());
        r.argv = {"/usr/bin/synthforge", "fr", "train", "--data", "/ids", "--out", frRun.toStdString()};
        jobs::writeRunRecord(frRun.toStdString(), r);
        centre.monitor()->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(centre.selectRun(frRun), 10000);
        centre.rerunAction()->trigger();
        QCOMPARE(gotCommand, QString("fr train"));
        QCOMPARE(gotArgs, (QStringList{"--data", "/ids", "--out", ws_ + "/fr_group-2"}));
        QDir(frRun).removeRecursively();
        QDir(ws_ + "/x-2").removeRecursively();
    }

    void scalarsGroupRunsIntoTheirMeanCurve() {
        RunCentre centre;
        QSignalSpy changed(centre.monitor(), &RunMonitor::runsChanged);
        centre.setWorkspace(ws_);
        QVERIFY(changed.wait(10000));
        // finished: total 3.5 @1, 2.5 @2; stopped: total 9.5 @1 (metrics.csv only: csv/ tags).
        QVERIFY(centre.selectRun(ws_ + "/finished"));
        centre.table()->selectionModel()->select(
            centre.table()->model()->index(rowOf(centre, ws_ + "/stopped"), 0),
            QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QTRY_VERIFY_WITH_TIMEOUT(centre.scalarsView()->chart("csv/total") &&
                                     centre.scalarsView()->chart("csv/total")->runNames().size() == 2,
                                 10000);
        centre.setGroupKey(QStringLiteral("stage"));
        QCOMPARE(centre.groupKey(), QString("stage"));
        ScalarChartView* chart = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((chart = centre.scalarsView()->chart("csv/total")) && chart->runNames().size() == 1, 10000);
        const QString group = chart->runNames().first();
        QVERIFY2(group.startsWith("stage=I (2 runs)"), qPrintable(group));
        QLineSeries* line = chart->rawSeries(group);
        QVERIFY(line);
        QCOMPARE(line->count(), 1);  // step 2 is only in one run
        QCOMPARE(line->at(0).y(), 6.5);
        centre.setGroupKey(QString());
        QTRY_VERIFY_WITH_TIMEOUT((chart = centre.scalarsView()->chart("csv/total")) && chart->runNames().size() == 2, 10000);
    }

    void damagedLogsShowWhatCouldBeReadWithAWarning() {
        const QString run = ws_ + "/damaged";
        makeRun(run, "train", 0, false, "step,epoch,total\n1,0,3.0\n2,0,\x01\x02garbage\n3,0,2.0\n");
        {
            io::TensorBoardWriter tb(run.toStdString());
            for (int step = 1; step <= 20; ++step) tb.addScalar("train/total", 5.0 - 0.1 * step, step);
            tb.flush();
            // Flip the last data byte of the last record: its CRC no longer matches.
            std::fstream f(tb.path(), std::ios::in | std::ios::out | std::ios::binary);
            f.seekg(-5, std::ios::end);
            const char c = static_cast<char>(f.get());
            f.seekp(-5, std::ios::end);
            f.put(static_cast<char>(c ^ 0x5a));
        }
        RunCentre centre;
        QSignalSpy changed(centre.monitor(), &RunMonitor::runsChanged);
        centre.setWorkspace(ws_);
        QVERIFY(changed.wait(10000));
        QVERIFY(centre.selectRun(run));
        QTRY_VERIFY_WITH_TIMEOUT(centre.scalarsView()->chart("train/total") != nullptr, 10000);
        ScalarChartView* chart = centre.scalarsView()->chart("train/total");
        QTRY_VERIFY_WITH_TIMEOUT(chart->rawSeries("damaged") && chart->rawSeries("damaged")->count() == 19, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!centre.scalarWarnings().isEmpty(), 10000);
        QVERIFY2(centre.scalarWarnings().contains("events.out.tfevents"), qPrintable(centre.scalarWarnings()));
        // The table still lists it, with the last good metrics row.
        QCOMPARE(centre.model()->runAt(run)->lastStep, 3);
        QDir(run).removeRecursively();
    }

    void deleteMovesToTheTrashAfterConfirmation() {
        const QString run = ws_ + "/to_delete";
        makeRun(run, "train", 0, false, "");
        RunCentre centre;
        QSignalSpy changed(centre.monitor(), &RunMonitor::runsChanged);
        centre.setWorkspace(ws_);
        QVERIFY(changed.wait(10000));
        QVERIFY(centre.selectRun(run));
        QString asked;
        centre.setConfirm([&](const QString& q) {
            asked = q;
            return false;
        });
        centre.deleteAction()->trigger();
        QVERIFY(asked.contains("to_delete"));
        QVERIFY(QFileInfo::exists(run));  // declined: kept
        centre.setConfirm([](const QString&) { return true; });
        centre.deleteAction()->trigger();
        QVERIFY2(!QFileInfo::exists(run), qPrintable(centre.statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(centre.model()->runAt(run) == nullptr, 10000);
    }

    void predictionsViewShowsOverlaysAndRefusesBadFiles() {
        const QString run = dir_.filePath("predict_run");
        QDir().mkpath(run);
        QImage red(40, 30, QImage::Format_RGB32), blue(40, 30, QImage::Format_RGB32);
        red.fill(Qt::red);
        blue.fill(Qt::blue);
        QVERIFY(red.save(run + "/a_overlay.png"));
        QVERIFY(blue.save(run + "/a_seg_overlay.png"));
        QVERIFY(red.save(dir_.filePath("outside_overlay.png")));
        writeText(run + "/predictions.json", R"({"format": "synthforge-predictions", "version": 1,
            "model": "/runs/t1", "weights": "/runs/t1/best.safetensors", "images": [
            {"name": "a", "input": "in/a.png", "status": "ok", "outputs": ["a_overlay.png", "a_seg_overlay.png"]},
            {"name": "b", "input": "in/b.png", "status": "error", "error": "in/b.png: not an image", "outputs": []},
            {"name": "c", "input": "in/c.png", "status": "ok", "outputs": ["../outside_overlay.png"]}]})");
        PredictionsView view;
        QSignalSpy loaded(&view, &PredictionsView::loaded);
        view.setRun(run);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(view.imageCount(), 3);
        QCOMPARE(view.failedCount(), 1);
        QCOMPARE(view.current(), 0);
        QCOMPARE(view.shownImage(0).pixelColor(5, 5), QColor(Qt::red));
        QCOMPARE(view.shownImage(1).pixelColor(5, 5), QColor(Qt::blue));
        view.setCurrent(2);  // names outside the run folder are not followed
        QVERIFY(view.shownImage(0).isNull());
        QVERIFY(view.errorText().isEmpty());
        // Corrupt and newer files: an error in the view, no crash.
        writeText(run + "/predictions.json", "{\"format\": \"synthforge-predictions\", \"version\": 1, \"ima");
        view.reload();
        QVERIFY(loaded.wait(10000));
        QVERIFY(view.errorText().contains("not valid JSON"));
        QCOMPARE(view.imageCount(), 0);
        writeText(run + "/predictions.json", R"({"format": "synthforge-predictions", "version": 7, "images": []})");
        view.reload();
        QVERIFY(loaded.wait(10000));
        QVERIFY(view.errorText().contains("version"));
    }

    void launchErrorsAreReported() {
        RunCentre centre;
        LaunchRequest r;
        r.program = dir_.filePath("no-such-program");
        r.arguments = QStringList{"train"};
        r.runDir = dir_.filePath("ws/new_run");
        QString error;
        QVERIFY(!centre.launch(r, &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(centre.statusText().contains("no-such-program"));
        r.runDir.clear();
        QVERIFY(!centre.launch(r, &error));
        QVERIFY(error.contains("--out"));
    }

    void unreadableWorkspaceIsAnErrorNotACrash() {
        RunCentre centre;
        const QString file = dir_.filePath("plain_file");
        writeText(file, "x");
        QSignalSpy errors(centre.monitor(), &RunMonitor::workspaceError);
        centre.setWorkspace(file);
        QVERIFY(errors.wait(10000));
        QVERIFY(errors.first().first().toString().contains("plain_file"));
        QCOMPARE(centre.model()->rowCount(), 0);
    }

    void closingTheStudioStopsOrLeavesRunningJobs() {
        // A stand-in job: a detached process with a run record naming it.
        qint64 pid = 0;
        QVERIFY(QProcess::startDetached(QStringLiteral("sleep"), {QStringLiteral("120")}, QString(), &pid));
        const QString ws = dir_.filePath(QStringLiteral("close_ws"));
        const QString run = ws + "/job";
        QDir().mkpath(run);
        jobs::RunRecord r;
        r.kind = "train";
        r.argv = {"synthforge", "train"};
        r.host = jobs::hostName();
        r.pid = pid;
        r.pidStartTicks = jobs::processStartTicks(pid);
        r.startTime = jobs::unixNow();
        jobs::writeRunRecord(run.toStdString(), r);

        MainWindow window;
        window.setErrorDialogsEnabled(false);
        QSignalSpy changed(window.runCentre()->monitor(), &RunMonitor::runsChanged);
        window.runCentre()->setWorkspace(ws);
        QVERIFY(changed.wait(10000));
        QCOMPARE(window.runCentre()->runningHere(), QStringList{run});
        window.show();
        window.setRunningJobsOnClose(MainWindow::RunningJobsOnClose::Leave);
        QVERIFY(window.close());
        QTest::qWait(300);
        QVERIFY(jobs::processAlive(pid, r.pidStartTicks));  // left running
        window.show();
        window.setRunningJobsOnClose(MainWindow::RunningJobsOnClose::Stop);
        QVERIFY(window.close());
        QTRY_VERIFY_WITH_TIMEOUT(!jobs::processAlive(pid, r.pidStartTicks), 10000);  // SIGINT ended it
        QSettings().remove(QStringLiteral("runs/workspace"));
    }

    void workspaceIsRemembered() {
        {
            RunCentre centre;
            centre.setWorkspace(ws_);
        }
        RunCentre again;
        QCOMPARE(again.workspace(), ws_);
    }

private:
    QTemporaryDir dir_;
    QString ws_;
};

QTEST_MAIN(TestRunCentre)
#include "test_run_centre.moc"
