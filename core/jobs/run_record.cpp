#include "core/jobs/run_record.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/io/file_util.h"
#include "core/io/json_fields.h"

namespace synthforge::jobs {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormat = "synthforge-run";
constexpr std::uint64_t kMaxRecordBytes = 1u << 20;

json parseObject(const std::string& text, const std::string& source) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        throw std::runtime_error(source + ": not valid JSON (" + e.what() + ")");
    }
    if (!j.is_object()) throw std::runtime_error(source + ": expected a JSON object");
    return j;
}

std::vector<std::string> stringList(const json& root, const char* key, const std::string& source) {
    std::vector<std::string> out;
    if (!root.contains(key)) return out;
    const json& a = root.at(key);
    if (!a.is_array()) throw std::runtime_error(source + ": " + key + ": expected an array of strings");
    for (const json& s : a) {
        if (!s.is_string()) throw std::runtime_error(source + ": " + key + ": expected an array of strings");
        out.push_back(s.get<std::string>());
    }
    return out;
}

}  // namespace

bool isRunRecordFile(const std::string& name) {
    for (const char* f : {kRunRecordFile, kHeartbeatFile, kStdoutLogFile, kStderrLogFile}) {
        const std::string base(f);
        // io::writeFileAtomic's temporaries are "<name>.tmp<digits>".
        if (name == base || name.rfind(base + ".tmp", 0) == 0) return true;
    }
    return false;
}

const char* runStatusName(RunStatus s) {
    switch (s) {
        case RunStatus::Running: return "running";
        case RunStatus::Finished: return "finished";
        case RunStatus::Stopped: return "stopped";
        case RunStatus::Failed: return "failed";
        case RunStatus::Stale: return "stale";
    }
    return "?";
}

std::optional<RunStatus> parseRunStatus(const std::string& name) {
    for (RunStatus s : {RunStatus::Running, RunStatus::Finished, RunStatus::Stopped, RunStatus::Failed, RunStatus::Stale})
        if (name == runStatusName(s)) return s;
    return std::nullopt;
}

std::string runRecordToJson(const RunRecord& r) {
    json j;
    j["format"] = kFormat;
    j["version"] = kRunRecordVersion;
    j["kind"] = r.kind;
    j["argv"] = r.argv;
    j["cwd"] = r.cwd;
    j["host"] = r.host;
    j["pid"] = r.pid;
    j["pid_start_ticks"] = r.pidStartTicks;
    j["start_time"] = r.startTime;
    j["attempts"] = r.attempts;
    if (r.end) {
        j["end"] = {{"status", runStatusName(r.end->status)},
                    {"exit_code", r.end->exitCode},
                    {"time", r.end->time},
                    {"error", r.end->error},
                    {"stderr_tail", r.end->stderrTail}};
    }
    return j.dump(2) + "\n";
}

RunRecord parseRunRecord(const std::string& text, const std::string& source) {
    const json j = parseObject(text, source);
    io::JsonFields f(j, source);
    std::string format;
    if (!f.text("format", format)) f.fail("format", "missing");
    if (format != kFormat) f.fail("format", "expected \"" + std::string(kFormat) + "\", got \"" + format + "\"");
    int64_t version = 0;
    if (!f.integer("version", version)) f.fail("version", "missing");
    if (version > kRunRecordVersion)
        f.fail("version", std::to_string(version) + " is newer than this synthforge reads (" +
                              std::to_string(kRunRecordVersion) + "); update synthforge");
    if (version < 1) f.fail("version", "expected a positive integer");
    RunRecord r;
    if (!f.text("kind", r.kind) || r.kind.empty()) f.fail("kind", "missing");
    f.skip("argv");
    r.argv = stringList(j, "argv", source);
    f.text("cwd", r.cwd);
    f.text("host", r.host);
    f.integer("pid", r.pid);
    f.unsignedInteger("pid_start_ticks", r.pidStartTicks);
    if (!f.number("start_time", r.startTime)) f.fail("start_time", "missing");
    int64_t attempts = 1;
    f.integer("attempts", attempts);
    if (attempts < 1 || attempts > 1000000) f.fail("attempts", "expected 1 or more");
    r.attempts = static_cast<int>(attempts);
    if (f.has("end")) {
        if (!j.at("end").is_object()) f.fail("end", "expected an object");
        RunEnd e;
        std::string status;
        if (!f.text("end.status", status)) f.fail("end.status", "missing");
        const auto s = parseRunStatus(status);
        if (!s || *s == RunStatus::Running || *s == RunStatus::Stale)
            f.fail("end.status", "expected finished, stopped or failed, got \"" + status + "\"");
        e.status = *s;
        int64_t code = 0;
        f.integer("end.exit_code", code);
        if (code < -255 || code > 255) f.fail("end.exit_code", "out of range");
        e.exitCode = static_cast<int>(code);
        f.number("end.time", e.time);
        f.text("end.error", e.error);
        f.skip("end.stderr_tail");
        e.stderrTail = stringList(j.at("end"), "stderr_tail", source + ": end");
        r.end = e;
    }
    f.finish();
    return r;
}

