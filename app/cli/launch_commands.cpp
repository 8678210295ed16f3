// `synthforge launch --nproc N [--master-addr A] [--master-port P] -- <command...>`:
// runs N copies of `synthforge <command...>` on this machine with the
// variables torchrun --nproc_per_node N sets (core/train/process_launcher.h),
// so that a multi-process run needs no Python. Its exit status is 0 when
// every rank succeeded, else the first failing rank's.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/cli/commands.h"
#include "core/train/process_launcher.h"

namespace synthforge::cli {

namespace {

std::string thisExecutable() {
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) throw std::runtime_error("/proc/self/exe: cannot find this executable (" + ec.message() + ")");
    return self.string();
}

void runLaunch(train::LaunchSpec spec, const std::vector<std::string>& command) {
    spec.executable = thisExecutable();
    spec.args = command;
    const int code = train::launchProcesses(spec);
    if (code != 0) {
        // The ranks printed their own errors; pass the first failure's
        // status on as torchrun does (a callback has no return value).
        std::cout.flush();
        std::cerr.flush();
        std::fflush(nullptr);
        std::exit(code);
    }
}

}  // namespace

void registerLaunchCommands(CLI::App& app) {
    auto spec = std::make_shared<train::LaunchSpec>();
    auto command = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd = app.add_subcommand(
        "launch", "Run a synthforge command as N ranks of one distributed job on this machine (like torchrun)");
    cmd->add_option("--nproc", spec->nproc, "Number of ranks (processes)")->required()->check(CLI::Range(1, 4096));
    cmd->add_option("--master-addr", spec->masterAddr, "Rendezvous host (MASTER_ADDR)")->capture_default_str();
    cmd->add_option("--master-port", spec->masterPort, "Rendezvous port (MASTER_PORT)")
        ->capture_default_str()
        ->check(CLI::Range(1, 65535));
    cmd->add_option("command", *command, "The synthforge command every rank runs, after --")->required();
    cmd->footer("Each rank gets RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT. "
                "Ctrl+C is forwarded to every rank; when one fails the others are stopped. docs/distributed.md");
    cmd->callback([spec, command] { runLaunch(*spec, *command); });
}

}  // namespace synthforge::cli
