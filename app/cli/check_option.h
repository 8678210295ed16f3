#pragma once
// `--check` on the job commands: parse and validate everything the command
// would refuse before it starts work (files, values, the resolved config),
// then print "ok" and exit 0 without running. A refusal is the command's
// usual error and exit code (2 usage, 1 invalid values; app/cli/app_main.h),
// so the studio's launch dialog shows the CLI's own messages.

#include <iostream>

#include <CLI/CLI.hpp>

#include "app/cli/cli_schema.h"

namespace synthforge::cli {

inline void addCheckFlag(CLI::App* cmd, bool& check) {
    cmd->add_flag(kCheckFlag, check, "Only validate the options (and the files they name), print ok and exit");
}

/// What --check prints once everything validated.
inline void printCheckOk() { std::cout << "ok" << std::endl; }

}  // namespace synthforge::cli
