#include "core/jobs/run_state.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/io/file_util.h"

namespace synthforge::jobs {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kStderrTailLines = 20;
constexpr std::uint64_t kMaxConfigBytes = 4u << 20;

bool present(const fs::path& p) {
    std::error_code ec;
    return fs::exists(p, ec);
}

void flatten(const json& node, const std::string& prefix, std::map<std::string, std::string>& out) {
    if (node.is_object()) {
        for (auto it = node.begin(); it != node.end(); ++it)
            flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
    } else if (node.is_string()) {
        out[prefix] = node.get<std::string>();
    } else {
        out[prefix] = node.dump();
    }
}

/// Splits one CSV line (our metrics.csv has no quoting).
std::vector<std::string> splitCsv(const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream in(line);
    while (std::getline(in, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    return cells;
}

/// Last non-empty value per column from the header and the file's last 64 KiB.
void readLastMetrics(const fs::path& path, RunState& s) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return;
    std::string header;
    if (!std::getline(in, header)) return;
    const std::vector<std::string> columns = splitCsv(header);
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    const std::streamoff headerEnd = static_cast<std::streamoff>(header.size() + 1);
    const std::streamoff from = std::max<std::streamoff>(headerEnd, size - (64 << 10));
    if (size <= headerEnd) return;
    std::string tail(static_cast<std::size_t>(size - from), '\0');
    in.seekg(from);
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    // Only complete lines: a running job may be part-way through a row, and
    // the first line of a cut tail is partial unless the cut fell on the header.
    std::vector<std::string> lines;
    std::istringstream t(tail);
    std::string line;
    while (std::getline(t, line)) lines.push_back(line);
    if (!tail.empty() && tail.back() != '\n' && !lines.empty()) lines.pop_back();
    if (from > headerEnd && !lines.empty()) lines.erase(lines.begin());
    // From the last row back, until every column has its last value: a
    // validation column may be empty on most rows, the others are full.
    std::size_t bad = 0;
    std::vector<bool> have(columns.size(), false);
    std::size_t missing = columns.size();
    for (auto it = lines.rbegin(); it != lines.rend() && missing > 0; ++it) {
        const std::vector<std::string> cells = splitCsv(*it);
        if (cells.size() != columns.size()) {
            ++bad;
            continue;
        }
        std::vector<std::pair<std::size_t, double>> values;
        bool ok = true;
        for (std::size_t c = 0; c < cells.size() && ok; ++c) {
            if (cells[c].empty()) continue;
            char* end = nullptr;
            const double v = std::strtod(cells[c].c_str(), &end);
            ok = end != cells[c].c_str() && *end == '\0';
            values.emplace_back(c, v);
        }
        if (!ok) {
            ++bad;
            continue;
        }
        for (const auto& [c, v] : values) {
            if (have[c]) continue;
            have[c] = true;
            --missing;
            s.lastMetrics[columns[c]] = v;
            if (c == 0) s.lastStep = static_cast<std::int64_t>(v);
        }
    }
    if (bad > 0)
        s.warnings.push_back(path.string() + ": " + std::to_string(bad) + " malformed row(s) near its end skipped");
}

bool anyCheckpoint(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return false;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".pt") return true;
    return false;
}

std::string guessKind(const RunState& s, const fs::path& dir) {
    auto it = s.config.find("stage");
    if (it != s.config.end()) return it->second == "II" ? "finetune" : "train";
    if (present(dir / "manifest.json")) return "generate";
    if (present(dir / "eval.json")) return "eval";
    return "unknown";
}

bool finalOutputExists(const std::string& kind, const fs::path& dir) {
    if (kind == "train" || kind == "finetune") return present(dir / "final.safetensors");
    if (kind == "eval") return present(dir / "eval.json");
    if (kind == "generate") {
        try {
            const json m = json::parse(io::readFileText((dir / "manifest.json").string(), 64u << 20));
            return m.is_object() && m.value("complete", false) == true;
        } catch (const std::exception&) {
            return false;
        }
    }
    return false;
}

}  // namespace

std::vector<std::string> tailLines(const std::string& path, std::size_t maxLines) {
    std::ifstream in(path, std::ios::binary);
    if (!in || maxLines == 0) return {};
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    const std::streamoff from = std::max<std::streamoff>(0, size - (64 << 10));
    std::string text(static_cast<std::size_t>(size - from), '\0');
    in.seekg(from);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    std::vector<std::string> lines;
    std::istringstream t(text);
    std::string line;
    while (std::getline(t, line)) {
        // Progress bars redraw with '\r': keep what was last drawn.
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto cr = line.rfind('\r');
        if (cr != std::string::npos) line = line.substr(cr + 1);
        lines.push_back(line);
    }
    if (from > 0 && !lines.empty()) lines.erase(lines.begin());  // partial first line
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    if (lines.size() > maxLines) lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(maxLines));
    return lines;
}

bool isRunDirectory(const std::string& dir) {
    const fs::path d(dir);
    return present(d / kRunRecordFile) || present(d / "config.json") || present(d / "manifest.json");
}

