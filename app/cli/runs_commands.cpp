// `synthforge runs list|show`: the run states of a workspace or of one run,
// read from the run directories alone (core/jobs/run_state.h), exactly as the
// studio's run centre shows them.

#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/cli/commands.h"
#include "core/jobs/run_state.h"
#include "core/jobs/terminal_progress.h"

namespace synthforge::cli {

namespace {

struct RunsArgs {
    std::string workspace;
    std::string run;
    bool json = false;
};

std::string progressText(const jobs::RunState& s) {
    if (!s.heartbeat || s.status != jobs::RunStatus::Running) return "";
    const jobs::Heartbeat& h = *s.heartbeat;
    std::ostringstream o;
    o << h.stage << " " << h.done;
    if (h.total > 0) o << "/" << h.total << " (" << static_cast<int>(100.0 * h.done / h.total) << "%)";
    if (h.eta >= 0) o << " ETA " << jobs::formatDuration(h.eta);
    return o.str();
}

/// A few metrics worth a column: the loss and the validation figures.
std::string keyMetrics(const jobs::RunState& s) {
    std::ostringstream o;
    for (const char* k : {"total", "loss", "val_nme", "val_miou"}) {
        auto it = s.lastMetrics.find(k);
        if (it == s.lastMetrics.end() || !std::isfinite(it->second)) continue;
        if (o.tellp() > 0) o << " ";
        o << k << "=" << std::setprecision(4) << it->second;
    }
    return o.str();
}

void printTable(const std::vector<jobs::RunState>& runs) {
    std::cout << std::left << std::setw(28) << "NAME" << std::setw(10) << "KIND" << std::setw(10) << "STATUS"
              << std::setw(10) << "STEP" << std::setw(10) << "TIME" << "PROGRESS / METRICS\n";
    for (const jobs::RunState& s : runs) {
        std::cout << std::left << std::setw(28) << s.name << std::setw(10) << s.kind << std::setw(10)
                  << jobs::runStatusName(s.status) << std::setw(10)
                  << (s.lastStep >= 0 ? std::to_string(s.lastStep) : "-") << std::setw(10)
                  << (s.duration >= 0 ? jobs::formatDuration(s.duration) : "-");
        const std::string p = progressText(s);
        std::cout << p << (p.empty() ? "" : "  ") << keyMetrics(s) << "\n";
    }
}

void runsList(const RunsArgs& a) {
    const std::string ws = a.workspace.empty() ? jobs::defaultWorkspace() : a.workspace;
    const std::vector<jobs::RunState> runs = jobs::readWorkspace(ws);
    if (a.json) {
        std::cout << "[";
        for (std::size_t i = 0; i < runs.size(); ++i) std::cout << (i ? ",\n" : "\n") << jobs::runStateToJson(runs[i], false);
        std::cout << (runs.empty() ? "]\n" : "\n]\n");
        return;
    }
    if (runs.empty()) {
        std::cout << "no runs in " << ws << "\n";
        return;
    }
    printTable(runs);
}

void runsShow(const RunsArgs& a) {
    const jobs::RunState s = jobs::readRunState(a.run);
    if (a.json) {
        std::cout << jobs::runStateToJson(s, true) << "\n";
        return;
    }
    std::cout << "run       " << s.dir << "\nkind      " << s.kind << "\nstatus    " << jobs::runStatusName(s.status)
              << "\n";
    if (s.record) {
        std::cout << "command  ";
        for (const std::string& arg : s.record->argv) std::cout << " " << arg;
        std::cout << "\nhost      " << s.record->host << " (pid " << s.record->pid << ")\nattempts  " << s.record->attempts
                  << "\n";
        if (s.record->end) std::cout << "exit code " << s.record->end->exitCode << "\n";
    }
    if (s.duration >= 0) std::cout << "time      " << jobs::formatDuration(s.duration) << "\n";
    const std::string p = progressText(s);
    if (!p.empty()) std::cout << "progress  " << p << "\n";
    if (s.lastStep >= 0) std::cout << "step      " << s.lastStep << "\n";
    for (const auto& [k, v] : s.lastMetrics) std::cout << "  " << std::left << std::setw(14) << k << v << "\n";
    std::cout << "resumable " << (s.hasCheckpoint ? "yes (checkpoints/)" : "no") << "\n";
    if (!s.stderrTail.empty()) {
        std::cout << "stderr (last lines):\n";
        for (const std::string& l : s.stderrTail) std::cout << "  " << l << "\n";
    }
    for (const std::string& w : s.warnings) std::cout << "warning: " << w << "\n";
}

}  // namespace

void registerRunsCommands(CLI::App& app) {
    auto args = std::make_shared<RunsArgs>();
    CLI::App* runs = app.add_subcommand("runs", "List and inspect runs (their state read from the run folders)");
    runs->require_subcommand(1);
    CLI::App* list = runs->add_subcommand("list", "Every run of a workspace: kind, status, progress, key metrics");
    list->add_option("workspace", args->workspace, "Workspace folder (default ~/SynthForge/runs)");
    list->add_flag("--json", args->json, "A JSON array of run states instead of a table");
    list->callback([args] { runsList(*args); });
    CLI::App* show = runs->add_subcommand("show", "One run's state: command, status, progress, metrics, stderr tail");
    show->add_option("run", args->run, "Run folder")->required()->check(CLI::ExistingDirectory);
    show->add_flag("--json", args->json, "JSON instead of text");
    show->callback([args] { runsShow(*args); });
}

}  // namespace synthforge::cli
