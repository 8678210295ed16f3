// synthforge: the headless command-line tool.
//
// Exit codes follow the project convention: 0 success, 1 failure (the
// message names the file and field), 2 bad usage.

#include <iostream>

#include "app/cli/commands.h"

int main(int argc, char** argv) {
    CLI::App app{"SynthForge: synthetic face datasets with 3D-consistent annotations"};
    app.set_version_flag("--version", std::string("synthforge ") + SYNTHFORGE_VERSION);
    app.require_subcommand(1);
    synthforge::cli::registerHeadCommands(app);
    synthforge::cli::registerRenderCommands(app);
    synthforge::cli::registerLabelCommands(app);
    synthforge::cli::registerGenerateCommands(app);
    synthforge::cli::registerSampleRenderCommands(app);
    synthforge::cli::registerTrainCommands(app);
    synthforge::cli::registerFinetuneCommands(app);
    synthforge::cli::registerEvalCommands(app);
    try {
        app.parse(argc, argv);
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
