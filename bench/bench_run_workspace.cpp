// The run centre's reading costs (core/jobs/run_state.h), which the studio's
// RunMonitor pays on a worker thread at every poll:
// - opening a workspace of 200 finished training runs (run.json, a full
//   config.json, a 2,000-row metrics.csv each);
// - one poll of a workspace with 10 live runs (this process's pid, so they
//   read as running; 100,000-row metrics.csv each). The panel polls every
//   2 s, so its CPU share is (time per poll) / 2 s.
//
//   build/bench/bench_run_workspace --benchmark_repetitions=5

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/jobs/run_record.h"
#include "core/jobs/run_state.h"

namespace {

namespace fs = std::filesystem;
using namespace synthforge::jobs;

const char* kConfig = R"({"format":"synthforge-train-config","version":2,"stage":"I","data":"/data/faces","recipe":"fast",
"preset":"small","epochs":5,"batch":8,"size":128,"accumulate":1,"seed":0,"optimizer":{"name":"adamw","lr":0.002,
"weight_decay":0.01,"betas":[0.9,0.999],"eps":1e-08,"backbone_lr_scale":1.0},"schedule":{"name":"cosine",
"min_lr":1e-05,"warmup_steps":50},"grad_clip":1.0,"losses":{"segmentation":1.0,"dice":1.0,"depth":1.0,
"keypoints":1.0,"heatmap":1.0,"equivariance":1.0},"val_fraction":0.1,"validation":{"every":100,"best_metric":"nme"}})";

void writeRun(const fs::path& dir, int rows, bool live) {
    fs::create_directories(dir / "checkpoints");
    RunRecord r;
    r.kind = "train";
    r.argv = {"synthforge", "train", "--data", "/data/faces", "--out", dir.string()};
    r.host = hostName();
    r.pid = live ? ::getpid() : 1;
    r.pidStartTicks = live ? processStartTicks(::getpid()) : 0;
    r.startTime = unixNow() - 600;
    if (!live) r.end = RunEnd{RunStatus::Finished, 0, unixNow(), "", {}};
    writeRunRecord(dir.string(), r);
    std::ofstream(dir / "config.json") << kConfig;
    std::ofstream(dir / "checkpoints" / "step_00000100.pt") << "x";
    std::ofstream m(dir / "metrics.csv");
    m << "step,epoch,total,segmentation,dice,depth,keypoints,heatmap,equivariance,lr,lr_backbone,grad_norm,"
         "val_total,val_nme,val_miou,val_depth_l1\n";
    for (int i = 1; i <= rows; ++i) {
        m << i << "," << i / 200 << ",3.14159,1.1,0.5,0.3,0.2,0.9,0.1,0.002,0.002,4.5,";
        if (i % 100 == 0) m << "3.2,0.08,0.55,0.02";
        else m << ",,,";
        m << "\n";
    }
    if (live) {
        Heartbeat h;
        h.time = unixNow();
        h.stage = "train";
        h.done = static_cast<std::uint64_t>(rows);
        h.total = 1000000;
        writeHeartbeat(dir.string(), h);
    }
}

fs::path makeWorkspace(const std::string& name, int runs, int rows, bool live) {
    const fs::path ws = fs::temp_directory_path() / ("synthforge_bench_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(ws);
    for (int i = 0; i < runs; ++i) writeRun(ws / ("run_" + std::to_string(i)), rows, live);
    return ws;
}

void BM_OpenWorkspace200(benchmark::State& state) {
    const fs::path ws = makeWorkspace("open", 200, 2000, false);
    for (auto _ : state) {
        const auto runs = readWorkspace(ws.string());
        if (runs.size() != 200) state.SkipWithError("expected 200 runs");
        benchmark::DoNotOptimize(runs.data());
    }
    fs::remove_all(ws);
}
BENCHMARK(BM_OpenWorkspace200)->Unit(benchmark::kMillisecond);

void BM_PollTenLiveRuns(benchmark::State& state) {
    const fs::path ws = makeWorkspace("live", 10, 100000, true);
    for (auto _ : state) {
        const auto runs = readWorkspace(ws.string());
        if (runs.size() != 10 || runs[0].status != RunStatus::Running) state.SkipWithError("expected 10 running runs");
        benchmark::DoNotOptimize(runs.data());
    }
    fs::remove_all(ws);
}
BENCHMARK(BM_PollTenLiveRuns)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
