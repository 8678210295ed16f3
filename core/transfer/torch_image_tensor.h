#pragma once
// One RGB float image (H x W, CV_32FC3, values in [-1, 1]) to and from a
// 3 x H x W tensor, for the translators' inputs and outputs. Torch types
// appear here, so only torch_*.cpp files may include it.

#include <torch/torch.h>

#include <opencv2/core.hpp>

namespace synthforge::transfer {

/// A copy of `rgbFloat` as 3 x H x W float32.
inline torch::Tensor rgbFloatToTensor(const cv::Mat& rgbFloat) {
    return torch::from_blob(const_cast<float*>(rgbFloat.ptr<float>()), {rgbFloat.rows, rgbFloat.cols, 3}, torch::kFloat32)
        .permute({2, 0, 1})
        .clone();
}

/// A 3 x H x W tensor (any device, any float type) as an H x W CV_32FC3 copy.
inline cv::Mat tensorToRgbFloat(const torch::Tensor& chw) {
    const torch::Tensor hwc = chw.detach().to(torch::kCPU, torch::kFloat32).permute({1, 2, 0}).contiguous();
    return cv::Mat(static_cast<int>(hwc.size(0)), static_cast<int>(hwc.size(1)), CV_32FC3, hwc.data_ptr<float>()).clone();
}

}  // namespace synthforge::transfer