RunRecord readRunRecord(const std::string& dir) {
    const std::string path = (fs::path(dir) / kRunRecordFile).string();
    return parseRunRecord(io::readFileText(path, kMaxRecordBytes), path);
}

void writeRunRecord(const std::string& dir, const RunRecord& r) {
    io::writeFileAtomic((fs::path(dir) / kRunRecordFile).string(), runRecordToJson(r));
}

std::string heartbeatToJson(const Heartbeat& h) {
    json j = {{"time", h.time},   {"stage", h.stage}, {"done", h.done},       {"total", h.total},
              {"rate", h.rate},   {"eta", h.eta},     {"elapsed", h.elapsed}, {"message", h.message}};
    return j.dump() + "\n";
}

Heartbeat parseHeartbeat(const std::string& text, const std::string& source) {
    const json j = parseObject(text, source);
    io::JsonFields f(j, source);
    Heartbeat h;
    if (!f.number("time", h.time)) f.fail("time", "missing");
    f.text("stage", h.stage);
    f.unsignedInteger("done", h.done);
    f.unsignedInteger("total", h.total);
    f.number("rate", h.rate);
    f.number("eta", h.eta);
    f.number("elapsed", h.elapsed);
    f.text("message", h.message);
    f.finish();
    return h;
}

std::optional<Heartbeat> readHeartbeat(const std::string& dir) {
    const fs::path path = fs::path(dir) / kHeartbeatFile;
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::nullopt;
    return parseHeartbeat(io::readFileText(path.string(), kMaxRecordBytes), path.string());
}

void writeHeartbeat(const std::string& dir, const Heartbeat& h) {
    io::writeFileAtomic((fs::path(dir) / kHeartbeatFile).string(), heartbeatToJson(h));
}

double unixNow() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string hostName() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "";
    return buf;
}

std::uint64_t processStartTicks(std::int64_t pid) {
    if (pid <= 0) return 0;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return 0;
    // The command name (field 2) is in parentheses and may hold spaces and
    // parentheses itself, so fields are counted after the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(line.substr(close + 1));
    std::string field;
    for (int i = 3; i <= 22; ++i) {
        if (!(rest >> field)) return 0;
        if (i == 22) {
            try {
                return std::stoull(field);
            } catch (const std::exception&) {
                return 0;
            }
        }
    }
    return 0;
}

bool processAlive(std::int64_t pid, std::uint64_t startTicks) {
    if (pid <= 0) return false;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
    if (startTicks == 0) return true;
    const std::uint64_t now = processStartTicks(pid);
    // A zombie (exited, not yet reaped by its parent) still has its stat
    // entry; state 'Z' means the job is over.
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (std::getline(in, line)) {
        const auto close = line.rfind(')');
        if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z') return false;
    }
    return now == startTicks;
}

}  // namespace synthforge::jobs
