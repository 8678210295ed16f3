#pragma once
// A run's own record of itself: `RUN/run.json` (what was run, where, by which
// process, and how it ended) and `RUN/heartbeat.json` (the latest progress of a
// running job). With the files a job writes anyway (config.json, metrics.csv,
// event files, checkpoints) they are all the CLI, the studio and a script need
// to agree on a run's state (run_state.h): nothing lives in a database or in
// the studio's memory.
//
// run.json, format "synthforge-run", version 1:
//   {"format", "version", "kind", "argv": [...], "cwd", "host", "pid",
//    "pid_start_ticks", "start_time", "attempts",
//    "end": {"status", "exit_code", "time", "error", "stderr_tail": [...]}}
// `end` is absent while the job runs. Times are Unix seconds (UTC).
// pid_start_ticks is the process's start time from /proc/<pid>/stat, so a
// recycled pid is not mistaken for the job.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace synthforge::jobs {

inline constexpr const char* kRunRecordFile = "run.json";
inline constexpr const char* kHeartbeatFile = "heartbeat.json";
/// Where the studio sends a child job's output (the CLI itself never writes them).
inline constexpr const char* kStdoutLogFile = "stdout.log";
inline constexpr const char* kStderrLogFile = "stderr.log";
inline constexpr int kRunRecordVersion = 1;

/// Whether `fileName` is one of the run-record files above (or a temporary of
/// one), which a job may find in its output folder before it starts: the
/// dataset writer treats a folder holding only these as empty.
bool isRunRecordFile(const std::string& fileName);

enum class RunStatus {
    Running,   ///< no end record, and the process is alive
    Finished,  ///< exit code 0
    Stopped,   ///< interrupted (SIGINT/SIGTERM), checkpointed; exit code 130
    Failed,    ///< any other exit, with the error and the last lines of stderr
    Stale,     ///< no end record, and the process is gone (killed, crashed, machine lost)
};

/// "running", "finished", "stopped", "failed", "stale".
const char* runStatusName(RunStatus s);
/// The inverse of runStatusName; nullopt for anything else.
std::optional<RunStatus> parseRunStatus(const std::string& name);

struct RunEnd {
    RunStatus status = RunStatus::Finished;
    int exitCode = 0;
    double time = 0;
    std::string error;                    ///< the message the CLI printed, if any
    std::vector<std::string> stderrTail;  ///< last lines of stderr (kept by the studio)
};

struct RunRecord {
    std::string kind;               ///< the command: generate, train, finetune, eval, predict, ...
    std::vector<std::string> argv;  ///< the command line, program first
    std::string cwd;                ///< where it was started (relative paths in argv are from here)
    std::string host;
    std::int64_t pid = 0;
    std::uint64_t pidStartTicks = 0;  ///< 0 = unknown
    double startTime = 0;
    int attempts = 1;                 ///< 1 + the number of resumes
    std::optional<RunEnd> end;
};

std::string runRecordToJson(const RunRecord& r);
/// Parses run.json text; `source` names the file in errors. Throws
/// std::runtime_error "<source>: <field>: <why>" for a missing or mistyped
/// field, another format, or a newer version.
RunRecord parseRunRecord(const std::string& text, const std::string& source);
/// Reads `dir/run.json` (at most 1 MiB).
RunRecord readRunRecord(const std::string& dir);
/// Writes `dir/run.json` atomically.
void writeRunRecord(const std::string& dir, const RunRecord& r);

/// The latest progress of a running job (heartbeat.json):
///   {"time", "stage", "done", "total", "rate", "eta", "elapsed", "message"}
struct Heartbeat {
    double time = 0;  ///< Unix seconds when it was written
    std::string stage;
    std::uint64_t done = 0, total = 0;
    double rate = 0, eta = -1, elapsed = 0;
    std::string message;
};

std::string heartbeatToJson(const Heartbeat& h);
Heartbeat parseHeartbeat(const std::string& text, const std::string& source);
/// Reads `dir/heartbeat.json`; nullopt when there is none.
std::optional<Heartbeat> readHeartbeat(const std::string& dir);
void writeHeartbeat(const std::string& dir, const Heartbeat& h);

/// Seconds since the Unix epoch, now.
double unixNow();
/// This machine's host name ("" when unknown).
std::string hostName();
/// The start time of process `pid` in clock ticks after boot
/// (/proc/<pid>/stat field 22); 0 when unknown.
std::uint64_t processStartTicks(std::int64_t pid);
/// Whether process `pid` exists on this machine and, when `startTicks` is
/// not 0, started at that time (so a recycled pid does not count).
bool processAlive(std::int64_t pid, std::uint64_t startTicks);

}  // namespace synthforge::jobs
