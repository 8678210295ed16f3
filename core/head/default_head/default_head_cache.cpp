// Caching of the default head as .safetensors, so that building it (PCA over
// a population) happens once per machine and version.

#include <cstdlib>
#include <filesystem>
#include <iostream>

#ifndef SYNTHFORGE_DEFAULT_HEAD_CODE_HASH
#define SYNTHFORGE_DEFAULT_HEAD_CODE_HASH "dev"
#endif

#include "core/head/default_head/default_head.h"
#include "core/head/head_model_io.h"

namespace synthforge::head {

std::string defaultHeadCachePath() {
    namespace fs = std::filesystem;
    fs::path dir;
    if (const char* d = std::getenv("SYNTHFORGE_CACHE_DIR"); d && *d) {
        dir = d;
    } else if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
        dir = fs::path(x) / "synthforge";
    } else if (const char* h = std::getenv("HOME"); h && *h) {
        dir = fs::path(h) / ".cache" / "synthforge";
    } else {
        dir = fs::temp_directory_path() / "synthforge";
    }
    // The code hash (set by CMake from the sources that build the head) keeps
    // a cache from an older build from being mistaken for this one.
    return (dir / ("default_head_v" + std::to_string(kDefaultHeadVersion) + "_" + SYNTHFORGE_DEFAULT_HEAD_CODE_HASH +
                   ".safetensors"))
        .string();
}

HeadModel loadDefaultHead() {
    const std::string path = defaultHeadCachePath();
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) {
        try {
            return loadHeadModel(path);
        } catch (const std::exception& e) {
            // A corrupt cache is rebuilt, never trusted.
            std::cerr << "warning: ignoring unreadable default head cache: " << e.what() << "\n";
        }
    }
    HeadModel model = buildDefaultHead();
    try {
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        saveHeadModel(path, model);
    } catch (const std::exception& e) {
        std::cerr << "warning: could not cache the default head: " << e.what() << "\n";
    }
    return model;
}

}  // namespace synthforge::head
