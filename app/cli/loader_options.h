#pragma once
// The data-loading options that `train` and `finetune` share, registered in
// one place so that their names, ranges and help stay the same.

#include <string>

#include <CLI/CLI.hpp>

namespace synthforge::cli {

inline void addLoaderOptions(CLI::App* cmd, std::string& augment, int& workers, int& prefetch) {
    cmd->add_option("--augment", augment, "Augmentation: none, default, or a JSON config file (docs/augmentation.md)")
        ->capture_default_str();
    cmd->add_option("--workers", workers,
                    "Data loader threads (0: load on the training thread; results do not depend on it)")
        ->capture_default_str()
        ->check(CLI::Range(0, 64));
    cmd->add_option("--prefetch", prefetch, "Batches loaded ahead")->capture_default_str()->check(CLI::Range(1, 256));
}

}  // namespace synthforge::cli
