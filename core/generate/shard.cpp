#include "core/generate/shard.h"

#include <cstdlib>
#include <stdexcept>

namespace synthforge::generate {

namespace {

std::uint64_t parseCount(const std::string& s, const std::string& field) {
    if (s.empty() || s.size() > 7 || s.find_first_not_of("0123456789") != std::string::npos)
        throw std::invalid_argument(field + ": \"" + s + "\" is not a whole number");
    return std::stoull(s);
}

Shard make(std::uint64_t i, std::uint64_t n, const std::string& field) {
    if (n < 1 || n > 1000000) throw std::invalid_argument(field + ": the shard count must be 1..1000000");
    if (i >= n)
        throw std::invalid_argument(field + ": shard index " + std::to_string(i) + " must be below the count " +
                                    std::to_string(n) + " (shards are numbered from 0)");
    return {i, n};
}

}  // namespace

Shard Shard::parse(const std::string& text, const std::string& field) {
    const auto slash = text.find('/');
    if (slash == std::string::npos) throw std::invalid_argument(field + ": expected i/n, e.g. 0/4, got \"" + text + "\"");
    return make(parseCount(text.substr(0, slash), field), parseCount(text.substr(slash + 1), field), field);
}

std::optional<Shard> Shard::fromEnvironment() {
    for (const auto& [rank, size] : {std::pair{"RANK", "WORLD_SIZE"}, std::pair{"SLURM_PROCID", "SLURM_NTASKS"}}) {
        const char* r = std::getenv(rank);
        const char* s = std::getenv(size);
        if (!r || !s) continue;
        const std::string field = std::string(rank) + "/" + size;
        return make(parseCount(r, field), parseCount(s, field), field);
    }
    return std::nullopt;
}

}  // namespace synthforge::generate
