#include "core/train/process_launcher.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace synthforge::train {

namespace {

// Signals received and not yet forwarded: a lock-free counter per kind is
// all a handler may touch.
std::atomic<int> gPendingInt{0}, gPendingTerm{0};

void onSignal(int sig) {
    (sig == SIGINT ? gPendingInt : gPendingTerm).fetch_add(1);
}

class ForwardedSignals {
public:
    ForwardedSignals() {
        gPendingInt = 0;
        gPendingTerm = 0;
        struct sigaction sa {};
        sa.sa_handler = onSignal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(SIGINT, &sa, &oldInt_);
        sigaction(SIGTERM, &sa, &oldTerm_);
    }
    ~ForwardedSignals() {
        sigaction(SIGINT, &oldInt_, nullptr);
        sigaction(SIGTERM, &oldTerm_, nullptr);
    }

private:
    struct sigaction oldInt_ {}, oldTerm_ {};
};

int statusCode(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

pid_t startRank(const LaunchSpec& spec, int rank) {
    // Everything the child needs is prepared before fork: after it, only
    // async-signal-safe calls until exec.
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string kv = *e;
        const std::string key = kv.substr(0, kv.find('='));
        if (key == "RANK" || key == "LOCAL_RANK" || key == "WORLD_SIZE" || key == "LOCAL_WORLD_SIZE" ||
            key == "MASTER_ADDR" || key == "MASTER_PORT")
            continue;
        env.push_back(kv);
    }
    const std::string n = std::to_string(spec.nproc), r = std::to_string(rank);
    for (const std::string& kv : {"RANK=" + r, "LOCAL_RANK=" + r, "WORLD_SIZE=" + n, "LOCAL_WORLD_SIZE=" + n,
                                  "MASTER_ADDR=" + spec.masterAddr, "MASTER_PORT=" + std::to_string(spec.masterPort)})
        env.push_back(kv);
    std::vector<char*> envp, argv{const_cast<char*>(spec.executable.c_str())};
    for (auto& kv : env) envp.push_back(kv.data());
    envp.push_back(nullptr);
    for (const auto& a : spec.args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    // A signal that arrives between fork and exec would run the launcher's
    // handler in the child and be lost: keep both blocked until the child
    // has its default dispositions back (then a pending one takes effect).
    sigset_t both, before;
    sigemptyset(&both);
    sigaddset(&both, SIGINT);
    sigaddset(&both, SIGTERM);
    sigprocmask(SIG_BLOCK, &both, &before);
    const pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        sigprocmask(SIG_SETMASK, &before, nullptr);
        execve(argv[0], argv.data(), envp.data());
        const char msg[] = "launch: cannot execute the rank's program\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(127);
    }
    const int forkError = errno;
    sigprocmask(SIG_SETMASK, &before, nullptr);
    if (pid < 0) throw std::runtime_error("launch: cannot start rank " + r + " (" + std::strerror(forkError) + ")");
    setpgid(pid, pid);  // also from the parent: no race with an early signal
    return pid;
}

}  // namespace

int launchProcesses(const LaunchSpec& spec) {
    if (spec.nproc < 1) throw std::invalid_argument("--nproc: must be at least 1, got " + std::to_string(spec.nproc));
    if (spec.executable.empty()) throw std::invalid_argument("launch: no program to run");
    if (spec.masterPort < 1 || spec.masterPort > 65535)
        throw std::invalid_argument("--master-port: " + std::to_string(spec.masterPort) + " is outside 1..65535");

    ForwardedSignals forwarding;
    std::vector<pid_t> live;
    for (int i = 0; i < spec.nproc; ++i) {
        try {
            live.push_back(startRank(spec, i));
        } catch (...) {
            for (pid_t p : live) kill(p, SIGKILL);
            for (pid_t p : live) waitpid(p, nullptr, 0);
            throw;
        }
    }
    int result = 0;
    bool terminating = false, interrupted = false;
    std::chrono::steady_clock::time_point killAt{};
    while (!live.empty()) {
        for (int sig : {SIGINT, SIGTERM}) {
            auto& pending = sig == SIGINT ? gPendingInt : gPendingTerm;
            for (int k = pending.exchange(0); k > 0; --k) {
                interrupted = true;
                for (pid_t p : live) kill(p, sig);
            }
        }
        for (std::size_t i = 0; i < live.size();) {
            int status = 0;
            const pid_t done = waitpid(live[i], &status, WNOHANG);
            if (done == 0) {
                ++i;
                continue;
            }
            const int code = done < 0 ? 1 : statusCode(status);
            live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
            if (code != 0 && result == 0) {
                result = code;
                // Ranks stopping on a forwarded Ctrl+C may exit non-zero
                // one after another: a SIGTERM now would be their second
                // signal, which force-quits a job that is stopping cleanly.
                if (!terminating && !interrupted) {
                    terminating = true;
                    killAt = std::chrono::steady_clock::now() + spec.terminateGrace;
                    for (pid_t p : live) kill(p, SIGTERM);
                }
            }
        }
        if (terminating && std::chrono::steady_clock::now() >= killAt)
            for (pid_t p : live) kill(p, SIGKILL);
        if (!live.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return result;
}

}  // namespace synthforge::train
