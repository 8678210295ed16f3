#include "core/train/torch_autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <stdexcept>

#include "core/train/run_config_common.h"

namespace synthforge::train {

namespace {

// LibTorch 2.4 replaced the per-device functions with ones taking the
// device type; 1.13 (Debian's) has only the former.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool enabled(bool cuda) { return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU); }
void setEnabled(bool cuda, bool on) { at::autocast::set_autocast_enabled(cuda ? at::kCUDA : at::kCPU, on); }
at::ScalarType dtype(bool cuda) { return at::autocast::get_autocast_dtype(cuda ? at::kCUDA : at::kCPU); }
void setDtype(bool cuda, at::ScalarType t) { at::autocast::set_autocast_dtype(cuda ? at::kCUDA : at::kCPU, t); }
#else
bool enabled(bool cuda) { return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled(); }
void setEnabled(bool cuda, bool on) { cuda ? at::autocast::set_enabled(on) : at::autocast::set_cpu_enabled(on); }
at::ScalarType dtype(bool cuda) {
    return cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
}
void setDtype(bool cuda, at::ScalarType t) {
    cuda ? at::autocast::set_autocast_gpu_dtype(t) : at::autocast::set_autocast_cpu_dtype(t);
}
#endif

}  // namespace

AutocastScope::AutocastScope(const std::string& precision, const torch::Device& device) {
    if (!isKnownPrecision(precision))
        throw std::invalid_argument("precision: \"" + precision + "\" is not fp32 or bf16");
    if (precision == "fp32") return;
    if (!device.is_cpu() && !device.is_cuda())
        throw std::invalid_argument("precision: bf16 needs a CPU or CUDA device, not " + device.str());
    cuda_ = device.is_cuda();
    wasEnabled_ = enabled(cuda_);
    oldType_ = dtype(cuda_);
    setEnabled(cuda_, true);
    setDtype(cuda_, torch::kBFloat16);
    at::autocast::increment_nesting();
    active_ = true;
}

AutocastScope::~AutocastScope() {
    if (!active_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    setEnabled(cuda_, wasEnabled_);
    setDtype(cuda_, oldType_);
}

}  // namespace synthforge::train
