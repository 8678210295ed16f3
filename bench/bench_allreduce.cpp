// Gradient all-reduce time of a data-parallel step (docs/distributed.md,
// docs/performance.md): N ranks on 127.0.0.1 (Gloo, this binary forked once
// per rank, torchrun's variables set), each averaging a gradient-shaped
// copy of a network's parameters through TorchProcessGroup::allReduceMean
// (25 MB buckets, as a training step does), timed on rank 0.
//
//   build/bench/bench_allreduce [--world 2] [--repeats 20] [--threads 1]
//
// Prints, per network (the multi-task `small` and `reference` presets with
// FaceSynthetics' 19 classes, and the face-recognition ir50 backbone at
// 112 px), the parameter count, the bytes reduced, and the minimum and
// median time of one step's all-reduce with the effective bandwidth
// (bytes / time). Not a Google Benchmark: the ranks must run in lockstep.

#include <sys/wait.h>
#include <unistd.h>

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/fr/torch_iresnet.h"
#include "core/train/distributed_env.h"
#include "core/train/torch_multitask_net.h"
#include "core/train/torch_process_group.h"

using namespace synthforge;

namespace {

std::vector<torch::Tensor> gradientsOf(torch::nn::Module& net) {
    std::vector<torch::Tensor> g;
    for (const auto& p : net.parameters()) g.push_back(torch::randn_like(p));
    return g;
}

int runRank(int repeats) {
    const train::DistributedEnv env = train::distributedEnvironment();
    train::TorchProcessGroup group(env);
    struct Net {
        std::string name;
        std::shared_ptr<torch::nn::Module> module;
    };
    std::vector<Net> nets{
        {"multitask small", train::MultiTaskNet(train::MultiTaskNetOptions(19).preset("small")).ptr()},
        {"multitask reference", train::MultiTaskNet(train::MultiTaskNetOptions(19).preset("reference")).ptr()},
        {"fr ir50 (112 px)", fr::IResNet(fr::iresnetPreset("ir50")).ptr()},
    };
    for (auto& net : nets) {
        std::vector<torch::Tensor> grads = gradientsOf(*net.module);
        int64_t params = 0;
        for (const auto& g : grads) params += g.numel();
        std::vector<double> ms;
        for (int k = 0; k < repeats + 2; ++k) {
            group.barrier();
            const auto t0 = std::chrono::steady_clock::now();
            group.allReduceMean(grads);
            const auto t1 = std::chrono::steady_clock::now();
            if (k >= 2) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());  // 2 warm-ups
        }
        std::sort(ms.begin(), ms.end());
        if (env.rank == 0) {
            const double mb = static_cast<double>(params) * 4 / 1e6;
            const double median = ms[ms.size() / 2];
            std::printf("%-22s %11lld params %8.1f MB  all-reduce min %8.2f ms  median %8.2f ms  (%.2f GB/s at the median)\n",
                        net.name.c_str(), static_cast<long long>(params), mb, ms.front(), median, mb / median);
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int world = 2, repeats = 20, threads = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--world") world = std::atoi(argv[i + 1]);
        else if (a == "--repeats") repeats = std::atoi(argv[i + 1]);
        else if (a == "--threads") threads = std::atoi(argv[i + 1]);
    }
    if (world < 1 || repeats < 1 || threads < 1) {
        std::fprintf(stderr, "usage: bench_allreduce [--world N>=1] [--repeats R>=1] [--threads T>=1]\n");
        return 2;
    }
    const std::string port = std::to_string(29500 + getpid() % 1000);
    std::vector<pid_t> children;
    int rank = 0;
    for (int r = 1; r < world; ++r) {
        const pid_t pid = fork();  // before torch starts any thread
        if (pid == 0) {
            rank = r;
            children.clear();
            break;
        }
        children.push_back(pid);
    }
    setenv("RANK", std::to_string(rank).c_str(), 1);
    setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
    setenv("WORLD_SIZE", std::to_string(world).c_str(), 1);
    setenv("MASTER_ADDR", "127.0.0.1", 1);
    setenv("MASTER_PORT", port.c_str(), 1);
    torch::set_num_threads(threads);
    torch::manual_seed(0);
    if (rank == 0) std::printf("bench_allreduce: %d ranks on 127.0.0.1 (Gloo), %d threads each\n", world, threads);
    int rc = 0;
    try {
        rc = runRank(repeats);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rank %d: %s\n", rank, e.what());
        rc = 1;
    }
    for (pid_t c : children) {
        int status = 0;
        waitpid(c, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) rc = 1;
    }
    return rc;
}
