// TensorBoard preview grid (core/train/torch_preview.h). Kept cheap: one
// forward pass of at most a handful of samples and CPU drawing at tile size.

#include "core/train/torch_preview.h"

#include <torch/torch.h>

#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "core/annotate/overlays.h"
#include "core/train/torch_evaluator.h"

namespace synthforge::train {

cv::Mat toBgr(const torch::Tensor& image) {
    const torch::Tensor u8 = ((image.detach().to(torch::kCPU, torch::kFloat32) + 1.0) * 127.5)
                                 .round().clamp(0, 255).to(torch::kUInt8).permute({1, 2, 0}).contiguous();
    const cv::Mat rgb(static_cast<int>(u8.size(0)), static_cast<int>(u8.size(1)), CV_8UC3, u8.data_ptr<uint8_t>());
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);  // copies out of the tensor
    return bgr;
}

cv::Mat predictionGrid(const torch::Tensor& images, const PredictionTensors& y, const annotate::ClassTable* classes,
                       int tileSize) {
    const int64_t b = images.size(0), s = images.size(2);
    const bool withSeg = y.segmentation.defined(), withDepth = y.depth.defined();
    if (withSeg && !classes) throw std::invalid_argument("predictionGrid: a segmentation needs a class table");
    torch::Tensor seg, depth;
    if (withSeg) seg = y.segmentation.detach().argmax(1).to(torch::kCPU, torch::kUInt8).contiguous();
    if (withDepth) depth = y.depth.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    std::vector<cv::Mat> tiles;
    for (int64_t k = 0; k < b; ++k) {
        const cv::Mat input = toBgr(images[k]);
        tiles.push_back(y.landmarks.defined() ? annotate::drawLandmarks(input, landmarksToPixels(y.landmarks[k], s), {})
                                              : input);
        cv::Mat ids;
        if (withSeg) {
            ids = cv::Mat(static_cast<int>(s), static_cast<int>(s), CV_8UC1, seg[k].data_ptr<uint8_t>());
            tiles.push_back(annotate::colorizeSegmentation(ids, *classes));
        }
        if (withDepth) {
            // Depth only where the net sees a face: depthColormap treats 0 as background.
            cv::Mat d =
                cv::Mat(static_cast<int>(s), static_cast<int>(s), CV_32FC1, depth[k][0].data_ptr<float>()).clone();
            if (withSeg) d.setTo(0.0f, ids == 0);
            tiles.push_back(annotate::depthColormap(d));
        }
    }
    const int columns = 1 + (withSeg ? 1 : 0) + (withDepth ? 1 : 0);
    return annotate::contactSheet(tiles, columns, tileSize);
}

cv::Mat predictionGrid(MultiTaskNet& net, const torch::Tensor& images, const annotate::ClassTable& classes,
                       int tileSize) {
    const bool wasTraining = net->is_training();
    net->eval();
    MultiTaskOutput y;
    {
        torch::NoGradGuard noGrad;
        y = net->forward(images);
    }
    if (wasTraining) net->train();
    return predictionGrid(images, {y.landmarks, y.segmentation, y.depth}, &classes, tileSize);
}

}  // namespace synthforge::train
