#include "core/train/distributed_env.h"

#include <cstdlib>
#include <stdexcept>

namespace synthforge::train {

namespace {

constexpr int kMaxWorld = 65536;
constexpr int kDefaultPort = 29500;  // torchrun's

[[noreturn]] void fail(const std::string& variable, const std::string& what) {
    throw std::invalid_argument(variable + ": " + what);
}

int wholeNumber(const char* value, const char* variable, int lo, int hi) {
    const std::string s = value;
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
        fail(variable, "\"" + s + "\" is not a whole number");
    const int v = std::stoi(s);
    if (v < lo || v > hi) fail(variable, std::to_string(v) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return v;
}

/// Rank, world size and local rank from one launcher's three variables.
void readRanks(const std::function<const char*(const char*)>& get, const char* rankVar, const char* worldVar,
               const char* localVar, DistributedEnv& e) {
    const char* rank = get(rankVar);
    const char* world = get(worldVar);
    if (!rank) fail(rankVar, std::string("not set, but ") + worldVar + " is");
    if (!world) fail(worldVar, std::string("not set, but ") + rankVar + " is");
    e.worldSize = wholeNumber(world, worldVar, 1, kMaxWorld);
    e.rank = wholeNumber(rank, rankVar, 0, kMaxWorld - 1);
    if (e.rank >= e.worldSize)
        fail(rankVar, std::to_string(e.rank) + " but " + worldVar + " is " + std::to_string(e.worldSize) +
                          " (ranks are 0.." + std::to_string(e.worldSize - 1) + ")");
    const char* local = get(localVar);
    if (!local) {
        if (e.worldSize > 1) fail(localVar, "not set (needed to pick this process's device)");
        e.localRank = 0;
    } else {
        e.localRank = wholeNumber(local, localVar, 0, kMaxWorld - 1);
        if (e.localRank > e.rank) fail(localVar, std::to_string(e.localRank) + " exceeds the global rank " + std::to_string(e.rank));
    }
}

}  // namespace

std::string firstSlurmNode(const std::string& list, const std::string& variable) {
    if (list.empty()) fail(variable, "empty host list");
    // The first item: up to a comma outside brackets.
    std::string item;
    int depth = 0;
    for (char c : list) {
        if (c == '[') ++depth;
        if (c == ']' && --depth < 0) fail(variable, "unbalanced ']' in \"" + list + "\"");
        if (c == ',' && depth == 0) break;
        item += c;
    }
    if (depth != 0) fail(variable, "unbalanced '[' in \"" + list + "\"");
    if (item.empty()) fail(variable, "empty first host in \"" + list + "\"");
    // Each bracket contributes its first value: "01-04,07" -> "01".
    std::string host;
    for (std::size_t i = 0; i < item.size(); ++i) {
        if (item[i] != '[') {
            host += item[i];
            continue;
        }
        const std::size_t close = item.find(']', i);
        const std::string inside = item.substr(i + 1, close - i - 1);
        const std::string first = inside.substr(0, inside.find_first_of(",-"));
        if (first.empty() || first.find_first_not_of("0123456789") != std::string::npos)
            fail(variable, "bracket \"[" + inside + "]\" does not start with a number in \"" + list + "\"");
        host += first;
        i = close;
    }
    return host;
}

DistributedEnv distributedEnvFrom(const std::function<const char*(const char*)>& get) {
    DistributedEnv e;
    const bool torchrun = get("RANK") || get("WORLD_SIZE");
    const bool slurm = get("SLURM_PROCID") || get("SLURM_NTASKS");
    if (!torchrun && !slurm) return e;
    if (torchrun) {
        e.launcher = "torchrun";
        readRanks(get, "RANK", "WORLD_SIZE", "LOCAL_RANK", e);
    } else {
        e.launcher = "slurm";
        readRanks(get, "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID", e);
    }
    if (e.worldSize == 1) return e;  // one process: no rendezvous
    if (const char* addr = get("MASTER_ADDR")) {
        e.masterAddr = addr;
        if (e.masterAddr.empty()) fail("MASTER_ADDR", "empty");
    } else if (e.launcher == "slurm") {
        const char* list = get("SLURM_NODELIST");
        const char* variable = "SLURM_NODELIST";
        if (!list) list = get("SLURM_JOB_NODELIST"), variable = "SLURM_JOB_NODELIST";
        if (!list) fail("MASTER_ADDR", "not set, and neither SLURM_NODELIST nor SLURM_JOB_NODELIST names the hosts");
        e.masterAddr = firstSlurmNode(list, variable);
    } else {
        fail("MASTER_ADDR", "not set (torchrun sets it; with WORLD_SIZE > 1 the ranks must meet somewhere)");
    }
    if (const char* port = get("MASTER_PORT")) {
        e.masterPort = wholeNumber(port, "MASTER_PORT", 1, 65535);
    } else if (e.launcher == "slurm") {
        e.masterPort = kDefaultPort;
    } else {
        fail("MASTER_PORT", "not set (torchrun sets it)");
    }
    return e;
}

DistributedEnv distributedEnvironment() {
    return distributedEnvFrom([](const char* name) { return std::getenv(name); });
}

}  // namespace synthforge::train
