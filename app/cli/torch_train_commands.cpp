// `synthforge train`: a Stage I run (core/train/trainer.h) with a progress
// bar or JSON-lines progress; Ctrl+C writes a checkpoint of the current step
// and exits 130, and --resume continues exactly where the run stopped.

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "app/cli/app_main.h"
#include "app/cli/commands.h"
#include "app/cli/training_command.h"
#include "core/train/trainer.h"

namespace synthforge::cli {

namespace {

struct TrainArgs {
    train::TrainConfig config;
    std::string progress = "auto";
};

int runTrain(const TrainArgs& a) {
    const std::optional<train::TrainResult> done = runTrainingJob(
        a.progress, a.config.out,
        [&](jobs::ProgressSink* sink, const jobs::CancelToken* cancel) { return train::trainStageOne(a.config, sink, cancel); });
    if (!done) return 130;
    const train::TrainResult& r = *done;
    std::cout << "trained " << r.steps << " steps";
    if (r.resumedFrom > 0) std::cout << " (resumed from step " << r.resumedFrom << ")";
    std::cout << ", last loss " << r.lastLoss << "; weights: " << r.finalWeights << "\n";
    return 0;
}

}  // namespace

void registerTrainCommands(CLI::App& app) {
    auto args = std::make_shared<TrainArgs>();
    train::TrainConfig& c = args->config;
    CLI::App* cmd = app.add_subcommand("train", torchCommandDescription("train"));
    cmd->add_option("--data", c.data, "Dataset folder (synthforge generate)")->required();
    cmd->add_option("--preset", c.preset, "Network preset")->required()->check(CLI::IsMember({"small", "reference"}));
    cmd->add_option("--out", c.out, "Run directory")->required();
    cmd->add_option("--epochs", c.epochs, "Epochs")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1000000}));
    cmd->add_option("--batch", c.batch, "Samples per micro-batch")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{4096}));
    cmd->add_option("--size", c.size, "Square training resolution (>= 64; multiples of 64 keep every level aligned)")
        ->capture_default_str()->check(CLI::Range(int64_t{64}, int64_t{4096}));
    cmd->add_option("--accumulate", c.accumulate, "Micro-batches per optimiser step")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{4096}));
    cmd->add_option("--seed", c.seed, "Seed (weights, sample order, augmentation draws)")->capture_default_str();
    cmd->add_option("--checkpoint-every", c.checkpointEvery, "Optimiser steps between checkpoints")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{100000000}));
    cmd->add_option("--image-every", c.imageEvery, "Steps between TensorBoard prediction grids (0: never)")->capture_default_str()->check(CLI::Range(int64_t{0}, int64_t{100000000}));
    cmd->add_option("--keep", c.keepCheckpoints, "Step checkpoints kept (best.pt besides)")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1000}));
    addLoaderOptions(cmd, c.augment, c.workers, c.prefetch);
    cmd->add_option("--device", c.device, "auto (CUDA when available), cpu or cuda")->capture_default_str()->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->add_option("--threads", c.threads, "Torch CPU threads (0: torch's default); fix it for bit-exact resumes")->capture_default_str()->check(CLI::Range(0, 1024));
    cmd->add_flag("--resume", c.resume, "Continue the run in --out from its last checkpoint (same options)");
    cmd->add_option("--progress", args->progress, "auto (bar on a terminal), bar, json (JSON lines on stderr) or none")->capture_default_str();
    cmd->callback([args] {
        const int rc = runTrain(*args);
        if (rc != 0) std::exit(rc);
    });
}

}  // namespace synthforge::cli
