// The translator's PyTorch twin (tools/synthforge_transfer_nets.py) loads
// what `transfer train` writes with strict state_dict names and translates
// the same input to within 1e-4: the weights go straight into CycleGAN
// users' PyTorch code, and theirs into ours.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>

#include "core/io/npy.h"
#include "core/transfer/torch_cut_nets.h"
#include "core/transfer/torch_cyclegan_nets.h"
#include "core/transfer/torch_translator_file.h"
#include "core/transfer/transfer.h"
#include "tests/support/ci.h"
#include "tests/support/fixtures.h"
#include "tests/support/python_twin.h"

namespace synthforge::transfer {
namespace {

using namespace testutil::twin;

TEST(TransferTwin, PyTorchTranslatesAsLibTorchWithin1e4) {
    if (std::system((python() + " -c 'import torch' >/dev/null 2>&1").c_str()) != 0)
        SYNTHFORGE_SKIP_OR_FAIL_IN_CI("python3 cannot import torch (install python3-torch)");
    testutil::TempDir dir;
    TransferTrainConfig c;
    c.size = 64;
    c.generatorFilters = 8;
    c.residualBlocks = 3;
    torch::manual_seed(4);
    ResnetGenerator g(ResnetGeneratorOptions{c.generatorFilters, c.blocks()});
    initCycleGanWeights(*g);
    const std::string weights = dir.file("final.safetensors");
    saveTranslator(*g, c, weights);

    const torch::Tensor x = torch::rand({2, 3, 32, 48}) * 2 - 1;
    const torch::Tensor py = runTwin("synthforge_transfer_nets.py", weights, x, dir.path, "translated.npy");

    LoadedTranslator loaded = loadTranslator(weights);
    torch::NoGradGuard no;
    const torch::Tensor cpp = loaded.forward(x);
    ASSERT_EQ(py.sizes(), cpp.sizes());
    EXPECT_LT(maxAbsDiff(py, cpp), 1e-4);
    EXPECT_GT(cpp.std().item<double>(), 1e-3) << "a non-trivial output";
}

TEST(TransferTwin, CutGeneratorTranslatesAsLibTorchWithin1e4) {
    if (std::system((python() + " -c 'import torch' >/dev/null 2>&1").c_str()) != 0)
        SYNTHFORGE_SKIP_OR_FAIL_IN_CI("python3 cannot import torch (install python3-torch)");
    testutil::TempDir dir;
    TransferTrainConfig c;
    c.method = "cut";
    c.size = 64;
    c.generatorFilters = 8;
    c.residualBlocks = 2;
    torch::manual_seed(5);
    CutGenerator g(c.generatorFilters, c.blocks());
    initCutWeights(*g);
    {
        // Weights far from their init, so every layer matters.
        torch::NoGradGuard no;
        for (auto& p : g->parameters()) p.add_(torch::randn_like(p) * 0.1);
    }
    const std::string weights = dir.file("final.safetensors");
    saveTranslator(*g, c, weights);
    const torch::Tensor x = torch::rand({2, 3, 32, 48}) * 2 - 1;
    const torch::Tensor py = runTwin("synthforge_transfer_nets.py", weights, x, dir.path, "translated.npy");
    const LoadedTranslator loaded = loadTranslator(weights);
    EXPECT_EQ(loaded.method, "cut");
    torch::NoGradGuard no;
    const torch::Tensor cpp = loaded.forward(x);
    ASSERT_EQ(py.sizes(), cpp.sizes());
    EXPECT_LT(maxAbsDiff(py, cpp), 1e-4);
    EXPECT_GT(cpp.std().item<double>(), 1e-3) << "a non-trivial output";
}

}  // namespace
}  // namespace synthforge::transfer
