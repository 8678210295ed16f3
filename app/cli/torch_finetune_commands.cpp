// `synthforge finetune`: Stage II label fine-tuning (core/train/finetune.h)
// with a progress bar or JSON-lines progress; Ctrl+C writes a checkpoint of
// the current step and exits 130, and --resume continues exactly.

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "app/cli/app_main.h"
#include "app/cli/check_option.h"
#include "app/cli/commands.h"
#include "app/cli/training_command.h"
#include "core/train/augment.h"
#include "core/train/finetune.h"

namespace synthforge::cli {

namespace {

struct FinetuneArgs {
    train::FinetuneConfig config;
    std::string progress = "auto";
    bool check = false;
};

int runFinetune(const FinetuneArgs& a) {
    if (a.check) {
        // Every value check of the job, then the Stage I weights
        // (config.json's identity names them) and the data folder.
        train::validateFinetuneConfig(a.config);
        train::resolveAugment(a.config.augment);
        (void)a.config.toJson();
        if (!std::filesystem::is_directory(a.config.data)) throw std::runtime_error(a.config.data + ": no such folder");
        printCheckOk();
        return 0;
    }
    const std::optional<train::FinetuneResult> done = runTrainingJob(
        a.progress, a.config.out, "finetune", a.config.resume,
        [&](jobs::ProgressSink* sink, const jobs::CancelToken* cancel) { return train::finetuneStageTwo(a.config, sink, cancel); });
    if (!done) return 130;
    const train::FinetuneResult& r = *done;
    std::cout << "fine-tuned " << r.steps << " steps on " << r.trainSamples << " samples (" << r.valSamples
              << " validate; " << r.split << ")";
    if (r.resumedFrom > 0) std::cout << ", resumed from step " << r.resumedFrom;
    std::cout << ", last loss " << r.lastLoss << "; heads: " << r.finalWeights << "\n";
    return 0;
}

}  // namespace

void registerFinetuneCommands(CLI::App& app) {
    auto args = std::make_shared<FinetuneArgs>();
    train::FinetuneConfig& c = args->config;
    CLI::App* cmd = app.add_subcommand("finetune", torchCommandDescription("finetune"));
    cmd->add_option("--data", c.data, "Benchmark folder in its official layout")->required()->type_name("DIR");
    cmd->add_option("--format", c.format, std::string("Benchmark: ") + train::finetuneFormats())->required();
    cmd->add_option("--stage1", c.stage1, "Stage I weights (.safetensors) or `synthforge train` run directory")
        ->required()
        ->type_name("DIR");
    cmd->add_option("--out", c.out, "Run directory")->required()->type_name("DIR");
    cmd->add_option("--classes", c.numClasses, "Expected class count (0: the format's); a mismatch is an error")
        ->capture_default_str();
    cmd->add_flag("--use-features", c.useFeatures, "Also feed the Stage I backbone features to the heads");
    cmd->add_option("--epochs", c.epochs, "Epochs")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1000000}));
    cmd->add_option("--batch", c.batch, "Samples per batch")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{4096}));
    cmd->add_option("--size", c.size, "Square crop resolution (>= 64)")->capture_default_str()->check(CLI::Range(int64_t{64}, int64_t{4096}));
    cmd->add_option("--margin", c.margin, "Crop margin per side, fraction of the face box's longer side")->capture_default_str();
    cmd->add_option("--lr", c.lr, "Learning rate (cosine to --min-lr)")->capture_default_str();
    cmd->add_option("--min-lr", c.minLr, "End of the cosine schedule")->capture_default_str();
    cmd->add_option("--depth-weight", c.depthWeight, "Depth loss weight (used only where a depth target exists)")->capture_default_str();
    cmd->add_option("--seg-weight", c.segWeight, "Segmentation loss weight")->capture_default_str();
    cmd->add_option("--kps-weight", c.kpsWeight, "Landmark loss weight (L2 + heatmap cross-entropy)")->capture_default_str();
    cmd->add_option("--seed", c.seed, "Seed (head weights, sample order, augmentation draws)")->capture_default_str();
    addLoaderOptions(cmd, c.augment, c.workers, c.prefetch);
    cmd->add_option("--checkpoint-every", c.checkpointEvery, "Optimiser steps between checkpoints")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{100000000}));
    cmd->add_option("--image-every", c.imageEvery, "Steps between TensorBoard prediction grids (0: never)")->capture_default_str()->check(CLI::Range(int64_t{0}, int64_t{100000000}));
    cmd->add_option("--keep", c.keepCheckpoints, "Step checkpoints kept (best.pt besides)")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1000}));
    cmd->add_option("--precision", c.precision, "Forward passes in fp32, or bf16 (autocast mixed precision: faster on CPUs with AVX-512 BF16/AMX and on recent GPUs, emulated and slower elsewhere)")
        ->capture_default_str()
        ->check(CLI::IsMember({"fp32", "bf16"}));
    cmd->add_option("--device", c.device, "auto (CUDA when available), cpu or cuda")->capture_default_str()->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->add_option("--threads", c.threads, "Torch CPU threads (0: torch's default); fix it for bit-exact resumes")->capture_default_str()->check(CLI::Range(0, 1024));
    cmd->add_flag("--resume", c.resume, "Continue the run in --out from its last checkpoint (same options)");
    addDistributedOptions(cmd, c.syncBatchNorm, c.distTimeout);
    cmd->add_option("--progress", args->progress, "auto (bar on a terminal), bar, json (JSON lines on stderr) or none")->capture_default_str();
    addCheckFlag(cmd, args->check);
    cmd->callback([args] {
        const int rc = runFinetune(*args);
        if (rc != 0) std::exit(rc);
    });
}

}  // namespace synthforge::cli
