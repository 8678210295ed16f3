#pragma once
// Non-throwing folder and file tests for the dataset readers: a path that
// cannot be inspected (permissions, a dangling link) is treated as absent,
// and the reader then reports what it expected to find there.

#include <filesystem>

namespace synthforge::dataset {

inline bool isDir(const std::filesystem::path& p) {
    std::error_code ec;
    return std::filesystem::is_directory(p, ec);
}

inline bool isFile(const std::filesystem::path& p) {
    std::error_code ec;
    return std::filesystem::is_regular_file(p, ec);
}

}  // namespace synthforge::dataset
