#pragma once
// A face restorer exported to TorchScript (docs/transfer.md, "Restorers"):
// forward(image [B,3,512,512] RGB in [-1,1], w: a 0-dim float tensor, the
// fidelity weight) -> image [B,3,512,512] in [-1,1] (or a tuple whose first
// element is that image, as CodeFormer returns). Torch types appear here,
// so only torch_*.cpp files may include it.

#include <torch/script.h>

#include <string>

#include <opencv2/core.hpp>

namespace synthforge::transfer {

class TorchScriptRestorer {
public:
    static constexpr int kSide = 512;
    /// Loads `path` and checks the contract with one call on a zero image;
    /// std::runtime_error naming the file and what is wrong (not TorchScript,
    /// another signature, another output shape).
    TorchScriptRestorer(const std::string& path, const torch::Device& device);
    /// Restores one aligned kSide x kSide BGR face at fidelity `w`.
    cv::Mat restore(const cv::Mat& alignedBgr, double w);

private:
    torch::Tensor run(const torch::Tensor& x, double w);

    std::string path_;
    torch::Device device_;
    torch::jit::script::Module module_;
};

}  // namespace synthforge::transfer
