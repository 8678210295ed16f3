#pragma once
// A trained run's 68 landmarks on whole generated images (their framing is
// the training renders'), for alignment's landmark term. Torch-free header;
// defined in torch_image_landmarks.cpp.

#include <functional>
#include <string>

#include <Eigen/Core>
#include <opencv2/core/mat.hpp>

namespace synthforge::train {

/// Loads RUN (a Stage I run, or a Stage II run predicting 68 points) and
/// returns a function: BGR image -> 68 x 2 landmarks in its pixels.
/// std::runtime_error naming the run for another landmark count.
std::function<Eigen::MatrixXf(const cv::Mat&)> makeImageLandmarkPredictor(const std::string& run,
                                                                         const std::string& device,
                                                                         const std::string& weights = "final");

}  // namespace synthforge::train
