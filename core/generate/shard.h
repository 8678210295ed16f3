#pragma once
// Which samples one process of a distributed generation run writes: sample
// i belongs to shard (i mod count). Interleaving keeps shards equally busy
// whatever the per-sample cost, and since sample i depends only on (seed, i),
// the shards of a run together write exactly what one process would.

#include <cstdint>
#include <optional>
#include <string>

namespace synthforge::generate {

struct Shard {
    std::uint64_t index = 0, count = 1;

    bool owns(std::uint64_t sample) const { return sample % count == index; }
    /// Samples of [0, total) this shard owns.
    std::uint64_t sizeOf(std::uint64_t total) const {
        return total / count + (index < total % count ? 1 : 0);
    }
    std::string toString() const { return std::to_string(index) + "/" + std::to_string(count); }

    /// Parses "i/n" with 0 <= i < n <= 1,000,000. Throws std::invalid_argument
    /// naming `field` otherwise.
    static Shard parse(const std::string& text, const std::string& field = "--shard");
    /// From the launcher's environment when both variables are set: torchrun's
    /// RANK and WORLD_SIZE, else Slurm's SLURM_PROCID and SLURM_NTASKS.
    /// Throws std::invalid_argument naming the variables when they are malformed.
    static std::optional<Shard> fromEnvironment();
};

}  // namespace synthforge::generate
