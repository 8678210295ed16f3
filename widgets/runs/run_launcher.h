#pragma once
// Starting and stopping jobs from the studio. A job is our `synthforge` CLI
// started as a detached process (it outlives the studio when the user leaves
// it running), with its output sent to stdout.log and stderr.log in its run
// folder. Its state then comes from the folder alone (run.json, heartbeats),
// exactly as for a job started from a terminal, which is what lets a
// restarted studio re-attach to it.

#include <QString>
#include <QStringList>

#include "core/jobs/run_state.h"

namespace synthforge::widgets {

/// The synthforge CLI: $SYNTHFORGE_CLI, else `synthforge` beside the studio's
/// executable or one folder up (the build tree), else from PATH.
QString synthforgeProgram();

struct LaunchRequest {
    QString program;       ///< the CLI (synthforgeProgram() when empty)
    QStringList arguments; ///< command and options, e.g. {"train", "--data", ...}
    QString runDir;        ///< where the job writes (its --out / --run-dir)
    QString workingDir;    ///< relative paths in arguments are from here (default: the current dir)
};

struct LaunchResult {
    bool ok = false;
    qint64 pid = 0;
    QString error;  ///< why it did not start
};

/// Creates the run folder and starts the job detached, with `--progress json`
/// added unless the arguments choose a progress mode. Never blocks for long.
LaunchResult launchRun(const LaunchRequest& request);

/// Asks a running job to stop: SIGINT, after which it writes a checkpoint
/// and exits with 130 (recorded as stopped). False (with `error`) when the
/// run is not running on this machine.
bool stopRun(const jobs::RunState& run, QString* error = nullptr);

/// The request that continues a stopped, failed or stale run: its recorded
/// command line plus --resume, from its recorded working folder. Empty
/// arguments (with `error`) when the run cannot be resumed (no record, a kind
/// without --resume, nothing to resume from).
LaunchRequest resumeRequest(const jobs::RunState& run, QString* error = nullptr);

/// The recorded command line without the program and without options that
/// only concern this attempt (--resume, --progress): the starting point of
/// "run again with changes".
QStringList rerunArguments(const jobs::RunState& run);

}  // namespace synthforge::widgets
