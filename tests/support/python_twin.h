#pragma once
// Running a network's PyTorch twin (tools/*.py) from a C++ parity test:
// Debian's interpreter, .npy outputs back as tensors, the largest difference.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <torch/torch.h>

#include "core/io/npy.h"
#include "tests/support/python_tools.h"

namespace synthforge::testutil::twin {

inline double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

inline torch::Tensor npyToTensor(const std::filesystem::path& path) {
    const auto c = io::loadNpyFile(path.string());
    auto values = c.array.toFloat();
    return torch::from_blob(values.data(), c.array.shape, torch::kFloat32).clone();
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
