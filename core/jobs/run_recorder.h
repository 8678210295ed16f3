#pragma once
// What a CLI job does to keep its run record (run_record.h): run.json when it
// starts, heartbeat.json while it progresses, and the end record when it
// stops. Every job command (generate, train, finetune, eval, predict) uses
// one, so a run started from a terminal, a cluster script or the studio shows
// up the same way in `synthforge runs list` and in the studio's run centre.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/jobs/progress.h"
#include "core/jobs/run_record.h"

namespace synthforge::jobs {

class RunRecorder {
public:
    /// Starts the record of a `kind` job whose output folder is `dir`. When
    /// the folder exists, run.json is written at once; otherwise at the job's
    /// first progress or at its end if the job created the folder by then, so
    /// that a command refused before doing anything leaves no folder behind.
    /// `continuing` is true for a job that may reuse
    /// a folder that already holds a run (--resume, --force): the record then
    /// counts one more attempt and keeps the first start time. Otherwise, a
    /// folder that already holds a run (run.json, config.json or a dataset
    /// manifest) is left alone and the recorder is inactive, so that the
    /// job's own refusal ("already holds a run") cannot cost the earlier run
    /// its record. A folder whose run.json is of another kind is never taken
    /// over (eval --run-dir pointed at a training run). An empty `dir`
    /// records nothing.
    RunRecorder(const std::string& dir, std::string kind, std::vector<std::string> argv, bool continuing);
    /// Without finish(): records a failure (exit code 1), so that a job that
    /// leaves by an exception is never left "running".
    ~RunRecorder();
    RunRecorder(const RunRecorder&) = delete;
    RunRecorder& operator=(const RunRecorder&) = delete;

    /// Whether this recorder keeps the folder's record (see the constructor).
    bool active() const { return active_; }
    const std::string& dir() const { return dir_; }

    /// A sink that forwards to `inner` (may be null) and writes
    /// heartbeat.json at most once per `minInterval` seconds (and on each
    /// stage's finish). It belongs to the recorder.
    ProgressSink* heartbeatSink(ProgressSink* inner, double minInterval = 1.0);

    /// Writes the end record: the status follows from the exit code (0
    /// finished, 130 stopped, else failed); `error` is the message the CLI
    /// printed. Only the first call counts. Never throws (a record that cannot
    /// be written must not turn a finished job into a failed one).
    void finish(int exitCode, const std::string& error = "");

    /// The status an exit code means: 0 finished, 130 stopped, else failed.
    static RunStatus statusForExitCode(int exitCode);

private:
    class Sink;
    /// Writes the start record once; false when it cannot (or is inactive).
    bool ensureStarted();

    std::string dir_;
    std::mutex startMutex_;
    bool started_ = false;
    bool active_ = false;
    bool finished_ = false;
    RunRecord record_;
    std::vector<std::unique_ptr<ProgressSink>> sinks_;
};

/// The CLI's argv as strings, program first.
std::vector<std::string> argvStrings(int argc, char** argv);

}  // namespace synthforge::jobs
