#pragma once
// The four CycleGAN networks and the two image histories as one module, so
// that one checkpoint holds all of them. Torch types appear here, so only
// torch_*.cpp files may include it.

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "core/transfer/torch_cyclegan_nets.h"
#include "core/transfer/torch_image_pool.h"

namespace synthforge::transfer {

struct TransferTrainConfig;

/// Names as in CycleGAN's code: netG_A maps A (ours) to B (real), netD_A
/// judges B-domain images, fake_B_pool feeds it.
class CycleGanImpl : public torch::nn::Module {
public:
    explicit CycleGanImpl(const TransferTrainConfig& c);
    ResnetGenerator netG_A{nullptr}, netG_B{nullptr};
    PatchDiscriminator netD_A{nullptr}, netD_B{nullptr};
    ImagePool fake_A_pool{nullptr}, fake_B_pool{nullptr};
};
TORCH_MODULE(CycleGan);

}  // namespace synthforge::transfer
