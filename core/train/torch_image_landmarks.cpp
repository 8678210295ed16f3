#include "core/train/image_landmarks.h"

#include <torch/torch.h>

#include <memory>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "core/train/crop_similarity.h"
#include "core/train/predictor.h"
#include "core/train/torch_predict_model.h"

namespace synthforge::train {

std::function<Eigen::MatrixXf(const cv::Mat&)> makeImageLandmarkPredictor(const std::string& run,
                                                                         const std::string& device,
                                                                         const std::string& weights) {
    const PredictRunFacts facts = readPredictRunFacts(run);
    torch::Device dev = torch::kCPU;
    if (device == "cuda" || (device == "auto" && torch::cuda::is_available())) {
        if (!torch::cuda::is_available()) throw std::invalid_argument("--device cuda: no CUDA device is available");
        dev = torch::kCUDA;
    }
    auto model = std::make_shared<PredictModel>(PredictModel::load(run, weights, facts, dev));
    if (model->numLandmarks() != 68)
        throw std::runtime_error(run + ": the network predicts " + std::to_string(model->numLandmarks()) +
                                 " landmarks; alignment compares our 68");
    const int size = static_cast<int>(facts.size);
    return [model, size](const cv::Mat& bgr) {
        if (bgr.empty() || bgr.type() != CV_8UC3) throw std::invalid_argument("landmark predictor: an 8-bit BGR image");
        // The whole image, squeezed to the network's square input: generated
        // images are framed as the training renders were.
        cv::Mat in;
        cv::resize(bgr, in, cv::Size(size, size), 0, 0, cv::INTER_AREA);
        torch::NoGradGuard no;
        const PredictOutput out = model->forward(bgrToInput({in}, size));
        const torch::Tensor lm = out.landmarks[0].to(torch::kCPU, torch::kFloat32).contiguous();
        Eigen::MatrixXf px(68, 2);
        for (int i = 0; i < 68; ++i) {
            // Normalised [-1, 1] over the crop -> pixels of the original image.
            px(i, 0) = (lm[i][0].item<float>() + 1.0f) * 0.5f * static_cast<float>(bgr.cols);
            px(i, 1) = (lm[i][1].item<float>() + 1.0f) * 0.5f * static_cast<float>(bgr.rows);
        }
        return px;
    };
}

}  // namespace synthforge::train
