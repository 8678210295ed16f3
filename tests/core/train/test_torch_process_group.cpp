// The c10d process group with real processes on 127.0.0.1 (Gloo): two ranks
// (tests/core/train/process_group_rank.cpp) average known tensors exactly
// and receive rank 0's values by broadcast; a rank that is killed, hangs or
// never starts makes its peer fail with a message naming the rendezvous and
// its rank within the configured timeout instead of hanging. A world of one
// needs no rendezvous at all.

#include <gtest/gtest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/train/torch_process_group.h"
#include "tests/support/child_process.h"
#include "tests/support/rank_process.h"

using namespace synthforge::train;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

using synthforge::testutil::freeLoopbackPort;

struct Rank {
    pid_t pid = -1;
    fs::path out, err;
};

Rank startRank(int rank, int world, int port, const std::string& mode, const fs::path& dir, int timeoutMs,
               const std::string& bucketBytes = "") {
    Rank r;
    r.out = dir / ("rank" + std::to_string(rank) + ".txt");
    r.err = dir / ("rank" + std::to_string(rank) + ".err");
    const std::string timeout = std::to_string(timeoutMs);
    std::vector<std::string> argv{SYNTHFORGE_PROCESS_GROUP_RANK, mode, r.out.string(), timeout};
    if (!bucketBytes.empty()) argv.push_back(bucketBytes);
    r.pid = synthforge::testutil::startRankProcess(rank, world, port, argv, r.err);
    return r;
}

// The exit status (minus the signal) once the child ends, or kills it and
// fails the test when it outlives `limit`: a hang must never hang the test.
int waitAtMost(const Rank& r, std::chrono::milliseconds limit) {
    const int code = synthforge::testutil::waitAtMost(r.pid, limit);
    if (code == -1000) ADD_FAILURE() << "rank process " << r.pid << " still running after " << limit.count() << " ms";
    return code;
}

