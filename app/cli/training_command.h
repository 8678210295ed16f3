#pragma once
// What `train` and `finetune` share on the command line: the data-loading
// options (same names, ranges and help) and the way a run is driven
// (progress display, Ctrl+C as a checkpointed stop, the allocator policy).

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>

#include "core/jobs/interrupt.h"
#include "core/jobs/memory_policy.h"
#include "core/jobs/progress.h"
#include "core/jobs/terminal_progress.h"
#include "core/train/distributed_env.h"
#include "core/train/run_config_common.h"
#include "app/cli/run_recording.h"

namespace synthforge::cli {

inline void addLoaderOptions(CLI::App* cmd, std::string& augment, int& workers, int& prefetch) {
    cmd->add_option("--augment", augment, "Augmentation: none, default, or a JSON config file (docs/augmentation.md)")
        ->capture_default_str();
    cmd->add_option("--workers", workers,
                    "Data loader threads (0: load on the training thread; results do not depend on it)")
        ->capture_default_str()
        ->check(CLI::Range(0, 64));
    cmd->add_option("--prefetch", prefetch, "Batches loaded ahead")->capture_default_str()->check(CLI::Range(1, 256));
}

/// The options of data-parallel runs (docs/distributed.md). They matter
/// only under torchrun, srun or `synthforge launch`.
inline std::pair<CLI::Option*, CLI::Option*> addDistributedOptions(CLI::App* cmd, bool& syncBatchNorm,
                                                                   double& timeout) {
    CLI::Option* sync = cmd->add_flag(
        "--sync-batchnorm", syncBatchNorm,
        "Data-parallel runs: BatchNorm over every rank's batch (SyncBatchNorm) instead of each rank's own");
    CLI::Option* wait = cmd->add_option("--dist-timeout", timeout,
                                        "Data-parallel runs: seconds to wait for a rank at the rendezvous and each "
                                        "collective before failing")
                            ->capture_default_str()
                            ->check(CLI::Range(1.0, 86400.0));
    return {sync, wait};
}

/// The options every run command reads the same way: --checkpoint-every,
/// --seed, --precision, --device, --threads, --resume and --progress.
inline void addRunOptions(CLI::App* cmd, train::RunConfigCommon& c, std::string& progress) {
    cmd->add_option("--checkpoint-every", c.checkpointEvery, "Steps between checkpoints")->capture_default_str();
    cmd->add_option("--seed", c.seed, "Seed")->capture_default_str();
    cmd->add_option("--precision", c.precision,
                    "Forward passes in fp32, or bf16 (autocast mixed precision: faster on CPUs with AVX-512 BF16/AMX "
                    "and on recent GPUs, emulated and slower elsewhere)")
        ->capture_default_str()
        ->check(CLI::IsMember({"fp32", "bf16"}));
    cmd->add_option("--device", c.device, "auto, cpu or cuda")->capture_default_str()->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->add_option("--threads", c.threads, "Torch CPU threads (0: torch's default)")->capture_default_str()->check(CLI::Range(0, 1024));
    cmd->add_flag("--resume", c.resume, "Continue the run in --out from its last checkpoint (same options)");
    cmd->add_option("--progress", progress, "auto, bar, json or none")->capture_default_str();
    addDistributedOptions(cmd, c.syncBatchNorm, c.distTimeout);
}

/// Runs `job(sink, cancel)` with `progress`'s display (--progress), Ctrl+C
/// turned into a checkpointed stop, the training allocator policy
/// (core/jobs/memory_policy.h) and a run record in `out` (run.json,
/// heartbeats; `kind` names the job, `continuing` is --resume). Returns the
/// job's result, or nullopt after a Ctrl+C, once it has told the user how to
/// resume the run in `out` (the command then exits with 130). Other errors
/// propagate.
template <typename Job>
auto runTrainingJob(const std::string& progress, const std::string& out, const char* kind, bool continuing, Job&& job)
    -> std::optional<decltype(job(static_cast<jobs::ProgressSink*>(nullptr),
                                  static_cast<const jobs::CancelToken*>(nullptr)))> {
    using Result = decltype(job(static_cast<jobs::ProgressSink*>(nullptr), static_cast<const jobs::CancelToken*>(nullptr)));
    std::optional<Result> result;
    // Ranks other than 0 of a data-parallel run write nothing and show no
    // progress: rank 0 speaks for the job (as torchrun users expect). A bad
    // RANK/WORLD_SIZE environment is reported here, before anything runs.
    const bool rankZero = train::distributedEnvironment().isRankZero();
    const auto drive = [&](jobs::ProgressSink* sink) {
        jobs::CancelToken cancel;
        jobs::ScopedInterruptHandler interrupt(cancel);
        try {
            jobs::retainFreedMemoryForReuse();  // reuse activations between steps
            result = job(sink, &cancel);
            return 0;
        } catch (const jobs::Cancelled&) {
            if (rankZero)
                std::cerr << "stopped: a checkpoint of the current step is in " << out
                          << "/checkpoints; run again with --resume to continue\n";
            return 130;
        }
    };
    if (!rankZero) {
        drive(nullptr);
        return result;
    }
    recordRun(out, kind, continuing, [&](jobs::RunRecorder& recorder) {
        std::unique_ptr<jobs::ProgressSink> sink = jobs::makeCliProgress(progress, stderr);
        return drive(recorder.heartbeatSink(sink.get()));
    });
    return result;
}

}  // namespace synthforge::cli
