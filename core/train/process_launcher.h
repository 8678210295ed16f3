#pragma once
// `synthforge launch --nproc N`: what torchrun --nproc_per_node N does for
// one machine, without Python. Starts N copies of a program, each with the
// variables distributed_env.h reads (RANK = LOCAL_RANK = i, WORLD_SIZE =
// LOCAL_WORLD_SIZE = N, MASTER_ADDR, MASTER_PORT), and waits for all.
//  - Each child runs in its own process group, so that a terminal's Ctrl+C
//    reaches the launcher only, which forwards every SIGINT/SIGTERM to every
//    child exactly once (the CLI's handler counts signals: a first one stops
//    a job cleanly, a second one force-quits it, and a doubly delivered
//    first one would have force-quit it).
//  - When a child fails (non-zero exit or killed), the others get SIGTERM,
//    then SIGKILL after a grace period, as under torchrun: their peers would
//    otherwise wait on the dead rank until the collective timeout. Not
//    after a forwarded signal: the ranks are stopping already, and one more
//    signal would force-quit them.

#include <chrono>
#include <string>
#include <vector>

namespace synthforge::train {

struct LaunchSpec {
    std::string executable;         ///< path of the program every rank runs
    std::vector<std::string> args;  ///< its arguments (argv[1..])
    int nproc = 1;
    std::string masterAddr = "127.0.0.1";
    int masterPort = 29500;  ///< torchrun's default
    /// After the first failure: how long the others get to stop on SIGTERM.
    std::chrono::milliseconds terminateGrace{10000};
};

/// Runs the ranks; returns 0 when every one exited 0, else the first
/// failure's exit status (128 + signal for a child killed by a signal).
/// std::invalid_argument for nproc < 1, an empty executable or a port
/// outside 1..65535; std::runtime_error when a child cannot be started.
int launchProcesses(const LaunchSpec& spec);

}  // namespace synthforge::train
