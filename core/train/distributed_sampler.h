#pragma once
// Which samples each rank of a data-parallel run trains on (issue: training
// beyond one machine). The rule is DistributedDataParallel's with one
// global order: every rank computes the same shuffled order of the epoch
// (a function of seed and epoch), the epoch is cut into global micro-batches
// of batch x world samples, and rank r takes the r-th block of `batch`
// samples of each. The ranks' slices are disjoint, their union is the
// global micro-batch, and a one-process run with batch x world sees the same
// samples in the same order: the equivalence the tests check.
//
// The data position is a function of the step and the world size only (no
// state to checkpoint). A run resumed at another world size keeps its step
// count and places that step in the new world's epochs (see
// docs/distributed.md, "Resuming").

#include <cstdint>
#include <vector>

namespace synthforge::train {

/// Global micro-batches in an epoch of `samples`: samples / (batch x world),
/// rounded down to a multiple of `accumulate` (the partial rest of an epoch
/// is dropped, as with drop_last). std::invalid_argument for batch, world or
/// accumulate below 1.
int64_t globalMicroBatchesPerEpoch(int64_t samples, int64_t batch, int world, int64_t accumulate = 1);

/// Rank `rank`'s samples of the global micro-batches [firstMicro, endMicro)
/// of `order`, concatenated (batch per micro-batch, in order). Positions
/// past the order's end are std::out_of_range; a rank outside 0..world-1 or
/// batch < 1 is std::invalid_argument.
std::vector<int64_t> rankSamples(const std::vector<int64_t>& order, int64_t firstMicro, int64_t endMicro,
                                 int64_t batch, int rank, int world);

}  // namespace synthforge::train
