#pragma once
// Paths of the FLAME-structured fixtures written by
// tests/fixtures/make_flame_fixture.py (CTest fixture "flame_fixture").

#include <atomic>
#include <filesystem>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>

namespace synthforge::testutil {

inline std::string fixturePath(const std::string& name) {
    return (std::filesystem::path(SYNTHFORGE_FIXTURE_DIR) / name).string();
}

/// A fresh empty directory under the system temp dir, removed by the caller's
/// TempDir destructor. Each one is its own: the name carries the test, the
/// process and a running number, so two in one test never share (they did,
/// and a second TempDir emptied the first one's files under it).
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        static std::atomic<unsigned> counter{0};
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path = std::filesystem::temp_directory_path() /
               ("synthforge_" + std::string(info ? info->name() : "test") + "_" + std::to_string(::getpid()) + "_" +
                std::to_string(counter++));
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
