#pragma once
// Ranks of a data-parallel job as real child processes on 127.0.0.1, with
// the variables torchrun sets on one node, for the process-group and
// data-parallel training tests; and a free loopback port for their
// rendezvous.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace synthforge::testutil {

/// A port the kernel just handed out and released: free unless another
/// process grabs it in the instant between (good enough on a test machine).
inline int freeLoopbackPort() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        throw std::runtime_error("no free port");
    ::close(s);
    return ntohs(a.sin_port);
}

/// Starts `argv` (argv[0] is the executable) as rank `rank` of `world`:
/// RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR=127.0.0.1 and MASTER_PORT set
/// as torchrun sets them, then `changes` (an empty value unsets the
/// variable), stderr to `errFile`, stdout to `outFile` (empty: /dev/null).
inline pid_t startRankProcess(int rank, int world, int port, const std::vector<std::string>& argv,
                              const std::filesystem::path& errFile, const std::filesystem::path& outFile = {},
                              const std::vector<std::pair<std::string, std::string>>& changes = {}) {
    const pid_t pid = fork();
    if (pid == 0) {
        setenv("RANK", std::to_string(rank).c_str(), 1);
        setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
        setenv("WORLD_SIZE", std::to_string(world).c_str(), 1);
        setenv("MASTER_ADDR", "127.0.0.1", 1);
        setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
        unsetenv("GLOO_SOCKET_IFNAME");
        for (const auto& [name, value] : changes) {
            if (value.empty())
                unsetenv(name.c_str());
            else
                setenv(name.c_str(), value.c_str(), 1);
        }
        const int err = ::open(errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (err >= 0) dup2(err, 2);
        const int out = outFile.empty() ? ::open("/dev/null", O_WRONLY)
                                        : ::open(outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out >= 0) dup2(out, 1);
        std::vector<char*> args;
        for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args.front(), args.data());
        _exit(127);
    }
    return pid;
}

/// The exit status (minus the signal) once `pid` ends, or -1000 after
/// killing it when it outlives `limit` (a hang must never hang the test).
inline int waitAtMost(pid_t pid, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1000;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

}  // namespace synthforge::testutil
