#pragma once
// Each command group registers its CLI11 subcommands here. Errors thrown from
// a command callback become exit code 1 with the message on stderr; usage
// errors are exit code 2 (app/cli/app_main.h).

#include <CLI/CLI.hpp>

namespace synthforge::cli {

/// The `head` command group, created on first use, so that each file can add
/// its subcommands in any registration order.
CLI::App* headGroup(CLI::App& app);

void registerHeadCommands(CLI::App& app);
/// `head render`; call after registerHeadCommands (it adds to the `head` group).
void registerRenderCommands(CLI::App& app);
/// `head labels`; call after registerHeadCommands (it adds to the `head` group).
void registerLabelCommands(CLI::App& app);
/// `generate`: datasets.
void registerGenerateCommands(CLI::App& app);
/// `render`: one or a few samples with overlays, for a quick look.
void registerSampleRenderCommands(CLI::App& app);
void registerRunsCommands(CLI::App& app);
/// `explore grid` and `explore coverage` (core/generate/explore, core/dataset/coverage.h).
void registerExploreCommands(CLI::App& app);
/// `density`: the generator's density on a grid, its iso-surface and distances to the mesh (core/align/).
void registerDensityCommands(CLI::App& app);
/// `launch --nproc N -- <command>`: N ranks of a distributed job (core/train/process_launcher.h).
void registerLaunchCommands(CLI::App& app);
// The commands below need LibTorch and are built into synthforge-torch only
// (app/cli/app_main.h); their help text comes from kTorchCommands.

/// `train`: Stage I training runs (core/train/trainer.h).
void registerTrainCommands(CLI::App& app);
/// `finetune`: Stage II label fine-tuning (core/train/finetune.h).
void registerFinetuneCommands(CLI::App& app);
/// `eval`: metrics of a trained run on a dataset (core/train/evaluator.h).
void registerEvalCommands(CLI::App& app);
/// `predict`: a trained run on the user's own images (core/train/predictor.h).
void registerPredictCommands(CLI::App& app);
void registerFrCommands(CLI::App& app);
/// `transfer train|apply` (torch_transfer_commands.cpp).
void registerTransferCommands(CLI::App& app);

/// In synthforge-torch: lets `generate` build the guided sampler (guided_sampler_hook.h).
void installGuidedSampler();
/// In synthforge-torch: lets the pipeline load TorchScript generators (pipeline_options.h).
void installTorchGenerators();
/// `align`: fit the FLAME -> generator-world correction (core/align/alignment_solver.h).
void registerAlignCommands(CLI::App& app);

/// In the front end: the kTorchCommands (`train`, `finetune`, `eval`, `predict`) as stand-ins that execv()
/// synthforge-torch (found next to this executable) with `argv` unchanged.
void registerTorchCommandForwarders(CLI::App& app, char** argv);

}  // namespace synthforge::cli
