// One rank of the process-group tests (test_torch_process_group.cpp starts
// several as real processes). Reads its place from the environment, as
// under torchrun, joins the group and, by mode:
//   collectives: all-reduces and broadcasts known tensors and writes every
//                value to the output file, one line per tensor;
//   exit:        joins, then exits at once (a rank that dies mid-run);
//   sleep:       joins, then sleeps a minute (a rank that hangs, or one the
//                test kills with SIGKILL while its peer waits on it);
//   reduce:      one all-reduce (the peer that outlives a dead rank);
//   syncbn:      rank r normalises samples 2r, 2r+1 of a known batch with a
//                synchronised BatchNorm, back-propagates a known loss and
//                writes its outputs, input gradients, the summed parameter
//                gradients and the running statistics.
// Usage: process_group_rank <mode> <output file> <timeout ms> [bucket bytes]
// Exit status 0 on success; 1 with the error on stderr.

#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "core/train/distributed_env.h"
#include "core/train/torch_process_group.h"
#include "core/train/torch_sync_batch_norm.h"

using namespace synthforge::train;

namespace {

void writeValues(std::ofstream& out, const std::vector<torch::Tensor>& ts) {
    out.precision(17);
    for (const auto& t : ts) {
        const auto flat = t.to(torch::kDouble).contiguous();
        const double* p = flat.data_ptr<double>();
        for (int64_t i = 0; i < flat.numel(); ++i) out << (i ? " " : "") << p[i];
        out << "\n";
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: process_group_rank <collectives|exit|sleep|reduce|syncbn> <output> <timeout ms> [bucket bytes]\n";
        return 2;
    }
    const std::string mode = argv[1];
    try {
        const DistributedEnv env = distributedEnvironment();
        ProcessGroupOptions opts;
        opts.timeout = std::chrono::milliseconds(std::atol(argv[3]));
        if (argc > 4) opts.bucketBytes = static_cast<std::size_t>(std::atol(argv[4]));
        TorchProcessGroup group(env, opts);
        const double r = env.rank;
        std::ofstream out(argv[2]);
        if (mode == "exit") std::_Exit(3);
        if (mode == "sleep") {
            out << "joined" << std::endl;  // the test kills it only after this
            std::this_thread::sleep_for(std::chrono::minutes(1));
            return 0;
        }
        if (mode == "reduce") {
            std::vector<torch::Tensor> t{torch::full({4}, r)};
            group.allReduceMean(t);
            writeValues(out, t);
            return 0;
        }
        if (mode == "syncbn") {
            // The same known batch and loss weights as the test's single process.
            torch::manual_seed(7);
            const torch::Tensor x = torch::randn({4, 3, 5, 5}) * 2 + 3, g = torch::randn({4, 3, 5, 5});
            SyncableBatchNorm bn(3);
            {
                torch::NoGradGuard noGrad;
                bn->weight.copy_(torch::tensor({0.5f, 1.5f, -1.0f}));
                bn->bias.copy_(torch::tensor({0.1f, -0.2f, 0.3f}));
            }
            const int64_t first = 2 * env.rank;
            torch::Tensor mine = x.narrow(0, first, 2).clone().requires_grad_();
            torch::Tensor y;
            {
                const SyncBatchNormScope scope(&group);
                y = bn(mine);
            }
            (y * g.narrow(0, first, 2)).sum().backward();
            std::vector<torch::Tensor> paramGrads{bn->weight.grad().clone(), bn->bias.grad().clone()};
            group.allReduceSum(paramGrads);
            writeValues(out, {y.detach(), mine.grad(), paramGrads[0], paramGrads[1], bn->running_mean, bn->running_var});
            return 0;
        }
        // Mixed dtypes, shapes, a tensor that needs grad and one larger than
        // a small bucket, so that bucketing and copying back are exercised.
        std::vector<torch::Tensor> reduced{
            torch::tensor({1.0f, 2.0f, 3.0f}) * static_cast<float>(r + 1),
            torch::full({2, 2}, 10.0 * r, torch::kDouble),
            torch::arange(40, torch::kFloat).reshape({5, 8}) + static_cast<float>(4 * r),
            torch::full({3}, 7.0f * static_cast<float>(r)).requires_grad_(),
        };
        group.allReduceMean(reduced);
        std::vector<torch::Tensor> broadcast{torch::arange(5, torch::kFloat) + static_cast<float>(100 * r),
                                             torch::full({2}, r + 0.25, torch::kDouble)};
        group.broadcastFrom0(broadcast);
        group.barrier();
        writeValues(out, reduced);
        writeValues(out, broadcast);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "process_group_rank (" << mode << "): " << e.what() << "\n";
        return 1;
    }
}
