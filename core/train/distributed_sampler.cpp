#include "core/train/distributed_sampler.h"

#include <stdexcept>
#include <string>

namespace synthforge::train {

int64_t globalMicroBatchesPerEpoch(int64_t samples, int64_t batch, int world, int64_t accumulate) {
    if (batch < 1 || world < 1 || accumulate < 1)
        throw std::invalid_argument("globalMicroBatchesPerEpoch: batch, world and accumulate must be at least 1");
    const int64_t micro = samples / (batch * world);
    return micro / accumulate * accumulate;
}

std::vector<int64_t> rankSamples(const std::vector<int64_t>& order, int64_t firstMicro, int64_t endMicro,
                                 int64_t batch, int rank, int world) {
    if (batch < 1 || world < 1) throw std::invalid_argument("rankSamples: batch and world must be at least 1");
    if (rank < 0 || rank >= world)
        throw std::invalid_argument("rankSamples: rank " + std::to_string(rank) + " is outside 0.." +
                                    std::to_string(world - 1));
    const int64_t global = batch * world;
    if (firstMicro < 0 || endMicro < firstMicro || endMicro * global > static_cast<int64_t>(order.size()))
        throw std::out_of_range("rankSamples: micro-batches [" + std::to_string(firstMicro) + ", " +
                                std::to_string(endMicro) + ") of " + std::to_string(global) +
                                " samples run past the order's " + std::to_string(order.size()));
    std::vector<int64_t> mine;
    mine.reserve(static_cast<size_t>((endMicro - firstMicro) * batch));
    for (int64_t m = firstMicro; m < endMicro; ++m) {
        const int64_t begin = m * global + rank * batch;
        mine.insert(mine.end(), order.begin() + begin, order.begin() + begin + batch);
    }
    return mine;
}

}  // namespace synthforge::train
