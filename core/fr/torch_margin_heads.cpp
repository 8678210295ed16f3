#include "core/fr/torch_margin_heads.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace synthforge::fr {

namespace {
constexpr double kEps = 1e-3;
}

MarginKind parseMarginKind(const std::string& name) {
    if (name == "adaface") return MarginKind::AdaFace;
    if (name == "arcface") return MarginKind::ArcFace;
    if (name == "cosface") return MarginKind::CosFace;
    throw std::invalid_argument("head: '" + name + "' is not adaface, arcface or cosface");
}

const char* marginKindName(MarginKind k) {
    switch (k) {
        case MarginKind::AdaFace: return "adaface";
        case MarginKind::ArcFace: return "arcface";
        case MarginKind::CosFace: return "cosface";
    }
    return "?";
}

MarginHeadImpl::MarginHeadImpl(const MarginHeadOptions& o) : options(o) {
    if (o.classes < 2) throw std::invalid_argument("classes: a margin head needs at least 2 identities");
    if (o.embedding < 1) throw std::invalid_argument("embedding: must be positive");
    m_ = o.m >= 0 ? o.m : o.kind == MarginKind::AdaFace ? 0.4 : o.kind == MarginKind::ArcFace ? 0.5 : 0.35;
    // Uniform, then unit columns, as AdaFace's code initialises it.
    kernel = register_parameter("kernel", torch::empty({o.embedding, o.classes}).uniform_(-1, 1));
    {
        torch::NoGradGuard g;
        kernel.div_(kernel.norm(2, 0, true).clamp_min(1e-12));
    }
    batchMean = register_buffer("batch_mean", torch::full({1}, 20.0));
    batchStd = register_buffer("batch_std", torch::full({1}, 100.0));
}

torch::Tensor MarginHeadImpl::forward(const torch::Tensor& emb, const torch::Tensor& norms, const torch::Tensor& labels) {
    const torch::Tensor centres = kernel / kernel.norm(2, 0, true).clamp_min(1e-12);
    torch::Tensor cosine = torch::mm(emb, centres).clamp(-1 + kEps, 1 - kEps);
    const torch::Tensor target = torch::zeros_like(cosine).scatter_(1, labels.reshape({-1, 1}), 1.0);
    if (options.kind == MarginKind::CosFace) return (cosine - target * m_) * options.s;
    if (options.kind == MarginKind::ArcFace) {
        const torch::Tensor theta = (cosine.acos() + target * m_).clamp(kEps, M_PI - kEps);
        return theta.cos() * options.s;
    }
    const torch::Tensor safe = norms.clamp(0.001, 100).detach();
    if (is_training()) {
        torch::NoGradGuard g;
        // torch's std is the unbiased one, as in AdaFace's code.
        batchMean.copy_(safe.mean() * options.alpha + (1 - options.alpha) * batchMean);
        batchStd.copy_(safe.std() * options.alpha + (1 - options.alpha) * batchStd);
    }
    const torch::Tensor scaler = ((safe - batchMean) / (batchStd + kEps) * options.h).clamp(-1, 1);
    const torch::Tensor theta = (cosine.acos() + target * (scaler * -m_)).clamp(kEps, M_PI - kEps);
    return (theta.cos() - target * (scaler * m_ + m_)) * options.s;
}

}  // namespace synthforge::fr
