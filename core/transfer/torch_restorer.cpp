#include "core/transfer/torch_restorer.h"

#include <torch/torch.h>

#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace synthforge::transfer {

TorchScriptRestorer::TorchScriptRestorer(const std::string& path, const torch::Device& device)
    : path_(path), device_(device) {
    try {
        module_ = torch::jit::load(path, device);
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": not a TorchScript module (" + std::string(e.what()).substr(0, 200) + ")");
    }
    module_.eval();
    torch::Tensor y;
    try {
        torch::NoGradGuard no;
        y = run(torch::zeros({1, 3, kSide, kSide}, torch::TensorOptions().device(device)), 0.5);
    } catch (const std::runtime_error&) {
        throw;
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": forward(image [1,3,512,512], w: float tensor) failed; a restorer must take "
                                 "an image and a fidelity weight (" + std::string(e.what()).substr(0, 300) + ")");
    }
    if (y.dim() != 4 || y.size(0) != 1 || y.size(1) != 3 || y.size(2) != kSide || y.size(3) != kSide)
        throw std::runtime_error(path + ": forward returned a tensor of shape " + std::to_string(y.dim()) +
                                 "-d, not [1,3,512,512]");
}

torch::Tensor TorchScriptRestorer::run(const torch::Tensor& x, double w) {
    const torch::jit::IValue out =
        module_.forward({x, torch::scalar_tensor(w, torch::TensorOptions().dtype(torch::kFloat32).device(device_))});
    if (out.isTensor()) return out.toTensor();
    if (out.isTuple() && !out.toTuple()->elements().empty() && out.toTuple()->elements()[0].isTensor())
        return out.toTuple()->elements()[0].toTensor();
    throw std::runtime_error(path_ + ": forward returned neither an image tensor nor a tuple starting with one");
}

cv::Mat TorchScriptRestorer::restore(const cv::Mat& alignedBgr, double w) {
    if (alignedBgr.type() != CV_8UC3 || alignedBgr.rows != kSide || alignedBgr.cols != kSide)
        throw std::invalid_argument("restore: a 512 x 512 8-bit BGR face");
    cv::Mat rgb, f;
    cv::cvtColor(alignedBgr, rgb, cv::COLOR_BGR2RGB);
    rgb.convertTo(f, CV_32FC3, 1.0 / 127.5, -1.0);
    const torch::Tensor x =
        torch::from_blob(f.data, {1, kSide, kSide, 3}, torch::kFloat32).permute({0, 3, 1, 2}).contiguous().to(device_);
    torch::NoGradGuard no;
    const torch::Tensor y = run(x, w).detach().to(torch::kCPU, torch::kFloat32)[0].permute({1, 2, 0}).contiguous();
    const cv::Mat yf(kSide, kSide, CV_32FC3, y.data_ptr<float>());
    cv::Mat u8, bgr;
    yf.convertTo(u8, CV_8UC3, 127.5, 127.5);
    cv::cvtColor(u8, bgr, cv::COLOR_RGB2BGR);
    return bgr;
}

}  // namespace synthforge::transfer
