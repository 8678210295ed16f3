#pragma once
// Running a network's PyTorch twin (tools/*.py) from a C++ parity test:
// Debian's interpreter, .npy outputs back as tensors, the largest difference.

#include <gtest/gtest.h>

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

/// Runs `tools/<script> run --weights W --input x.npy --out DIR/py` on `x`
/// (written to DIR/input.npy) and returns DIR/py/<output>. Fails the
/// calling test when the script does not exit 0.
inline torch::Tensor runTwin(const std::string& script, const std::string& weights, const torch::Tensor& x,
                             const std::filesystem::path& dir, const std::string& output) {
    const torch::Tensor c = x.contiguous();
    std::vector<float> xs(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    io::saveNpyFile((dir / "input.npy").string(), io::NdArray::fromFloat(xs, c.sizes().vec()));
    const std::string cmd = python() + " '" + toolScript(script).string() + "' run --weights '" + weights +
                            "' --input '" + (dir / "input.npy").string() + "' --out '" + (dir / "py").string() + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return npyToTensor(dir / "py" / output);
}

/// Elements over all parameters of a module.
inline int64_t parameterCount(torch::nn::Module& m) {
    int64_t n = 0;
    for (const auto& p : m.parameters()) n += p.numel();
    return n;
}

}  // namespace synthforge::testutil::twin
