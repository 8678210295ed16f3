#pragma once
// Mixed precision for the forward passes of training (`--precision bf16`):
// torch's automatic casting, as `with torch.autocast(device, bfloat16)` does
// in PyTorch. Convolutions and matrix products run in bfloat16; parameters,
// gradients and the optimiser stay in float32. Torch types appear here, so
// only torch_*.cpp files may include it.

#include <torch/types.h>

#include <string>

namespace synthforge::train {

/// Enables autocast to bfloat16 for `device`'s type while it lives when
/// `precision` is "bf16"; does nothing for "fp32". Restores the previous
/// state (nesting allowed) and drops autocast's cast-weight cache when the
/// outermost scope ends, as PyTorch's context manager does.
class AutocastScope {
public:
    AutocastScope(const std::string& precision, const torch::Device& device);
    ~AutocastScope();
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    bool active_ = false;
    bool cuda_ = false;
    bool wasEnabled_ = false;
    torch::ScalarType oldType_ = torch::kFloat32;
};

}  // namespace synthforge::train
