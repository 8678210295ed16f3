// The translator's PyTorch twin (tools/synthforge_transfer_nets.py) loads
// what `transfer train` writes with strict state_dict names and translates
// the same input to within 1e-4: the weights go straight into CycleGAN
// users' PyTorch code, and theirs into ours.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>

#include "core/io/npy.h"
#include "core/transfer/torch_cyclegan_model.h"
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
    saveTranslator(g, c, weights);

    const torch::Tensor x = (torch::rand({2, 3, 32, 48}) * 2 - 1).contiguous();
    std::vector<float> xs(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
    io::saveNpyFile(dir.file("input.npy"), io::NdArray::fromFloat(xs, {2, 3, 32, 48}));
    const std::string cmd = python() + " '" + toolScript("synthforge_transfer_nets.py").string() + "' run --weights '" +
                            weights + "' --input '" + dir.file("input.npy") + "' --out '" + dir.file("py") + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

    LoadedTranslator loaded = loadTranslator(weights);
    torch::NoGradGuard no;
    const torch::Tensor cpp = loaded.generator->forward(x);
    const torch::Tensor py = npyToTensor(dir.path / "py" / "translated.npy");
    ASSERT_EQ(py.sizes(), cpp.sizes());
    EXPECT_LT(maxAbsDiff(py, cpp), 1e-4);
    EXPECT_GT(cpp.std().item<double>(), 1e-3) << "a non-trivial output";
}

}  // namespace
}  // namespace synthforge::transfer
