#pragma once
// Network weights as .safetensors with PyTorch state_dict names
// ("backbone.stem.0.weight", "...running_var", "...num_batches_tracked"), so
// that Python loads them with load_state_dict (tools/synthforge_nets.py).
// Floating-point tensors are stored as F32 (loading also takes F16 and F64,
// converted), integer buffers as I64, each in
// PyTorch's row-major (C) order. Torch types appear here, so only torch_*.cpp
// files may include it.

#include <torch/nn/module.h>

#include <map>
#include <string>

#include "core/io/safetensors.h"
#include "core/train/torch_multitask_net.h"

namespace synthforge::train {

/// Every parameter and buffer of `module`, keyed by state_dict name.
io::SafetensorsFile stateDictToSafetensors(const torch::nn::Module& module,
                                           const std::map<std::string, std::string>& metadata = {});

/// Copies `file`'s tensors into `module`. Every parameter and buffer must be
/// present with its exact shape and no other tensor may appear; otherwise
/// std::runtime_error naming `source` and the tensor, with `module` unchanged.
void loadStateDict(torch::nn::Module& module, const io::SafetensorsFile& file, const std::string& source);

/// Atomic write of the network's weights, its options as metadata.
void saveMultiTaskNet(const MultiTaskNet& net, const std::string& path);
/// Builds the network its metadata describes and loads the weights.
MultiTaskNet loadMultiTaskNet(const std::string& path);

}  // namespace synthforge::train
