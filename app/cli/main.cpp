// synthforge: the headless command-line tool (front end, no LibTorch).
//
// train, finetune and eval run in synthforge-torch, which this executable
// execv()s for them (app/cli/forward_to_torch.cpp); everything else runs
// here. Exit codes: app/cli/app_main.h.

#include "app/cli/app_main.h"
#include "app/cli/commands.h"

int main(int argc, char** argv) {
    CLI::App app;
    synthforge::cli::configureApp(app);
    synthforge::cli::registerHeadCommands(app);
    synthforge::cli::registerRenderCommands(app);
    synthforge::cli::registerLabelCommands(app);
    synthforge::cli::registerGenerateCommands(app);
    synthforge::cli::registerSampleRenderCommands(app);
    synthforge::cli::registerRunsCommands(app);
    synthforge::cli::registerExploreCommands(app);
    synthforge::cli::registerDensityCommands(app);
    synthforge::cli::registerLaunchCommands(app);
    synthforge::cli::registerTorchCommandForwarders(app, argv);
    return synthforge::cli::parseAndRun(app, argc, argv);
}
