#pragma once
// Which weights of a run `eval` and `predict` use: the run's last weights
// (final.safetensors, the default), its best validation checkpoint
// (best.safetensors, written when the run validated), or any .safetensors
// file of the same network (a copy, an exported checkpoint).

#include <string>

namespace synthforge::train {

/// std::invalid_argument unless `which` is "final", "best" or a path ending in ".safetensors".
void validateWeightsChoice(const std::string& which);

/// The file `which` names for the run in `runDir`. Throws
/// std::runtime_error naming the file when it does not exist; `unfinished`
/// says why final weights may be missing ("the run has not finished training").
std::string runWeightsFile(const std::string& runDir, const std::string& which, const std::string& unfinished);

}  // namespace synthforge::train
