#pragma once
// The network behind `synthforge predict`: a Stage I run's MultiTaskNet or a
// Stage II run's fine-tuned model (loadFinetunedModel) behind one forward
// that returns what predict writes. Torch types appear here, so only
// torch_*.cpp files may include it.

#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <opencv2/core/mat.hpp>
#include <vector>

#include "core/annotate/class_table.h"
#include "core/train/predictor.h"
#include "core/train/torch_finetune_net.h"
#include "core/train/torch_multitask_net.h"

namespace synthforge::train {

/// One batch's outputs, on the CPU. Undefined: the model has no such head.
struct PredictOutput {
    torch::Tensor landmarks;     ///< B x L x 2 normalised coordinates
    torch::Tensor segmentation;  ///< B x C x S x S logits
    torch::Tensor depth;         ///< B x 1 x S x S
};

/// BGR 8-bit images (each S x S) -> B x 3 x S x S RGB in [-1, 1], the
/// training loaders' arithmetic: what PredictModel::forward takes.
torch::Tensor bgrToInput(const std::vector<cv::Mat>& bgr, int size);

class PredictModel {
public:
    /// RUN/final.safetensors of a Stage I or Stage II run (per `facts`), on
    /// `device`, in eval mode. std::runtime_error naming the missing or bad file.
    /// `which`: final, best or a .safetensors file (core/train/run_weights.h).
    static PredictModel load(const std::string& runDir, const std::string& which, const PredictRunFacts& facts,
                             const torch::Device& device);

    /// images: B x 3 x S x S RGB in [-1, 1] on the CPU.
    PredictOutput forward(const torch::Tensor& images);

    /// The Stage I network itself (eval mode, on the model's device), for
    /// callers that need all its outputs; std::logic_error for a Stage II model.
    MultiTaskNet& stageOneNet();
    const torch::Device& device() const { return device_; }

    const std::string& weights() const { return weights_; }
    int64_t numLandmarks() const { return numLandmarks_; }
    int64_t numClasses() const { return numClasses_; }
    /// Colours of the segmentation: Stage I's dataset manifest (the default
    /// table when the training data is gone), Stage II's benchmark table.
    const annotate::ClassTable& classes() const { return classes_; }
    /// Said once to the user when the class colours are a fallback.
    const std::string& classNote() const { return classNote_; }

private:
    torch::Device device_ = torch::kCPU;
    std::string weights_, classNote_;
    int64_t numLandmarks_ = 0, numClasses_ = 0;
    annotate::ClassTable classes_;
    MultiTaskNet stage1_{nullptr};
    std::optional<FinetunedModel> stage2_;
};

}  // namespace synthforge::train
