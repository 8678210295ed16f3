#pragma once
// Running a network's PyTorch twin (tools/*.py) from a C++ parity test:
// Debian's interpreter, .npy outputs back as tensors, the largest difference.

#include <cstdlib>
#include <filesystem>
#include <string>

#include <torch/torch.h>

#include "core/io/npy.h"

namespace synthforge::testutil::twin {

inline double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

inline torch::Tensor npyToTensor(const std::filesystem::path& path) {
    const auto c = io::loadNpyFile(path.string());
    auto values = c.array.toFloat();
    return torch::from_blob(values.data(), c.array.shape, torch::kFloat32).clone();
}

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
