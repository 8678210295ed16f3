#pragma once
// The head-parameter options shared by every command that poses a head
// (`head pose`, `head render`): --params, --shape, --expr, --pose, --transl.

#include <string>

#include <CLI/CLI.hpp>

#include "core/head/head_model.h"

namespace synthforge::cli {

struct ParamOptions {
    std::string paramsFile, shape, expr, pose, transl;

    /// Registers the five options on `cmd`.
    void addTo(CLI::App* cmd);
    /// The parameters: the JSON file's, overridden by any value given on the
    /// command line. Throws std::invalid_argument / std::runtime_error naming
    /// the option or the file.
    head::HeadParams resolve() const;
};

}  // namespace synthforge::cli
