#pragma once
// A transfer run's translator file (final.safetensors): the A -> B
// generator's state_dict with what rebuilding it needs as metadata (format
// synthforge-transfer, method, generator_filters, residual_blocks, size,
// load_size), and loading it back as whichever generator the method uses.
// Torch types appear here, so only torch_*.cpp files may include it.

#include <torch/nn/module.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace synthforge::transfer {

struct TransferTrainConfig;

/// Atomic write of `generator`'s weights for the run configured by `c`.
void saveTranslator(const torch::nn::Module& generator, const TransferTrainConfig& c, const std::string& path);

/// A translator file loaded, in eval mode on the CPU.
struct LoadedTranslator {
    std::shared_ptr<torch::nn::Module> module;                ///< the generator (to move it to a device)
    std::function<torch::Tensor(const torch::Tensor&)> run;  ///< its forward pass
    std::map<std::string, std::string> metadata;
    std::string method;
    int64_t size = 0, loadSize = 0;  ///< the training crop and load sides
    torch::Tensor forward(const torch::Tensor& x) const { return run(x); }
};
/// std::runtime_error naming the file and the field for a file that is not
/// a transfer run's weights (or one of a method this build does not run).
LoadedTranslator loadTranslator(const std::string& path);

}  // namespace synthforge::transfer
