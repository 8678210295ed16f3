#pragma once
// Keeps the run centre's picture of a workspace current: reads every run's
// state (core/jobs/run_state.h) on a worker thread, never on the GUI thread,
// every `interval` and soon after a QFileSystemWatcher sees the workspace or
// a running run's files change. Re-attaching to runs after the studio
// restarts needs nothing else: a run's state lives in its folder.

#include <vector>

#include <QFileSystemWatcher>
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

#include "core/jobs/run_state.h"

namespace synthforge::widgets {

class RunMonitor : public QObject {
    Q_OBJECT
public:
    explicit RunMonitor(QObject* parent = nullptr);
    ~RunMonitor() override;

    /// Watches `dir` (created when missing) and starts a refresh.
    void setWorkspace(const QString& dir);
    QString workspace() const { return workspace_; }
    /// Time between polls (default 2000 ms).
    void setInterval(int ms) { timer_.setInterval(ms); }

    /// Starts a refresh now (or right after the one in flight).
    void refresh();
    /// Whether a refresh is in flight (tests wait on runsChanged instead).
    bool busy() const { return busy_; }

    const std::vector<jobs::RunState>& runs() const { return runs_; }

signals:
    /// New states were read (also when nothing changed).
    void runsChanged();
    /// The workspace cannot be read (the message names it).
    void workspaceError(const QString& message);

private:
    struct Result {
        QString workspace;  ///< what was read
        std::vector<jobs::RunState> runs;
        QString error;
    };
    void finished();
    void watchRunningRuns();

    QString workspace_;
    std::vector<jobs::RunState> runs_;
    QTimer timer_;
    QTimer soon_;  // debounces file-change bursts
    QFileSystemWatcher files_;
    QFutureWatcher<Result> watcher_;
    bool busy_ = false;
    bool again_ = false;
};

}  // namespace synthforge::widgets
