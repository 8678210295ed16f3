#pragma once
// How a job command keeps its run record (core/jobs/run_recorder.h): the
// command line the process started with, and a scope that writes run.json,
// heartbeats and the end record around the job's body. Header-only because
// both CLI executables use it.

#include <string>
#include <vector>

#include "core/jobs/run_recorder.h"

namespace synthforge::cli {

/// The process's command line, program first; parseAndRun sets it.
inline std::vector<std::string>& processArgv() {
    static std::vector<std::string> argv;
    return argv;
}

/// Runs `body(recorder)`, which returns the exit code, inside a run record
/// for `dir`: the end record gets the exit code, or 1 and the message of an
/// exception (which then propagates to parseAndRun as before).
template <typename Body>
int recordRun(const std::string& dir, const char* kind, bool continuing, Body&& body) {
    jobs::RunRecorder recorder(dir, kind, processArgv(), continuing);
    try {
        const int rc = body(recorder);
        recorder.finish(rc);
        return rc;
    } catch (const std::exception& e) {
        recorder.finish(1, e.what());
        throw;
    }
}

}  // namespace synthforge::cli
