#pragma once
// A run's state, read from its directory alone (run_record.h), so that
// `synthforge runs list`, the studio's run centre and a script all report
// the same thing.
//
// Status rules:
// - run.json with an end record: that record's status (finished, stopped, failed).
// - run.json without one, written on this host: running while the recorded
//   process (pid and start time) is alive, else stale.
// - written on another host (a cluster node sharing the folder): running while
//   heartbeat.json is younger than `staleAfterSeconds`, else stale.
// - no run.json but a config.json or manifest.json (a run from before run
//   records existed): finished when its final output exists, else stale, with
//   a warning saying why.
// A failed or stale run carries the last lines of its stderr: the end
// record's copy, else the tail of stderr.log.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/jobs/run_record.h"

namespace synthforge::jobs {

/// How liveness is probed. Tests inject fakes; the defaults probe this machine.
struct RunProbe {
    std::string host = hostName();
    double now = unixNow();
    double staleAfterSeconds = 120;
    std::function<bool(std::int64_t pid, std::uint64_t startTicks)> alive = processAlive;
};

struct RunState {
    std::string dir;   ///< the run directory as given
    std::string name;  ///< its folder name
    std::string kind;  ///< from run.json, else guessed from the files ("train", "generate", ...)
    RunStatus status = RunStatus::Stale;
    std::optional<RunRecord> record;
    std::optional<Heartbeat> heartbeat;
    /// Seconds the run took (end - start), or has run so far; -1 when unknown.
    double duration = -1;
    std::vector<std::string> stderrTail;
    /// Problems reading the run (a corrupt run.json, an unreadable config):
    /// shown beside the run, never fatal.
    std::vector<std::string> warnings;
    /// config.json flattened to dotted keys ("schedule.name" -> "cosine"),
    /// values as compact JSON text (strings without quotes).
    std::map<std::string, std::string> config;
    /// The last value of every metrics.csv column that has one (the last
    /// non-empty cell of each column, from the file's tail).
    std::map<std::string, double> lastMetrics;
    std::int64_t lastStep = -1;  ///< the last row's step; -1 without metrics
    bool hasCheckpoint = false;  ///< checkpoints/ holds one, so --resume can continue
    bool hasFinalOutput = false; ///< final.safetensors, a complete manifest, eval.json, ...
};

/// Reads the state of the run in `dir`. Never throws for a damaged run: what
/// could not be read becomes a warning. std::runtime_error only when `dir`
/// is not a directory.
RunState readRunState(const std::string& dir, const RunProbe& probe = {});

/// Whether `dir` looks like a run directory (run.json, config.json or a
/// dataset manifest.json).
bool isRunDirectory(const std::string& dir);

/// The runs of a workspace: its subfolders that are run directories, sorted
/// by name; std::runtime_error naming the folder when it is not one.
std::vector<std::string> listRunDirectories(const std::string& workspace);
std::vector<RunState> readWorkspace(const std::string& workspace, const RunProbe& probe = {});

/// ~/SynthForge/runs ($HOME; "SynthForge/runs" relative when HOME is unset).
std::string defaultWorkspace();

/// The last `maxLines` lines of a text file (at most the last 64 KiB are read);
/// empty when it cannot be read.
std::vector<std::string> tailLines(const std::string& path, std::size_t maxLines);

/// JSON for `runs list --json` / `runs show --json` (one object per run).
std::string runStateToJson(const RunState& s, bool full);

}  // namespace synthforge::jobs
