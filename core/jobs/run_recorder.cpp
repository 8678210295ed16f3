#include "core/jobs/run_recorder.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>

namespace synthforge::jobs {

namespace fs = std::filesystem;

class RunRecorder::Sink : public ProgressSink {
public:
    Sink(RunRecorder& recorder, ProgressSink* inner, double minInterval)
        : recorder_(recorder), inner_(inner), minInterval_(minInterval) {}

    void update(const ProgressUpdate& u) override {
        if (inner_) inner_->update(u);
        write(u, false);
    }
    void finish(const ProgressUpdate& u) override {
        if (inner_) inner_->finish(u);
        write(u, true);
    }

private:
    void write(const ProgressUpdate& u, bool force) {
        std::lock_guard<std::mutex> lock(mutex_);
        const double now = unixNow();
        if (!force && now - lastWrite_ < minInterval_) return;
        lastWrite_ = now;
        // The first progress is the job at work: its record starts now if
        // the folder did not exist before (see the constructor).
        if (!recorder_.ensureStarted()) return;
        Heartbeat h;
        h.time = now;
        h.stage = u.stage;
        h.done = u.done;
        h.total = u.total;
        h.rate = u.rate;
        h.eta = u.etaSeconds;
        h.elapsed = u.elapsedSeconds;
        h.message = u.message;
        try {
            writeHeartbeat(recorder_.dir(), h);
        } catch (const std::exception&) {
            // A full disk or a removed folder must not stop the job; the
            // record is advisory, the job's outputs are what count.
        }
    }

    RunRecorder& recorder_;
    ProgressSink* inner_;
    double minInterval_;
    std::mutex mutex_;
    double lastWrite_ = -1e300;
};

RunRecorder::RunRecorder(const std::string& dir, std::string kind, std::vector<std::string> argv, bool continuing)
    : dir_(dir) {
    if (dir.empty()) return;
    std::error_code ec;
    const bool folderExisted = fs::is_directory(dir, ec);
    const bool hadRecord = fs::exists(fs::path(dir) / kRunRecordFile, ec);
    const bool hadRun = hadRecord || fs::exists(fs::path(dir) / "config.json", ec) ||
                        fs::exists(fs::path(dir) / "manifest.json", ec);
    if (hadRun && !continuing) return;
    std::optional<RunRecord> before;
    if (hadRecord) {
        try {
            before = readRunRecord(dir);
        } catch (const std::exception&) {
            // A damaged record is replaced by this attempt's.
        }
        // A folder belongs to one kind of job: `eval --run-dir` pointed at a
        // training run must not take over that run's record.
        if (before && before->kind != kind) return;
    }
    record_.kind = std::move(kind);
    record_.argv = std::move(argv);
    record_.cwd = fs::current_path(ec).string();
    record_.host = hostName();
    record_.pid = static_cast<std::int64_t>(::getpid());
    record_.pidStartTicks = processStartTicks(record_.pid);
    record_.startTime = unixNow();
    if (before) {
        record_.startTime = before->startTime;
        record_.attempts = before->attempts + 1;
    }
    active_ = true;
    // A folder made for the job (the studio makes one for its log files)
    // shows the run at once. Otherwise the record waits for the job's first
    // progress or its end: a command refused before it did anything then
    // leaves no folder behind.
    if (folderExisted) ensureStarted();
}

bool RunRecorder::ensureStarted() {
    std::lock_guard<std::mutex> lock(startMutex_);
    if (!active_) return false;
    if (started_) return true;
    try {
        std::error_code ec;
        fs::create_directories(dir_, ec);
        // A heartbeat of an earlier attempt would show its progress as this one's.
        fs::remove(fs::path(dir_) / kHeartbeatFile, ec);
        writeRunRecord(dir_, record_);
        started_ = true;
    } catch (const std::exception& e) {
        std::cerr << "warning: cannot write the run record: " << e.what() << "\n";
        active_ = false;
    }
    return started_;
}

RunRecorder::~RunRecorder() {
    if (!finished_) finish(1, "the job ended by an unexpected exception");
}

ProgressSink* RunRecorder::heartbeatSink(ProgressSink* inner, double minInterval) {
    if (!active_) return inner;
    sinks_.push_back(std::make_unique<Sink>(*this, inner, minInterval));
    return sinks_.back().get();
}

RunStatus RunRecorder::statusForExitCode(int exitCode) {
    if (exitCode == 0) return RunStatus::Finished;
    if (exitCode == 130) return RunStatus::Stopped;
    return RunStatus::Failed;
}

void RunRecorder::finish(int exitCode, const std::string& error) {
    if (finished_) return;
    finished_ = true;
    if (!active_) return;
    // A job that never started its record and left no folder (refused
    // before any work) keeps it that way.
    std::error_code ec;
    if (!started_ && !fs::is_directory(dir_, ec)) return;
    if (!ensureStarted()) return;
    RunEnd end;
    end.status = statusForExitCode(exitCode);
    end.exitCode = exitCode;
    end.time = unixNow();
    end.error = error;
    if (!error.empty()) end.stderrTail = {"error: " + error};
    record_.end = end;
    try {
        writeRunRecord(dir_, record_);
    } catch (const std::exception& e) {
        std::cerr << "warning: cannot write the end of the run record: " << e.what() << "\n";
    }
}

std::vector<std::string> argvStrings(int argc, char** argv) {
    std::vector<std::string> out;
    for (int i = 0; i < argc; ++i) out.emplace_back(argv[i] ? argv[i] : "");
    return out;
}

}  // namespace synthforge::jobs
