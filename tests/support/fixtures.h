#pragma once
// Paths of the FLAME-structured fixtures written by
// tests/fixtures/make_flame_fixture.py (CTest fixture "flame_fixture").

#include <filesystem>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>

namespace synthforge::testutil {

inline std::string fixturePath(const std::string& name) {
    return (std::filesystem::path(SYNTHFORGE_FIXTURE_DIR) / name).string();
}

/// A fresh empty directory under the system temp dir, removed by the caller's
/// TempDir destructor.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path = std::filesystem::temp_directory_path() /
               ("synthforge_" + std::string(info ? info->name() : "test") + "_" + std::to_string(::getpid()));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

}  // namespace synthforge::testutil
