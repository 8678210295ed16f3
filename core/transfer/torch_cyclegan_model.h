#pragma once
// The four CycleGAN networks and the two image histories as one module, so
// that one checkpoint holds all of them; and the A -> B generator's weights
// file, which is what `transfer apply` runs. Torch types appear here, so
// only torch_*.cpp files may include it.

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <map>
#include <string>

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

/// Atomic write of the A -> B generator's weights with what rebuilding it
/// needs as metadata (format synthforge-transfer, method, generator_filters,
/// residual_blocks, size, load_size).
void saveTranslator(ResnetGenerator& generator, const TransferTrainConfig& c, const std::string& path);

/// A translator file loaded, in eval mode on the CPU.
struct LoadedTranslator {
    ResnetGenerator generator{nullptr};
    std::map<std::string, std::string> metadata;
    int64_t size = 0, loadSize = 0;  ///< the training crop and load sides
};
/// std::runtime_error naming the file and the field for a file that is not
/// a transfer run's weights.
LoadedTranslator loadTranslator(const std::string& path);

}  // namespace synthforge::transfer
