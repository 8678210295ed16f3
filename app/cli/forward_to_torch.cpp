// The front end's stand-ins for the LibTorch commands: each is listed in
// `synthforge --help` and, when chosen, replaces this process with
// synthforge-torch (execv, same argv). The pid, the terminal, signals
// (Ctrl+C), stdout/stderr and the exit status are then the torch process's
// own, so a caller cannot tell the two executables apart.

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>

#include "app/cli/app_main.h"
#include "app/cli/commands.h"
#include "app/cli/guided_sampler_hook.h"

namespace synthforge::cli {

namespace {

constexpr const char* kTorchExecutable = "synthforge-torch";

/// synthforge-torch next to this executable (not looked up on PATH, so that
/// a build tree and an installed copy never run each other's halves).
std::filesystem::path torchExecutablePath() {
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) throw std::runtime_error(std::string("/proc/self/exe: cannot find this executable (") + ec.message() + ")");
    return self.parent_path() / kTorchExecutable;
}

[[noreturn]] void execTorchExecutable(char** argv) {
    const std::filesystem::path tool = torchExecutablePath();
    std::cout.flush();  // exec drops anything still buffered
    std::cerr.flush();
    std::fflush(nullptr);
    ::execv(tool.c_str(), argv);
    const int err = errno;
    throw std::runtime_error(tool.string() + ": cannot run it (" + std::strerror(err) + "); " + argv[0] +
                             " needs this executable, installed next to it, for train, finetune, eval and predict");
}

}  // namespace

void registerTorchCommandForwarders(CLI::App& app, char** argv) {
    guidedSamplerFallback() = [argv] { execTorchExecutable(argv); };
    for (const CommandSummary& c : kTorchCommands) {
        CLI::App* cmd = app.add_subcommand(c.name, c.description);
        // Leave every argument, --help included, to synthforge-torch.
        cmd->set_help_flag();
        cmd->prefix_command();
        cmd->callback([argv] { execTorchExecutable(argv); });
    }
}

}  // namespace synthforge::cli
