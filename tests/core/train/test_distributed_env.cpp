// Reading a process's place in a multi-process job from torchrun's and
// Slurm's variables: the values, the precedence, Slurm host lists, and an
// error naming the variable for every inconsistency.

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/train/distributed_env.h"

namespace synthforge::train {
namespace {

DistributedEnv from(const std::map<std::string, std::string>& vars) {
    return distributedEnvFrom([&](const char* name) -> const char* {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    });
}

void expectError(const std::map<std::string, std::string>& vars, const std::string& prefix) {
    try {
        from(vars);
        ADD_FAILURE() << "accepted; expected an error starting " << prefix;
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0u) << e.what();
    }
}

TEST(DistributedEnv, NothingSetIsOneProcess) {
    const DistributedEnv e = from({});
    EXPECT_FALSE(e.distributed());
    EXPECT_EQ(e.launcher, "none");
    EXPECT_EQ(e.rank, 0);
    EXPECT_EQ(e.worldSize, 1);
}

TEST(DistributedEnv, TorchrunsVariables) {
    const DistributedEnv e = from({{"RANK", "5"}, {"WORLD_SIZE", "8"}, {"LOCAL_RANK", "1"},
                                   {"MASTER_ADDR", "10.0.0.2"}, {"MASTER_PORT", "29400"}});
    EXPECT_EQ(e.launcher, "torchrun");
    EXPECT_TRUE(e.distributed());
    EXPECT_FALSE(e.isRankZero());
    EXPECT_EQ(e.rank, 5);
    EXPECT_EQ(e.worldSize, 8);
    EXPECT_EQ(e.localRank, 1);
    EXPECT_EQ(e.masterAddr, "10.0.0.2");
    EXPECT_EQ(e.masterPort, 29400);
    // torchrun inside a Slurm allocation: torchrun's numbers win.
    const DistributedEnv both = from({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"LOCAL_RANK", "0"}, {"MASTER_ADDR", "h"},
                                      {"MASTER_PORT", "1234"}, {"SLURM_PROCID", "3"}, {"SLURM_NTASKS", "4"}});
    EXPECT_EQ(both.launcher, "torchrun");
    EXPECT_EQ(both.worldSize, 2);
    // A world of one needs no rendezvous.
    const DistributedEnv one = from({{"RANK", "0"}, {"WORLD_SIZE", "1"}});
    EXPECT_FALSE(one.distributed());
    EXPECT_TRUE(one.masterAddr.empty());
}

TEST(DistributedEnv, SlurmTakesTheFirstNodeAndTheDefaultPort) {
    const DistributedEnv e = from({{"SLURM_PROCID", "3"}, {"SLURM_NTASKS", "8"}, {"SLURM_LOCALID", "3"},
                                   {"SLURM_NODELIST", "gpu[07-10,12],cpu1"}});
    EXPECT_EQ(e.launcher, "slurm");
    EXPECT_EQ(e.rank, 3);
    EXPECT_EQ(e.masterAddr, "gpu07");
    EXPECT_EQ(e.masterPort, 29500);
    const DistributedEnv set = from({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"SLURM_LOCALID", "0"},
                                     {"SLURM_JOB_NODELIST", "n1,n2"}, {"MASTER_ADDR", "head"}, {"MASTER_PORT", "4000"}});
    EXPECT_EQ(set.masterAddr, "head");
    EXPECT_EQ(set.masterPort, 4000);
    const DistributedEnv job = from({{"SLURM_PROCID", "1"}, {"SLURM_NTASKS", "2"}, {"SLURM_LOCALID", "0"},
                                     {"SLURM_JOB_NODELIST", "n1,n2"}});
    EXPECT_EQ(job.masterAddr, "n1");
}

TEST(DistributedEnv, SlurmHostLists) {
    EXPECT_EQ(firstSlurmNode("node1"), "node1");
    EXPECT_EQ(firstSlurmNode("host1,host2"), "host1");
    EXPECT_EQ(firstSlurmNode("node[001-128]"), "node001");
    EXPECT_EQ(firstSlurmNode("a-[3-5]-ib,b1"), "a-3-ib");
    EXPECT_EQ(firstSlurmNode("rack[2,4]-n[08-09]"), "rack2-n08");
    for (const char* bad : {"", "node[1-4", "node]1", "[]x", ",n1", "node[a-b]"}) {
        try {
            firstSlurmNode(bad, "SLURM_NODELIST");
            ADD_FAILURE() << "accepted \"" << bad << "\"";
        } catch (const std::invalid_argument& e) {
            EXPECT_EQ(std::string(e.what()).rfind("SLURM_NODELIST: ", 0), 0u) << e.what();
        }
    }
}

TEST(DistributedEnv, InconsistentEnvironmentsNameTheVariable) {
    expectError({{"RANK", "0"}}, "WORLD_SIZE: not set");
    expectError({{"WORLD_SIZE", "2"}}, "RANK: not set");
    expectError({{"RANK", "2"}, {"WORLD_SIZE", "2"}}, "RANK: 2 but WORLD_SIZE is 2");
    expectError({{"RANK", "x"}, {"WORLD_SIZE", "2"}}, "RANK: \"x\" is not a whole number");
    expectError({{"RANK", "-1"}, {"WORLD_SIZE", "2"}}, "RANK: \"-1\" is not a whole number");
    expectError({{"RANK", "0"}, {"WORLD_SIZE", "0"}}, "WORLD_SIZE: 0 is outside 1..65536");
    expectError({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}, "LOCAL_RANK: not set");
    expectError({{"RANK", "1"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "2"}}, "LOCAL_RANK: 2 exceeds the global rank 1");
    expectError({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"LOCAL_RANK", "1"}, {"MASTER_PORT", "1"}}, "MASTER_ADDR: not set");
    expectError({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "h"}}, "MASTER_PORT: not set");
    expectError({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "70000"}},
                "MASTER_PORT: 70000 is outside 1..65535");
    expectError({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", ""}, {"MASTER_PORT", "5"}},
                "MASTER_ADDR: empty");
    expectError({{"SLURM_PROCID", "1"}, {"SLURM_NTASKS", "2"}, {"SLURM_LOCALID", "1"}}, "MASTER_ADDR: not set, and neither");
    expectError({{"SLURM_PROCID", "1"}, {"SLURM_NTASKS", "2"}, {"SLURM_LOCALID", "0"}, {"SLURM_NODELIST", "n[1-"}},
                "SLURM_NODELIST: unbalanced");
    expectError({{"SLURM_NTASKS", "2"}}, "SLURM_PROCID: not set");
}

}  // namespace
}  // namespace synthforge::train
