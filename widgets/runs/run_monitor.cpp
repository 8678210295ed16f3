#include "widgets/runs/run_monitor.h"

#include <filesystem>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

namespace synthforge::widgets {

RunMonitor::RunMonitor(QObject* parent) : QObject(parent) {
    timer_.setInterval(2000);
    connect(&timer_, &QTimer::timeout, this, &RunMonitor::refresh);
    soon_.setSingleShot(true);
    soon_.setInterval(150);
    connect(&soon_, &QTimer::timeout, this, &RunMonitor::refresh);
    connect(&files_, &QFileSystemWatcher::directoryChanged, this, [this] { soon_.start(); });
    connect(&files_, &QFileSystemWatcher::fileChanged, this, [this] { soon_.start(); });
    connect(&watcher_, &QFutureWatcher<Result>::finished, this, &RunMonitor::finished);
}

RunMonitor::~RunMonitor() {
    watcher_.waitForFinished();
}

void RunMonitor::setWorkspace(const QString& dir) {
    if (!files_.directories().isEmpty()) files_.removePaths(files_.directories());
    if (!files_.files().isEmpty()) files_.removePaths(files_.files());
    workspace_ = dir;
    // Not created here: the default workspace appears with the first run
    // (launchRun makes the run folder and its parents).
    if (QFileInfo(dir).isDir()) files_.addPath(dir);
    runs_.clear();
    timer_.start();
    refresh();
}

void RunMonitor::refresh() {
    if (workspace_.isEmpty()) return;
    // Not watcher_.isRunning(): it turns false before finished() is
    // delivered, and a new future set in between would drop that result.
    if (busy_) {
        again_ = true;
        return;
    }
    busy_ = true;
    const std::string ws = workspace_.toStdString();
    watcher_.setFuture(QtConcurrent::run([ws]() {
        Result r;
        r.workspace = QString::fromStdString(ws);
        try {
            // A workspace that does not exist yet has no runs; a path that
            // is something else is an error.
            if (!std::filesystem::exists(ws)) return r;
            r.runs = jobs::readWorkspace(ws);
        } catch (const std::exception& e) {
            r.error = QString::fromStdString(e.what());
        }
        return r;
    }));
}

void RunMonitor::finished() {
    busy_ = false;
    const Result r = watcher_.result();
    if (r.workspace != workspace_) {
        // Read for the workspace shown before setWorkspace(): stale.
    } else if (!r.error.isEmpty()) {
        emit workspaceError(r.error);
    } else {
        runs_ = r.runs;
        watchRunningRuns();
        emit runsChanged();
    }
    if (again_) {
        again_ = false;
        refresh();
    }
}

void RunMonitor::watchRunningRuns() {
    // Running runs are followed through their folder (heartbeat.json and
    // run.json are replaced by rename, which changes the folder) and their
    // metrics.csv (appended in place), so a new step shows within a fraction
    // of a second instead of at the next poll.
    QStringList dirs, files;
    if (QFileInfo(workspace_).isDir()) dirs << workspace_;
    for (const jobs::RunState& s : runs_) {
        if (s.status != jobs::RunStatus::Running) continue;
        dirs << QString::fromStdString(s.dir);
        const QString metrics = QString::fromStdString((std::filesystem::path(s.dir) / "metrics.csv").string());
        if (QFile::exists(metrics)) files << metrics;
    }
    const auto sync = [this](const QStringList& watched, const QStringList& wanted) {
        for (const QString& p : watched)
            if (!wanted.contains(p)) files_.removePath(p);
        for (const QString& p : wanted)
            if (!watched.contains(p)) files_.addPath(p);
    };
    sync(files_.directories(), dirs);
    sync(files_.files(), files);
}

}  // namespace synthforge::widgets
