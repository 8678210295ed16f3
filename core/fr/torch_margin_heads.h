#pragma once
// Margin heads for face-recognition training: the class logits of L2-
// normalised embeddings against L2-normalised class centres (`kernel`,
// embedding x classes, as AdaFace's code stores it), with a margin on the
// target class, scaled by s.
// - ArcFace: s cos(theta + m) on the target (m 0.5).
// - CosFace: s (cos(theta) - m) on the target (m 0.35).
// - AdaFace (the default; Kim et al. 2022): the margin adapts to image
//   quality through the embedding norm. With the norms clipped to
//   [0.001, 100] and their batch mean and std folded into running values by
//   an EMA (alpha 0.01; starting at 20 and 100), the scaler
//   z = clip(h (norm - mean) / (std + 1e-3), -1, 1) (h 0.333) moves the
//   target's angle by -m z and subtracts m + m z from its cosine (m 0.4).
// Cosines are clamped to [-1 + 1e-3, 1 - 1e-3] and angles to
// [1e-3, pi - 1e-3], as in AdaFace's code. Only torch_*.cpp files include this.

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <string>

namespace synthforge::fr {

enum class MarginKind { AdaFace, ArcFace, CosFace };

/// "adaface", "arcface", "cosface"; std::invalid_argument otherwise.
MarginKind parseMarginKind(const std::string& name);
const char* marginKindName(MarginKind k);

struct MarginHeadOptions {
    MarginKind kind = MarginKind::AdaFace;
    int64_t embedding = 512;
    int64_t classes = 0;
    double m = -1;       ///< < 0: the kind's default (AdaFace 0.4, ArcFace 0.5, CosFace 0.35)
    double s = 64;
    double h = 0.333;    ///< AdaFace
    double alpha = 0.01; ///< AdaFace's EMA weight of the new batch
};

class MarginHeadImpl : public torch::nn::Module {
public:
    explicit MarginHeadImpl(const MarginHeadOptions& options);
    /// `embeddings` B x E, L2-normalised; `norms` B x 1, their norms before
    /// normalising; `labels` B (int64). Returns the scaled logits B x C. In
    /// training mode AdaFace updates its running norm statistics first.
    torch::Tensor forward(const torch::Tensor& embeddings, const torch::Tensor& norms, const torch::Tensor& labels);

    MarginHeadOptions options;
    double margin() const { return m_; }
    torch::Tensor kernel;
    torch::Tensor batchMean, batchStd;  ///< AdaFace's running statistics (buffers)

private:
    double m_;
};
TORCH_MODULE(MarginHead);

}  // namespace synthforge::fr
