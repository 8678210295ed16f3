#pragma once
// Training checkpoints: weights, BN buffers, the optimiser's state and the
// trainer's counters in one torch::serialize archive, written atomically
// (temporary name, then rename) so that a process killed at any moment
// leaves either the old set of checkpoints or the new one. Torch types
// appear here, so only torch_*.cpp files may include it.

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <string>

namespace synthforge::train {

/// What the trainer needs besides weights and optimiser to continue.
struct TrainState {
    int64_t step = 0;          ///< optimiser steps done
    /// The best validation score so far, valid when bestStep >= 0; lower is
    /// better (a metric where higher is better is stored negated). Archived
    /// as "best_val_loss", the name it had when it was always the loss.
    double bestScore = 0;
    int64_t bestStep = -1;     ///< step of the best validation score so far; -1 = none yet
};

/// checkpoints/step_00000010.pt, ..., plus best.pt (a copy of the checkpoint
/// with the best validation score).
class CheckpointStore {
public:
    /// `keep`: how many step checkpoints stay after each save (best.pt besides).
    CheckpointStore(std::string dir, int64_t keep);

    /// The highest step with a checkpoint, -1 when there is none.
    int64_t latestStep() const;
    std::string pathOf(int64_t step) const;
    std::string bestPath() const;

    /// Writes step_<state.step>.pt, copies it to best.pt when
    /// state.bestStep == state.step, then removes the oldest beyond `keep`.
    void save(const TrainState& state, torch::nn::Module& net, torch::optim::Optimizer& optimizer) const;
    /// Loads step_<step>.pt into `net` and `optimizer` (both built as when it
    /// was saved) and returns the counters. std::runtime_error naming the file
    /// when it is unreadable.
    TrainState load(int64_t step, torch::nn::Module& net, torch::optim::Optimizer& optimizer) const;
    /// Loads best.pt the same way.
    TrainState loadBest(torch::nn::Module& net, torch::optim::Optimizer& optimizer) const;

private:
    TrainState loadFile(const std::string& path, torch::nn::Module& net, torch::optim::Optimizer& optimizer) const;

    std::string dir_;
    int64_t keep_;
};

}  // namespace synthforge::train
