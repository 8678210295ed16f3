#pragma once
// Runs the `synthforge` CLI (SYNTHFORGE_CLI) as a real child process, for
// tests that must kill it mid-run, limit its file sizes or read its output.

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace synthforge::testutil {

inline std::string readTextFile(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Starts the CLI with `args`. stderr goes to `errFile`; stdout to `outFile`
/// (the same file as errFile is fine; empty: /dev/null). `fileLimit` > 0 sets
/// RLIMIT_FSIZE, so writes beyond it fail with EFBIG as on a full disk.
inline pid_t startCli(const std::vector<std::string>& args, const std::filesystem::path& errFile,
                      const std::filesystem::path& outFile = {}, long fileLimit = 0) {
    const pid_t pid = fork();
    if (pid == 0) {
        const int err = ::open(errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (err >= 0) dup2(err, 2);
        const int out = outFile.empty() ? ::open("/dev/null", O_WRONLY)
                        : outFile == errFile ? err
                                             : ::open(outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out >= 0) dup2(out, 1);
        if (fileLimit > 0) {
            signal(SIGXFSZ, SIG_IGN);
            rlimit rl{static_cast<rlim_t>(fileLimit), static_cast<rlim_t>(fileLimit)};
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        std::vector<char*> argv{const_cast<char*>(SYNTHFORGE_CLI)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(SYNTHFORGE_CLI, argv.data());
        _exit(127);
    }
    return pid;
}

/// Waits for the child: its exit code, or minus the signal that ended it.
inline int waitForExit(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

}  // namespace synthforge::testutil
