#include "core/transfer/torch_cyclegan_model.h"

#include <torch/torch.h>

#include "core/transfer/transfer.h"

namespace synthforge::transfer {

CycleGanImpl::CycleGanImpl(const TransferTrainConfig& c) {
    const ResnetGeneratorOptions g{c.generatorFilters, c.blocks()};
    netG_A = register_module("netG_A", ResnetGenerator(g));
    netG_B = register_module("netG_B", ResnetGenerator(g));
    netD_A = register_module("netD_A", PatchDiscriminator(c.discriminatorFilters));
    netD_B = register_module("netD_B", PatchDiscriminator(c.discriminatorFilters));
    initCycleGanWeights(*this);
    fake_A_pool = register_module("fake_A_pool", ImagePool(c.poolSize, c.size));
    fake_B_pool = register_module("fake_B_pool", ImagePool(c.poolSize, c.size));
}

}  // namespace synthforge::transfer
