// Caching of the default head as .safetensors, so that building it (PCA over
// a population) happens once per machine and version.

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "core/annotate/label_map_io.h"
#include "core/head/default_head/default_head.h"
#include "core/head/default_head/label_map.h"
#include "core/head/head_model_io.h"
// SYNTHFORGE_DEFAULT_HEAD_CODE_HASH: generated at build time from the code
// that builds the head (core/CMakeLists.txt, cmake/HashSources.cmake).
#include "default_head_code_hash.h"

namespace synthforge::head {

namespace {

std::filesystem::path cacheDir() {
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
    return dir;
}

/// The code hash (set by CMake from the sources that build the head and its
/// label map) keeps a cache from an older build from being mistaken for this one.
std::string cacheStem() {
    return "v" + std::to_string(kDefaultHeadVersion) + "_" + SYNTHFORGE_DEFAULT_HEAD_CODE_HASH;
}

}  // namespace

std::string defaultHeadCachePath() { return (cacheDir() / ("default_head_" + cacheStem() + ".safetensors")).string(); }

HeadModel loadDefaultHead() {
    const std::string path = defaultHeadCachePath();
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) {
        try {
            return loadHeadModelFile(path);
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

cv::Mat loadDefaultLabelMap(const HeadModel& model, int size) {
    const std::string path =
        (cacheDir() / ("default_labels_" + cacheStem() + "_" + std::to_string(size) + ".png")).string();
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) {
        try {
            cv::Mat ids = annotate::loadLabelMap(path);
            if (ids.rows == size && ids.cols == size) return ids;
            std::cerr << "warning: ignoring default label map cache " << path << ": not " << size << " x " << size
                      << "\n";
        } catch (const std::exception& e) {
            std::cerr << "warning: ignoring unreadable default label map cache: " << e.what() << "\n";
        }
    }
    cv::Mat ids = default_head::buildDefaultLabelMap(model, size);
    try {
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        annotate::saveLabelMap(path, ids);
    } catch (const std::exception& e) {
        std::cerr << "warning: could not cache the default label map: " << e.what() << "\n";
    }
    return ids;
}

}  // namespace synthforge::head
