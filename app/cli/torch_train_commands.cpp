// `synthforge train`: a Stage I run (core/train/trainer.h) with a progress
// bar or JSON-lines progress; Ctrl+C writes a checkpoint of the current step
// and exits 130, and --resume continues exactly where the run stopped.
//
// Settings resolve in three layers: the recipe (--recipe, else the config
// file's, else fast), then --config FILE (config.json's schema, so a run is
// re-run from its own config.json), then every option given on the command
// line. Each option is bound to a scratch config and copied over the
// resolved one only when the user gave it, so CLI11's defaults never mask a
// file's values.
//
// --find-lr runs the learning-rate range test instead of a run.

#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "app/cli/app_main.h"
#include "app/cli/check_option.h"
#include "app/cli/commands.h"
#include "app/cli/training_command.h"
#include "core/train/distributed_env.h"
#include "core/train/torch_synthforge_data.h"
#include "core/train/trainer.h"

namespace synthforge::cli {

namespace {

using Copy = std::function<void(train::TrainConfig& to, const train::TrainConfig& from)>;

struct TrainArgs {
    train::TrainConfig given;                           ///< what the options parse into
    std::vector<std::pair<CLI::Option*, Copy>> fields;  ///< option -> copy of its field
    std::string configFile;
    std::string recipe;
    std::string progress = "auto";
    bool findLr = false;
    bool check = false;
    train::LrRangeConfig range;

