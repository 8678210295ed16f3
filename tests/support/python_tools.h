#pragma once
// Finding Debian's python3 (with python3-torch) and our tools/ scripts from
// tests, without torch headers (CLI tests use these too).

#include <cstdlib>
#include <filesystem>
#include <string>

namespace synthforge::testutil::twin {

/// Debian's interpreter: the one python3-torch installs into (a pyenv
/// python3 earlier on PATH would not see it).
inline std::string python() {
    if (const char* p = std::getenv("SYNTHFORGE_PYTHON3")) return p;
    return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

/// tools/<name>, found from the test data directory (lexically, so that it
/// works where tests/data does not exist).
inline std::filesystem::path toolScript(const std::string& name) {
    return std::filesystem::path(SYNTHFORGE_TEST_DATA_DIR).parent_path().parent_path() / "tools" / name;
}

}  // namespace synthforge::testutil::twin
