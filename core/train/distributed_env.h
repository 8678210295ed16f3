#pragma once
// Where this process sits in a multi-process training job, read from the
// variables the launchers our users run already set (issue: training beyond
// one machine):
//  - torchrun (and `python -m torch.distributed.run`): RANK, WORLD_SIZE,
//    LOCAL_RANK, MASTER_ADDR, MASTER_PORT;
//  - Slurm's srun: SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, and the first
//    host of SLURM_NODELIST (or SLURM_JOB_NODELIST) as the rendezvous host
//    unless MASTER_ADDR is set; MASTER_PORT, else 29500 (torchrun's default).
// torchrun's variables win when both are present (torchrun inside an
// allocation). No variable at all is a single process. Anything
// inconsistent is an error naming the variable. The process group built on
// this (c10d TCPStore + Gloo/NCCL) is not here: this header has no torch.

#include <functional>
#include <string>

namespace synthforge::train {

struct DistributedEnv {
    int rank = 0, worldSize = 1, localRank = 0;
    std::string masterAddr;  ///< rendezvous host ("" for a single process)
    int masterPort = 0;      ///< rendezvous port (0 for a single process)
    std::string launcher = "none";  ///< "torchrun", "slurm" or "none"

    bool distributed() const { return worldSize > 1; }
    bool isRankZero() const { return rank == 0; }
};

/// Reads the variables through `get` (null for unset). std::invalid_argument
/// "<VARIABLE>: <what>" for a malformed or inconsistent environment.
DistributedEnv distributedEnvFrom(const std::function<const char*(const char*)>& get);
/// From the process environment (getenv).
DistributedEnv distributedEnvironment();

/// The first host of a Slurm host list: "node[01-04,07],gpu3" -> "node01",
/// "a-[3-5]-ib" -> "a-3-ib", "host1,host2" -> "host1" (zero padding kept).
/// std::invalid_argument naming `variable` for an empty list or an
/// unbalanced or empty bracket.
std::string firstSlurmNode(const std::string& nodelist, const std::string& variable = "SLURM_NODELIST");

}  // namespace synthforge::train
