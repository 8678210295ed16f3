// The face-recognition backbone's PyTorch twin (tools/synthforge_fr_nets.py)
// loads the weights `fr train` writes with strict state_dict names and
// embeds the same input to within 1e-4: InsightFace users can take our
// weights into their PyTorch code.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>

#include "core/fr/torch_fr_model.h"
#include "core/io/npy.h"
#include "tests/support/ci.h"
#include "tests/support/fixtures.h"
#include "tests/support/python_twin.h"

namespace synthforge::fr {
namespace {

namespace fs = std::filesystem;
using namespace testutil::twin;

TEST(FrTwin, PyTorchEmbedsAsLibTorchWithin1e4) {
    if (std::system((python() + " -c 'import torch' >/dev/null 2>&1").c_str()) != 0)
        SYNTHFORGE_SKIP_OR_FAIL_IN_CI("python3 cannot import torch (install python3-torch)");
    testutil::TempDir dir;
    torch::manual_seed(11);
    FrModel model("tiny", "adaface", 7, 64, -1);
    // Non-default batch-norm statistics, so eval mode exercises every buffer.
    model->backbone->train();
    {
        torch::NoGradGuard g;
        for (int i = 0; i < 3; ++i) model->backbone->forward(torch::randn({4, 3, 112, 112}));
    }
    model->backbone->eval();
    const std::string weights = (dir.path / "final.safetensors").string();
    saveBackbone(model, weights);

    const torch::Tensor x = torch::randn({2, 3, 112, 112}).contiguous();
    std::vector<float> xs(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
    io::saveNpyFile((dir.path / "input.npy").string(), io::NdArray::fromFloat(xs, {2, 3, 112, 112}));
    const std::string cmd = python() + " '" + toolScript("synthforge_fr_nets.py").string() + "' run --weights '" + weights +
                            "' --input '" + (dir.path / "input.npy").string() + "' --out '" + (dir.path / "py").string() + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

    IResNet loaded = loadBackbone(weights);
    torch::NoGradGuard g;
    const torch::Tensor cpp = loaded->forward(x);
    const torch::Tensor py = npyToTensor(dir.path / "py" / "embeddings.npy");
    ASSERT_EQ(py.sizes(), cpp.sizes());
    EXPECT_LT(maxAbsDiff(py, cpp), 1e-4);
    EXPECT_GT(cpp.abs().max().item<double>(), 1e-2) << "a non-trivial embedding";
}

}  // namespace
}  // namespace synthforge::fr