    train::TrainConfig resolve() const {
        train::TrainConfig c = configFile.empty() ? train::trainRecipe(recipe.empty() ? "fast" : recipe)
                                                  : train::readTrainConfigFile(configFile, recipe);
        for (const auto& [option, copy] : fields)
            if (option->count() > 0) copy(c, given);
        return c;
    }
};

/// Binds `flag` to the field `get(config)` of the scratch config.
template <typename Get>
CLI::Option* field(CLI::App* cmd, TrainArgs& a, const std::string& flag, Get get, const std::string& help) {
    CLI::Option* o = cmd->add_option(flag, get(a.given), help)->capture_default_str();
    a.fields.emplace_back(o, [get](train::TrainConfig& to, const train::TrainConfig& from) {
        get(to) = get(const_cast<train::TrainConfig&>(from));
    });
    return o;
}

#define SF_FIELD(expr) [](train::TrainConfig& c) -> auto& { return expr; }

int runTrain(const TrainArgs& a) {
    const train::TrainConfig c = a.resolve();
    if (c.data.empty()) throw std::invalid_argument("data: required (--data, or a --config file that names it)");
    if (a.check) {
        // What a run refuses before it writes anything: the values, the
        // augmentation file, the dataset's manifest.
        train::validateTrainConfig(c);
        train::resolveAugment(c.augment);
        const train::SynthForgeDataset data(c.data, c.size);
        train::trainingSamplesFor(c, data.size());
        printCheckOk();
        return 0;
    }
    if (a.findLr) {
        // The range test is one process: its sweep would otherwise be
        // written by every rank into the same files.
        if (train::distributedEnvironment().distributed())
            throw std::invalid_argument("--find-lr: the range test runs as one process, not under a launcher "
                                        "(WORLD_SIZE is set)");
        const auto done = runTrainingJob(a.progress, c.out, "lr-find", true, [&](jobs::ProgressSink* sink, const jobs::CancelToken* cancel) {
            return train::findLearningRate(c, a.range, sink, cancel);
        });
        if (!done) return 130;
        std::cout << "swept " << done->lr.size() << " steps from " << done->lr.front() << " to " << done->lr.back()
                  << (done->diverged ? " (stopped: the loss diverged)" : "") << "\n";
        if (done->suggestionIndex >= 0)
            std::cout << "suggested lr: " << done->suggestion << " (steepest descent of the smoothed loss)\n";
        std::cout << "wrote " << done->csv << ", " << done->png << ", " << done->json << "\n";
        return 0;
    }
    const std::optional<train::TrainResult> done = runTrainingJob(
        a.progress, c.out, "train", c.resume,
        [&](jobs::ProgressSink* sink, const jobs::CancelToken* cancel) { return train::trainStageOne(c, sink, cancel); });
    if (!done) return 130;
    const train::TrainResult& r = *done;
    std::cout << "trained " << r.steps << " steps";
    if (r.resumedFrom > 0) std::cout << " (resumed from step " << r.resumedFrom << ")";
    if (r.stoppedEarly) std::cout << " (stopped early: no improvement in " << c.earlyStopPatience << " validations)";
    std::cout << ", last loss " << r.lastLoss << "; weights: " << r.finalWeights << "\n";
    if (r.bestStep >= 0)
        std::cout << "best " << c.bestMetric << " " << r.bestScore << " at step " << r.bestStep << ": " << r.bestWeights
                  << "\n";
    return 0;
}

}  // namespace

void registerTrainCommands(CLI::App& app) {
    auto args = std::make_shared<TrainArgs>();
    TrainArgs& a = *args;
    CLI::App* cmd = app.add_subcommand("train", torchCommandDescription("train"));
    cmd->add_option("--config", a.configFile,
                    "Settings file in config.json's schema (a run's own config.json re-runs it); options given "
                    "here override it")
        ->check(CLI::ExistingFile);
    cmd->add_option("--recipe", a.recipe, "Starting settings: fast (default; learns within minutes on a CPU; the defaults shown below are its) or paper (SynthForge's)")
        ->check(CLI::IsMember({"fast", "paper"}));
    field(cmd, a, "--data", SF_FIELD(c.data), "Dataset folder (synthforge generate)")->type_name("DIR");
    cmd->add_option("--out", a.given.out, "Run directory (with --find-lr: where lr_find.* go)")->required()->type_name("DIR");
    a.fields.emplace_back(cmd->get_option("--out"), [](train::TrainConfig& to, const train::TrainConfig& from) { to.out = from.out; });
    field(cmd, a, "--preset", SF_FIELD(c.preset), "Network preset")->check(CLI::IsMember({"small", "reference"}));
    field(cmd, a, "--epochs", SF_FIELD(c.epochs), "Epochs")->check(CLI::Range(int64_t{1}, int64_t{1000000}));
    field(cmd, a, "--batch", SF_FIELD(c.batch), "Samples per micro-batch")->check(CLI::Range(int64_t{1}, int64_t{4096}));
    field(cmd, a, "--size", SF_FIELD(c.size), "Square training resolution (>= 64; multiples of 64 keep every level aligned)")
        ->check(CLI::Range(int64_t{64}, int64_t{4096}));
    field(cmd, a, "--accumulate", SF_FIELD(c.accumulate), "Micro-batches per optimiser step")->check(CLI::Range(int64_t{1}, int64_t{4096}));
    field(cmd, a, "--seed", SF_FIELD(c.seed), "Seed (weights, sample order, augmentation draws)");
    // Optimiser and schedule
    cmd->option_defaults()->group("Optimiser and schedule");
    field(cmd, a, "--lr", SF_FIELD(c.lr), "Peak learning rate of the heads (after warm-up)");
    field(cmd, a, "--backbone-lr-scale", SF_FIELD(c.backboneLrScale), "The backbone's rate as a multiple of --lr");
    field(cmd, a, "--weight-decay", SF_FIELD(c.weightDecay), "AdamW's decoupled weight decay");
    field(cmd, a, "--beta1", SF_FIELD(c.beta1), "AdamW's first-moment decay");
    field(cmd, a, "--beta2", SF_FIELD(c.beta2), "AdamW's second-moment decay");
    field(cmd, a, "--eps", SF_FIELD(c.eps), "AdamW's epsilon");
    field(cmd, a, "--schedule", SF_FIELD(c.schedule), "Decay after warm-up: cosine, linear, constant or step")
        ->check(CLI::IsMember({"cosine", "linear", "constant", "step"}));
    field(cmd, a, "--milestones", SF_FIELD(c.milestones), "Step schedule: where the rate drops, as fractions of the run");
    field(cmd, a, "--gamma", SF_FIELD(c.gamma), "Step schedule: the factor at each milestone");
    field(cmd, a, "--min-lr", SF_FIELD(c.minLr), "Rate the decay ends at");
    field(cmd, a, "--warmup", SF_FIELD(c.warmupSteps), "Warm-up steps (linear ramp to --lr)")->check(CLI::NonNegativeNumber);
    field(cmd, a, "--grad-clip", SF_FIELD(c.gradClip), "Clip the gradients' global L2 norm to this (0: off)")->check(CLI::NonNegativeNumber);
    // Losses
    cmd->option_defaults()->group("Losses");
    field(cmd, a, "--w-segmentation", SF_FIELD(c.losses.segmentation), "Weight of the segmentation loss");
    field(cmd, a, "--w-dice", SF_FIELD(c.losses.dice), "Weight of the soft Dice loss on the segmentation (0: off)");
    field(cmd, a, "--seg-class-balance", SF_FIELD(c.losses.classBalance),
          "Weigh segmentation pixels by (median class share / class share)^this, per batch (0: plain mean)")
        ->check(CLI::NonNegativeNumber);
    field(cmd, a, "--w-depth", SF_FIELD(c.losses.depth), "Weight of the depth loss");
    field(cmd, a, "--w-keypoints", SF_FIELD(c.losses.keypoints), "Weight of the keypoint L2 loss");
    field(cmd, a, "--w-heatmap", SF_FIELD(c.losses.heatmap), "Weight of the heatmap loss");
    field(cmd, a, "--w-equivariance", SF_FIELD(c.losses.equivariance), "Weight of the affine-equivariance loss (0: off)");
    field(cmd, a, "--heatmap-sigma", SF_FIELD(c.losses.heatmapSigma), "Std of the heatmap targets, heatmap pixels");
    field(cmd, a, "--eqv-max-angle", SF_FIELD(c.losses.maxAngle), "Equivariance rotations: uniform in +-this, radians");
    field(cmd, a, "--eqv-max-shift", SF_FIELD(c.losses.maxShift), "Equivariance shifts: uniform in +-this x height");
    // Validation
    cmd->option_defaults()->group("Validation");
    field(cmd, a, "--val-fraction", SF_FIELD(c.valFraction), "Held-out fraction (the last samples)");
    field(cmd, a, "--val-every", SF_FIELD(c.valEvery), "Steps between validations (0: at every checkpoint)")->check(CLI::NonNegativeNumber);
    field(cmd, a, "--best-metric", SF_FIELD(c.bestMetric), "What picks best.pt: loss, nme, miou or depth_l1")
        ->check(CLI::IsMember({"loss", "nme", "miou", "depth_l1"}));
    field(cmd, a, "--early-stop", SF_FIELD(c.earlyStopPatience), "Stop after this many validations without improvement (0: never)")
        ->check(CLI::NonNegativeNumber);
    field(cmd, a, "--early-stop-min-delta", SF_FIELD(c.earlyStopMinDelta), "Smallest change that counts as an improvement");
    // Checkpoints, loading, device
    cmd->option_defaults()->group("Checkpoints, loading, device");
    field(cmd, a, "--checkpoint-every", SF_FIELD(c.checkpointEvery), "Optimiser steps between checkpoints")
        ->check(CLI::Range(int64_t{1}, int64_t{100000000}));
    field(cmd, a, "--image-every", SF_FIELD(c.imageEvery), "Steps between TensorBoard prediction grids (0: never)")
        ->check(CLI::Range(int64_t{0}, int64_t{100000000}));
    field(cmd, a, "--keep", SF_FIELD(c.keepCheckpoints), "Step checkpoints kept (best.pt besides)")->check(CLI::Range(int64_t{1}, int64_t{1000}));
    field(cmd, a, "--augment", SF_FIELD(c.augment), "Augmentation: none, default, or a JSON config file (docs/augmentation.md)");
    field(cmd, a, "--workers", SF_FIELD(c.workers), "Data loader threads (0: load on the training thread; results do not depend on it)")
        ->check(CLI::Range(0, 64));
    field(cmd, a, "--prefetch", SF_FIELD(c.prefetch), "Batches loaded ahead")->check(CLI::Range(1, 256));
    field(cmd, a, "--precision", SF_FIELD(c.precision), "Forward passes in fp32, or bf16 (autocast mixed precision: faster on CPUs with AVX-512 BF16/AMX and on recent GPUs, emulated and slower elsewhere)")
        ->check(CLI::IsMember({"fp32", "bf16"}));
    field(cmd, a, "--device", SF_FIELD(c.device), "auto (CUDA when available), cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    field(cmd, a, "--threads", SF_FIELD(c.threads), "Torch CPU threads (0: torch's default); fix it for bit-exact resumes")->check(CLI::Range(0, 1024));
    cmd->add_flag("--resume", a.given.resume, "Continue the run in --out from its last checkpoint (same options)");
    a.fields.emplace_back(cmd->get_option("--resume"), [](train::TrainConfig& to, const train::TrainConfig& from) { to.resume = from.resume; });
    const auto [sync, wait] = addDistributedOptions(cmd, a.given.syncBatchNorm, a.given.distTimeout);
    a.fields.emplace_back(sync, [](train::TrainConfig& to, const train::TrainConfig& from) { to.syncBatchNorm = from.syncBatchNorm; });
    a.fields.emplace_back(wait, [](train::TrainConfig& to, const train::TrainConfig& from) { to.distTimeout = from.distTimeout; });
    // The range test
    cmd->option_defaults()->group("Learning-rate range test");
    cmd->add_flag("--find-lr", a.findLr, "Run the learning-rate range test instead of training: writes lr_find.csv/.png/.json into --out");
    cmd->add_option("--find-lr-steps", a.range.steps, "Steps of the range test")->capture_default_str()->check(CLI::Range(int64_t{3}, int64_t{100000}));
    cmd->add_option("--find-lr-min", a.range.minLr, "Start of the sweep")->capture_default_str()->check(CLI::PositiveNumber);
    cmd->add_option("--find-lr-max", a.range.maxLr, "End of the sweep")->capture_default_str()->check(CLI::PositiveNumber);
    // Sections of --help and of the studio's launch dialog.
    cmd->option_defaults()->group("Options");
    cmd->add_option("--progress", a.progress, "auto (bar on a terminal), bar, json (JSON lines on stderr) or none")->capture_default_str();
    addCheckFlag(cmd, a.check);
    cmd->callback([args] {
        const int rc = runTrain(*args);
        if (rc != 0) std::exit(rc);
    });
}

}  // namespace synthforge::cli
