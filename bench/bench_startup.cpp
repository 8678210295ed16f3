// Start-up of the `synthforge` CLI as a user meets it: spawn the executable,
// let it run, wait for it to exit. `--version` and `head info default` need
// no LibTorch, so they measure the front end alone; `head info` of a
// FLAME-sized pickle adds the model load (bench_flame_load.cpp times that
// alone); `train --help` is the price of a torch command (the front end
// execs synthforge-torch, which loads libtorch_cpu).
//
//   build/bench/bench_startup --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
//
// SYNTHFORGE_BENCH_CLI=path/to/synthforge times another build (a before/after
// comparison) instead of this build's executable.
// Figures and the machine: docs/performance.md.

#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace {

/// Runs the CLI with `args`, output to /dev/null; returns its exit status
/// (-1 if it could not start or did not exit normally).
int runCli(const std::vector<std::string>& args) {
    const char* cli = std::getenv("SYNTHFORGE_BENCH_CLI");
    std::vector<std::string> all{cli && *cli ? cli : SYNTHFORGE_CLI};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t io;
    posix_spawn_file_actions_init(&io);
    posix_spawn_file_actions_addopen(&io, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&io, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &io, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&io);
    if (rc != 0) return -1;
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

/// User + system CPU time of all waited-for children so far, in ms.
double childCpuMs() {
    rusage u{};
    getrusage(RUSAGE_CHILDREN, &u);
    const auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
    return ms(u.ru_utime) + ms(u.ru_stime);
}

void timeCli(benchmark::State& state, const std::vector<std::string>& args) {
    // The default head's cache lives in the build tree, built by the first
    // (untimed) run, as it is after a user's first call.
    setenv("SYNTHFORGE_CACHE_DIR", SYNTHFORGE_BENCH_CACHE_DIR, 1);
    if (runCli(args) != 0) {
        state.SkipWithError("the command failed");
        return;
    }
    const double cpuBefore = childCpuMs();
    for (auto _ : state)
        if (runCli(args) != 0) state.SkipWithError("the command failed");
    // The benchmark's own CPU column is the parent's; this is the command's.
    state.counters["child_cpu_ms"] = benchmark::Counter(childCpuMs() - cpuBefore, benchmark::Counter::kAvgIterations);
}

double minimum(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

void BM_CliVersion(benchmark::State& state) { timeCli(state, {"--version"}); }
void BM_CliHeadInfoDefault(benchmark::State& state) { timeCli(state, {"head", "info", "default"}); }
void BM_CliHeadInfoFlamePickle(benchmark::State& state) { timeCli(state, {"head", "info", SYNTHFORGE_BENCH_FLAME_PKL}); }
void BM_CliTrainHelp(benchmark::State& state) { timeCli(state, {"train", "--help"}); }

#define SYNTHFORGE_CLI_BENCHMARK(fn) \
    BENCHMARK(fn)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5)->ComputeStatistics("min", minimum)

SYNTHFORGE_CLI_BENCHMARK(BM_CliVersion);
SYNTHFORGE_CLI_BENCHMARK(BM_CliHeadInfoDefault);
SYNTHFORGE_CLI_BENCHMARK(BM_CliHeadInfoFlamePickle);
SYNTHFORGE_CLI_BENCHMARK(BM_CliTrainHelp);

}  // namespace

BENCHMARK_MAIN();