RunState readRunState(const std::string& dir, const RunProbe& probe) {
    const fs::path d(dir);
    std::error_code ec;
    if (!fs::is_directory(d, ec)) throw std::runtime_error(dir + ": not a directory");
    RunState s;
    s.dir = dir;
    s.name = d.filename().string();
    if (s.name.empty()) s.name = d.parent_path().filename().string();

    if (present(d / "config.json")) {
        try {
            flatten(json::parse(io::readFileText((d / "config.json").string(), kMaxConfigBytes)), "", s.config);
        } catch (const std::exception& e) {
            s.warnings.push_back((d / "config.json").string() + ": unreadable (" + e.what() + ")");
        }
    }
    if (present(d / kRunRecordFile)) {
        try {
            s.record = readRunRecord(dir);
        } catch (const std::exception& e) {
            s.warnings.push_back(e.what());
        }
    }
    try {
        s.heartbeat = readHeartbeat(dir);
    } catch (const std::exception& e) {
        s.warnings.push_back(e.what());
    }
    if (present(d / "metrics.csv")) readLastMetrics(d / "metrics.csv", s);
    s.hasCheckpoint = anyCheckpoint(d / "checkpoints");
    s.kind = s.record ? s.record->kind : guessKind(s, d);
    s.hasFinalOutput = finalOutputExists(s.kind, d);

    if (s.record && s.record->end) {
        s.status = s.record->end->status;
        s.stderrTail = s.record->end->stderrTail;
        s.duration = s.record->end->time - s.record->startTime;
    } else if (s.record) {
        const RunRecord& r = *s.record;
        bool alive = false;
        if (r.host == probe.host) {
            alive = probe.alive(r.pid, r.pidStartTicks);
        } else {
            alive = s.heartbeat && probe.now - s.heartbeat->time < probe.staleAfterSeconds;
            if (!alive)
                s.warnings.push_back("started on " + r.host + ": no heartbeat for over " +
                                     std::to_string(static_cast<int>(probe.staleAfterSeconds)) + " s");
        }
        s.status = alive ? RunStatus::Running : RunStatus::Stale;
        const double last = alive ? probe.now : (s.heartbeat ? s.heartbeat->time : r.startTime);
        s.duration = std::max(0.0, last - r.startTime);
    } else {
        s.status = s.hasFinalOutput ? RunStatus::Finished : RunStatus::Stale;
        s.warnings.push_back(std::string("no ") + kRunRecordFile + ": " +
                             (s.hasFinalOutput ? "its final output exists, so it is taken as finished"
                                               : "its final output is missing, so it is taken as stale"));
    }
    if ((s.status == RunStatus::Failed || s.status == RunStatus::Stale) && s.stderrTail.empty())
        s.stderrTail = tailLines((d / kStderrLogFile).string(), kStderrTailLines);
    if (s.stderrTail.empty() && s.record && s.record->end && !s.record->end->error.empty())
        s.stderrTail = {"error: " + s.record->end->error};
    return s;
}

std::vector<std::string> listRunDirectories(const std::string& workspace) {
    std::error_code ec;
    if (!fs::is_directory(workspace, ec)) throw std::runtime_error(workspace + ": not a directory (the runs workspace)");
    std::vector<std::string> dirs;
    for (const auto& e : fs::directory_iterator(workspace, ec)) {
        std::error_code ec2;
        if (e.is_directory(ec2) && isRunDirectory(e.path().string())) dirs.push_back(e.path().string());
    }
    std::sort(dirs.begin(), dirs.end());
    return dirs;
}

std::vector<RunState> readWorkspace(const std::string& workspace, const RunProbe& probe) {
    std::vector<RunState> out;
    for (const std::string& d : listRunDirectories(workspace)) {
        try {
            out.push_back(readRunState(d, probe));
        } catch (const std::exception&) {
            // Removed between listing and reading: not a run any more.
        }
    }
    return out;
}

std::string defaultWorkspace() {
    const char* home = std::getenv("HOME");
    const fs::path base = home && *home ? fs::path(home) : fs::path();
    return (base / "SynthForge" / "runs").string();
}

std::string runStateToJson(const RunState& s, bool full) {
    json j;
    j["name"] = s.name;
    j["dir"] = s.dir;
    j["kind"] = s.kind;
    j["status"] = runStatusName(s.status);
    j["duration"] = s.duration >= 0 ? json(s.duration) : json(nullptr);
    j["step"] = s.lastStep >= 0 ? json(s.lastStep) : json(nullptr);
    if (s.record) {
        j["start_time"] = s.record->startTime;
        j["pid"] = s.record->pid;
        j["host"] = s.record->host;
        j["attempts"] = s.record->attempts;
        if (s.record->end) j["exit_code"] = s.record->end->exitCode;
        if (s.record->end && !s.record->end->error.empty()) j["error"] = s.record->end->error;
    }
    if (s.heartbeat) {
        j["progress"] = {{"stage", s.heartbeat->stage}, {"done", s.heartbeat->done},
                         {"total", s.heartbeat->total}, {"eta", s.heartbeat->eta},
                         {"time", s.heartbeat->time}};
    }
    json metrics = json::object();
    for (const auto& [k, v] : s.lastMetrics) metrics[k] = std::isfinite(v) ? json(v) : json(nullptr);
    j["metrics"] = metrics;
    j["has_checkpoint"] = s.hasCheckpoint;
    j["has_final_output"] = s.hasFinalOutput;
    if (!s.stderrTail.empty()) j["stderr_tail"] = s.stderrTail;
    j["warnings"] = s.warnings;
    if (full) {
        if (s.record) j["argv"] = s.record->argv;
        if (s.record) j["cwd"] = s.record->cwd;
        json config = json::object();
        for (const auto& [k, v] : s.config) config[k] = v;
        j["config"] = config;
    }
    return j.dump(2);
}

}  // namespace synthforge::jobs
