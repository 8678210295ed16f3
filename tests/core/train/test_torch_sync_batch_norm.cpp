// Synchronised BatchNorm (core/train/torch_sync_batch_norm.h) with real
// processes on 127.0.0.1: two ranks, each normalising half of a known batch,
// produce what one process's torch::nn::BatchNorm2d produces on the whole
// batch: the outputs, the input gradients, the summed parameter gradients
// and the running statistics, to 1e-5. Without a scope (or in eval mode)
// the layer is torch's own.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/train/torch_sync_batch_norm.h"
#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/rank_process.h"

using namespace synthforge::train;
namespace fs = std::filesystem;
using synthforge::testutil::readTextFile;

namespace {

std::vector<std::vector<double>> lines(const std::string& text) {
    std::vector<std::vector<double>> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream l(line);
        std::vector<double> v;
        double x = 0;
        while (l >> x) v.push_back(x);
        out.push_back(v);
    }
    return out;
}

std::vector<double> values(const torch::Tensor& t) {
    const torch::Tensor d = t.detach().to(torch::kDouble).contiguous();
    return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

void expectNear(const std::vector<double>& got, const std::vector<double>& want, const std::string& what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << what << " [" << i << "]";
}

}  // namespace

TEST(SyncBatchNorm, TwoRanksMatchOneProcessOnTheWholeBatch) {
    synthforge::testutil::TempDir dir;
    const int port = synthforge::testutil::freeLoopbackPort();
    std::vector<pid_t> pids;
    for (int r = 0; r < 2; ++r)
        pids.push_back(synthforge::testutil::startRankProcess(
            r, 2, port,
            {SYNTHFORGE_PROCESS_GROUP_RANK, "syncbn", (dir.path / ("rank" + std::to_string(r) + ".txt")).string(),
             "20000"},
            dir.path / ("rank" + std::to_string(r) + ".err")));
    for (int r = 0; r < 2; ++r)
        ASSERT_EQ(synthforge::testutil::waitAtMost(pids[static_cast<size_t>(r)], std::chrono::seconds(60)), 0)
            << readTextFile(dir.path / ("rank" + std::to_string(r) + ".err"));

    // The single process: torch's own BatchNorm2d on all four samples.
    torch::manual_seed(7);
    const torch::Tensor x = torch::randn({4, 3, 5, 5}) * 2 + 3, g = torch::randn({4, 3, 5, 5});
    torch::nn::BatchNorm2d bn(3);
    {
        torch::NoGradGuard noGrad;
        bn->weight.copy_(torch::tensor({0.5f, 1.5f, -1.0f}));
        bn->bias.copy_(torch::tensor({0.1f, -0.2f, 0.3f}));
    }
    const torch::Tensor whole = x.clone().requires_grad_();
    const torch::Tensor y = bn(whole);
    (y * g).sum().backward();

    for (int r = 0; r < 2; ++r) {
        const auto got = lines(readTextFile(dir.path / ("rank" + std::to_string(r) + ".txt")));
        ASSERT_EQ(got.size(), 6u);
        const std::string rank = "rank " + std::to_string(r) + ": ";
        expectNear(got[0], values(y.narrow(0, 2 * r, 2)), rank + "output");
        expectNear(got[1], values(whole.grad().narrow(0, 2 * r, 2)), rank + "input gradient");
        expectNear(got[2], values(bn->weight.grad()), rank + "weight gradient");
        expectNear(got[3], values(bn->bias.grad()), rank + "bias gradient");
        expectNear(got[4], values(bn->running_mean), rank + "running mean");
        expectNear(got[5], values(bn->running_var), rank + "running variance");
    }
    // Normalising each half on its own would differ: the test can fail.
    torch::nn::BatchNorm2d half(3);
    EXPECT_GT((half(x.narrow(0, 0, 2)) - bn(x).narrow(0, 0, 2)).abs().max().item<double>(), 1e-2);
}

TEST(SyncBatchNorm, WithoutAGroupOrInEvalModeItIsTorchsBatchNorm) {
    torch::manual_seed(3);
    const torch::Tensor x = torch::randn({3, 4, 6, 6}) + 1;
    SyncableBatchNorm ours(4);
    torch::nn::BatchNorm2d theirs(4);
    {
        const SyncBatchNormScope none(nullptr);
        EXPECT_TRUE(torch::equal(ours(x), theirs(x)));
    }
    EXPECT_TRUE(torch::equal(ours->running_mean, theirs->running_mean));
    EXPECT_TRUE(torch::equal(ours->running_var, theirs->running_var));
    ours->eval();
    theirs->eval();
    EXPECT_TRUE(torch::equal(ours(x), theirs(x)));
    // The same parameters and buffers under the same names, in the same order.
    std::vector<std::string> a, b;
    for (const auto& p : ours->named_parameters()) a.push_back(p.key());
    for (const auto& p : ours->named_buffers()) a.push_back(p.key());
    for (const auto& p : theirs->named_parameters()) b.push_back(p.key());
    for (const auto& p : theirs->named_buffers()) b.push_back(p.key());
    EXPECT_EQ(a, b);
    SyncableBatchNorm oneD(5);
    const torch::Tensor e = torch::randn({6, 5});
    torch::nn::BatchNorm1d torchOneD(5);
    EXPECT_TRUE(torch::equal(oneD(e), torchOneD(e)));
    // Inputs of another channel count are refused by name, not a crash.
    EXPECT_THROW(ours(torch::zeros({2, 3, 4, 4})), std::invalid_argument);
    EXPECT_THROW(ours(torch::zeros({4})), std::invalid_argument);
}
