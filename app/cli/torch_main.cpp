// synthforge-torch: the LibTorch half of the CLI. The `synthforge` front end
// execv()s it with its own argv for train, finetune, eval and predict, so usage, help
// and exit codes (app/cli/app_main.h) are exactly those of `synthforge`.

#include "app/cli/app_main.h"
#include "app/cli/commands.h"

int main(int argc, char** argv) {
    CLI::App app;
    synthforge::cli::configureApp(app);
    synthforge::cli::registerTrainCommands(app);
    synthforge::cli::registerFinetuneCommands(app);
    synthforge::cli::registerEvalCommands(app);
    synthforge::cli::registerPredictCommands(app);
    synthforge::cli::registerFrCommands(app);
    synthforge::cli::registerTransferCommands(app);
    // `generate`, `render`, `density` and `explore` are the front end's; they
    // run here only when they need LibTorch (the guided sampler's network, a
    // TorchScript generator, the rejection check): the front end re-runs
    // itself as this.
    synthforge::cli::registerGenerateCommands(app);
    synthforge::cli::registerSampleRenderCommands(app);
    synthforge::cli::registerDensityCommands(app);
    synthforge::cli::registerExploreCommands(app);
    synthforge::cli::registerAlignCommands(app);
    synthforge::cli::installGuidedSampler();
    synthforge::cli::installTorchGenerators();
    return synthforge::cli::parseAndRun(app, argc, argv);
}