fs::path freshDir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("synthforge_pg_" + name + "_" + std::to_string(getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

using synthforge::testutil::readTextFile;

}  // namespace

TEST(TorchProcessGroup, TwoRanksAverageExactlyAndReceiveRankZerosBroadcast) {
    const fs::path dir = freshDir("collectives");
    const int port = freeLoopbackPort();
    // 64-byte buckets: the 160-byte tensor is a bucket of its own, the
    // others share buckets by dtype, so flattening and copying back count.
    const Rank r0 = startRank(0, 2, port, "collectives", dir, 20000, "64");
    const Rank r1 = startRank(1, 2, port, "collectives", dir, 20000, "64");
    EXPECT_EQ(waitAtMost(r0, std::chrono::seconds(60)), 0) << readTextFile(r0.err);
    EXPECT_EQ(waitAtMost(r1, std::chrono::seconds(60)), 0) << readTextFile(r1.err);
    // Rank r held (r+1)*[1,2,3], 10r, arange(40)+4r, 7r, then arange(5)+100r
    // and r+0.25 for the broadcast: the means of ranks 0 and 1 and rank 0's
    // values, all exact in binary floating point.
    std::string big;
    for (int i = 0; i < 40; ++i) big += (i ? " " : "") + std::to_string(i + 2);
    const std::string expected = "1.5 3 4.5\n5 5 5 5\n" + big + "\n3.5 3.5 3.5\n0 1 2 3 4\n0.25 0.25\n";
    EXPECT_EQ(readTextFile(r0.out), expected);
    EXPECT_EQ(readTextFile(r1.out), expected);
    fs::remove_all(dir);
}

TEST(TorchProcessGroup, AKilledRankMakesItsPeerFailWithinTheTimeout) {
    const fs::path dir = freshDir("killed");
    const int port = freeLoopbackPort();
    const Rank r0 = startRank(0, 2, port, "reduce", dir, 5000);
    const Rank r1 = startRank(1, 2, port, "sleep", dir, 5000);
    // Rank 1 joins, says so, then sleeps while rank 0 waits on it in the
    // all-reduce; SIGKILL it there. The closed connection is noticed at
    // once, well before the timeout.
    const auto joinDeadline = Clock::now() + std::chrono::seconds(20);
    while (readTextFile(r1.out).find("joined") == std::string::npos && Clock::now() < joinDeadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_NE(readTextFile(r1.out).find("joined"), std::string::npos) << readTextFile(r1.err);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    kill(r1.pid, SIGKILL);
    const auto killed = Clock::now();
    EXPECT_EQ(waitAtMost(r1, std::chrono::seconds(5)), -SIGKILL);
    EXPECT_EQ(waitAtMost(r0, std::chrono::seconds(15)), 1);
    EXPECT_LT(Clock::now() - killed, std::chrono::milliseconds(5000));
    const std::string err = readTextFile(r0.err);
    EXPECT_NE(err.find("all-reduce failed"), std::string::npos) << err;
    EXPECT_NE(err.find("rank 0 of 2"), std::string::npos) << err;
    EXPECT_NE(err.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << err;
    EXPECT_NE(err.find("5000 ms timeout"), std::string::npos) << err;
    fs::remove_all(dir);
}

TEST(TorchProcessGroup, AHungRankMakesItsPeerFailAtTheTimeout) {
    const fs::path dir = freshDir("hung");
    const int port = freeLoopbackPort();
    const auto start = Clock::now();
    const Rank r0 = startRank(0, 2, port, "reduce", dir, 3000);
    const Rank r1 = startRank(1, 2, port, "sleep", dir, 3000);
    EXPECT_EQ(waitAtMost(r0, std::chrono::seconds(20)), 1);
    // Rendezvous, then the all-reduce's 3 s, plus process start-up.
    EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(3000 + 5000));
    kill(r1.pid, SIGKILL);
    waitAtMost(r1, std::chrono::seconds(5));
    const std::string err = readTextFile(r0.err);
    EXPECT_NE(err.find("all-reduce failed within the 3000 ms timeout"), std::string::npos) << err;
    EXPECT_NE(err.find("rank 0 of 2"), std::string::npos) << err;
    fs::remove_all(dir);
}

TEST(TorchProcessGroup, ARankThatNeverStartsFailsTheRendezvousOnEitherSide) {
    const fs::path dir = freshDir("alone");
    for (int rank : {0, 1}) {
        const int port = freeLoopbackPort();
        const auto start = Clock::now();
        const Rank r = startRank(rank, 2, port, "reduce", dir, 2000);
        EXPECT_EQ(waitAtMost(r, std::chrono::seconds(20)), 1);
        EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(2000 + 4000)) << "rank " << rank;
        const std::string err = readTextFile(r.err);
        EXPECT_NE(err.find("rank " + std::to_string(rank) + " of 2"), std::string::npos) << err;
        EXPECT_NE(err.find("MASTER_ADDR:MASTER_PORT 127.0.0.1:" + std::to_string(port)), std::string::npos) << err;
        EXPECT_NE(err.find("rendezvous failed within the 2000 ms timeout"), std::string::npos) << err;
        if (rank == 0) {
            EXPECT_NE(err.find("only 1 of 2 ranks joined"), std::string::npos) << err;
        }
    }
    fs::remove_all(dir);
}

TEST(TorchProcessGroup, AWorldOfOneIsANoOpWithoutARendezvous) {
    DistributedEnv single;  // nothing set: one process, no host or port
    TorchProcessGroup group(single);
    EXPECT_EQ(group.worldSize(), 1);
    std::vector<torch::Tensor> t{torch::tensor({1.0f, -2.5f}), torch::full({2, 2}, 3.0, torch::kDouble)};
    group.allReduceMean(t);
    group.broadcastFrom0(t);
    group.barrier();
    EXPECT_TRUE(torch::equal(t[0], torch::tensor({1.0f, -2.5f})));
    EXPECT_TRUE(torch::equal(t[1], torch::full({2, 2}, 3.0, torch::kDouble)));
}

TEST(TorchProcessGroup, RefusesBadOptionsAndTensors) {
    DistributedEnv single;
    ProcessGroupOptions zero;
    zero.timeout = std::chrono::milliseconds(0);
    EXPECT_THROW(TorchProcessGroup(single, zero), std::invalid_argument);
    ProcessGroupOptions noBucket;
    noBucket.bucketBytes = 0;
    EXPECT_THROW(TorchProcessGroup(single, noBucket), std::invalid_argument);
    TorchProcessGroup group(single);
    std::vector<torch::Tensor> ints{torch::tensor({1, 2})};
    EXPECT_THROW(group.allReduceMean(ints), std::invalid_argument);
    std::vector<torch::Tensor> undefined{torch::Tensor()};
    EXPECT_THROW(group.broadcastFrom0(undefined), std::invalid_argument);
}
