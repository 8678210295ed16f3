#pragma once
// Each command group registers its CLI11 subcommands here. Errors thrown from
// a command callback become exit code 1 with the message on stderr; usage
// errors are exit code 2 (see main.cpp).

#include <CLI/CLI.hpp>

namespace synthforge::cli {

void registerHeadCommands(CLI::App& app);
/// `head render`; call after registerHeadCommands (it adds to the `head` group).
void registerRenderCommands(CLI::App& app);
/// `head labels`; call after registerHeadCommands (it adds to the `head` group).
void registerLabelCommands(CLI::App& app);

}  // namespace synthforge::cli
