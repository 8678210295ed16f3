#pragma once
// What the two CLI executables share: the top-level app, the exit-code
// policy, and the list of commands that need LibTorch.
//
// `synthforge` is the front end and does not link LibTorch, so that head,
// render and generate start in milliseconds. The commands listed in
// kTorchCommands live in the sibling executable `synthforge-torch`; the front
// end lists them in its help and execv()s the sibling with the unchanged
// argv when one of them is asked for (app/cli/forward_to_torch.cpp). Their
// options are defined once, in the torch_*_commands.cpp files.
//
// Exit codes: 0 success, 1 failure (the message names the file and field),
// 2 bad usage.

#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

#include "app/cli/cli_schema.h"
#include "app/cli/run_recording.h"

namespace synthforge::cli {

struct CommandSummary {
    const char* name;
    const char* description;
};

/// Commands run by synthforge-torch, in help order.
inline constexpr CommandSummary kTorchCommands[] = {
    {"train", "Train the Stage I multi-task network on a generated dataset"},
    {"finetune", "Stage II: train label heads on a real benchmark over a frozen Stage I network"},
    {"eval", "Evaluate a trained run (NME, per-class F1/IoU, depth L1) on a dataset"},
    {"predict", "Run a trained network on your own images: landmarks, segmentation, depth and overlays"},
    {"fr", "Face recognition: train an IResNet with a margin head, verification benchmarks, embeddings"},
    {"transfer", "Realism transfer: train an unpaired translator (CycleGAN) and apply it to a dataset"},
    {"align", "Fit the head mesh to a generator's density: the FLAME-to-world correction generate applies"},
};

/// Help text of a torch command; throws std::logic_error for a name not in kTorchCommands.
inline const char* torchCommandDescription(const char* name) {
    for (const CommandSummary& c : kTorchCommands)
        if (std::strcmp(c.name, name) == 0) return c.description;
    throw std::logic_error(std::string("torch command '") + name + "' is not in kTorchCommands");
}

/// Top-level settings that both executables share, so that --help, --version
/// and usage messages read the same whichever process prints them.
inline void configureApp(CLI::App& app) {
    app.description("SynthForge: synthetic face datasets with 3D-consistent annotations");
    app.set_version_flag("--version", std::string("synthforge ") + SYNTHFORGE_VERSION);
    app.require_subcommand(1);
}

/// Parses and runs the chosen command; returns the process exit code.
/// Every command registered by now answers --help-json (app/cli/cli_schema.h).
inline int parseAndRun(CLI::App& app, int argc, char** argv) {
    processArgv() = jobs::argvStrings(argc, argv);
    addHelpJsonFlags(app);
    try {
        app.parse(argc, argv);
    } catch (const HelpJsonRequested& e) {
        std::cout << commandSchema(*e.command).dump(2) << "\n";
        return 0;
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

}  // namespace synthforge::cli
