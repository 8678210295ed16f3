#pragma once
// The run-directory machinery shared by Stage I training (torch_trainer.cpp)
// and Stage II fine-tuning (torch_finetune.cpp): config.json as the run's
// identity, checkpoints/ (atomic, last k + best), metrics.csv cut back to the
// checkpoint a resume starts from and the device choice.
// Keeping one copy means both commands refuse the same mistakes with the same
// words, and a fix to resume exactness reaches both. Torch types appear here,
// so only torch_*.cpp files may include it.

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/train/torch_checkpoint.h"

namespace synthforge::train {

/// "%.9g": 9 significant digits round-trip a float, and the text is the same
/// on every run, which byte-identical resumes rely on.
std::string formatMetric(double v);

/// "cpu", "cuda" (std::invalid_argument when unavailable) or "auto" (CUDA
/// when available).
torch::Device pickDevice(const std::string& name);

/// A run directory: `<out>/config.json`, `<out>/metrics.csv`,
/// `<out>/checkpoints/`, `<out>/final.safetensors`, TensorBoard files.
class RunDirectory {
public:
    /// Claims `out` for the run whose identity is `configText` (JSON).
    /// Fresh (resume = false): refuses a folder that already holds a run
    /// (config.json or a checkpoint) and writes config.json. Resume: requires
    /// config.json and refuses it when any top-level field of `configText`
    /// differs, naming the fields. Nothing is written on refusal.
    /// `writer` false (ranks other than 0 of a data-parallel run): nothing
    /// is ever written and a fresh run checks nothing (rank 0 does); a
    /// resume still reads config.json and the checkpoints, which must be on
    /// a filesystem every rank sees.
    RunDirectory(const std::string& out, const std::string& configText, bool resume, int64_t keepCheckpoints,
                 bool writer = true);

    const std::filesystem::path& path() const { return out_; }
    const CheckpointStore& checkpoints() const { return store_; }
    std::filesystem::path metricsPath() const { return out_ / "metrics.csv"; }
    std::filesystem::path finalWeightsPath() const { return out_ / "final.safetensors"; }

    /// Rewrites metrics.csv as `header` plus the complete rows whose step
    /// (first column) is <= lastStep: rows a killed process wrote past its
    /// last checkpoint go, and a partial last row too. Atomic.
    void restartMetrics(const std::string& header, int64_t lastStep) const;
    /// Appends one row (without its newline). std::runtime_error on a failed write.
    void appendMetrics(const std::string& row) const;

private:
    std::filesystem::path out_;
    CheckpointStore store_;
};

}  // namespace synthforge::train
