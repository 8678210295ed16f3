// VSAIT's parts: VGG19's taps (shapes, torchvision's parameter count, the
// ReLU convention, strict loading of an exported file), the hypervector hash
// against cosines recomputed patch by patch, the mapping network's start,
// the VSA and hinge losses on hand-worked values. The VGG19 weights here are
// seeded random ones (torchvision's ImageNet weights are not available
// offline): the tests check the mechanics, not what a trained VGG sees.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "core/io/safetensors.h"
#include "core/train/torch_weights.h"
#include "core/transfer/torch_vsait_nets.h"
#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/python_twin.h"

namespace synthforge::transfer {
namespace {

namespace fs = std::filesystem;

TEST(Vgg19Features, TapsHaveVggsShapesAndTorchvisionsParameterCount) {
    torch::manual_seed(1);
    Vgg19Features vgg;
    int64_t params = 0;
    for (const torch::Tensor& p : vgg->parameters()) params += p.numel();
    EXPECT_EQ(params, 15304768);  // torchvision's vgg19().features[:31]
    torch::NoGradGuard noGrad;
    const std::vector<torch::Tensor> taps = vgg->forward(torch::rand({2, 3, 64, 64}) * 2 - 1);
    ASSERT_EQ(taps.size(), 5u);
    const std::vector<std::vector<int64_t>> want{{2, 64, 64, 64}, {2, 128, 32, 32}, {2, 256, 16, 16}, {2, 512, 8, 8}, {2, 512, 4, 4}};
    for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(taps[i].sizes().vec(), want[i]) << "tap " << i;
    for (std::size_t i = 0; i < 4; ++i) EXPECT_GE(taps[i].min().item<float>(), 0.0f) << "conv" << i + 1 << "_2 is rectified";
    EXPECT_LT(taps[4].min().item<float>(), 0.0f) << "conv5_2 is read before its ReLU";
}

TEST(Vgg19Features, LoadsAnExportedFileStrictlyAndNamesWhatIsWrong) {
    testutil::TempDir dir;
    torch::manual_seed(2);
    Vgg19Features saved;
    const fs::path path = dir.path / "vgg19.safetensors";
    io::SafetensorsFile file = train::stateDictToSafetensors(*saved);
    EXPECT_EQ(file.tensors.count("features.30.weight"), 1u);
    EXPECT_EQ(file.tensors.count("features.4.weight"), 0u) << "pools hold nothing";
    io::saveSafetensorsFile(path.string(), file);
    Vgg19Features loaded = loadVgg19Features(path.string());
    for (const torch::Tensor& p : loaded->parameters()) EXPECT_FALSE(p.requires_grad());
    torch::NoGradGuard noGrad;
    const torch::Tensor x = torch::rand({1, 3, 32, 32});
    EXPECT_TRUE(torch::equal(saved->forward(x)[4], loaded->forward(x)[4]));

    file.tensors.erase("features.21.bias");
    io::saveSafetensorsFile((dir.path / "short.safetensors").string(), file);
    try {
        loadVgg19Features((dir.path / "short.safetensors").string());
        FAIL() << "a file without features.21.bias loaded";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("short.safetensors"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("features.21.bias"), std::string::npos) << e.what();
    }
    EXPECT_THROW(loadVgg19Features((dir.path / "missing.safetensors").string()), std::runtime_error);
}

TEST(Vgg19Features, TheExportToolsFileLoadsStrictly) {
    // tools/export_vgg19.py --random writes the layout torchvision's export
    // writes, without torchvision: the file format and names end to end.
    testutil::TempDir dir;
    const fs::path out = dir.path / "vgg19_random.safetensors";
    const std::string cmd = testutil::twin::python() + " " + testutil::twin::toolScript("export_vgg19.py").string() +
                            " --random 5 --out " + out.string() + " > " + (dir.path / "log.txt").string() + " 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << testutil::readTextFile(dir.path / "log.txt");
    const io::SafetensorsFile file = io::loadSafetensorsFile(out.string());
    EXPECT_EQ(file.metadata.at("format"), "synthforge-vgg19");
    EXPECT_EQ(file.tensors.size(), 28u);
    Vgg19Features vgg = loadVgg19Features(out.string());
    torch::NoGradGuard noGrad;
    EXPECT_EQ(vgg->forward(torch::zeros({1, 3, 16, 16}))[4].sizes().vec(), (std::vector<int64_t>{1, 512, 1, 1}));
}

TEST(HypervectorHash, EachCellIsTheCosineOfItsConcatenatedPatchesWithEachRow) {
    torch::manual_seed(3);
    // Two taps: 2 channels at 32 x 32 (16-pixel patches), 3 at 16 x 16 (8-pixel).
    const HypervectorHash hash({2, 3}, 5, 11, torch::kCPU);
    const torch::Tensor a = torch::randn({1, 2, 32, 32}), b = torch::randn({1, 3, 16, 16});
    const torch::Tensor hv = hash.forward({a, b});
    ASSERT_EQ(hv.sizes().vec(), (std::vector<int64_t>{1, 5, 2, 2}));
    for (int64_t y = 0; y < 2; ++y)
        for (int64_t x = 0; x < 2; ++x) {
            const torch::Tensor v = torch::cat({a.index({0, torch::indexing::Slice(), torch::indexing::Slice(16 * y, 16 * y + 16),
                                                         torch::indexing::Slice(16 * x, 16 * x + 16)})
                                                    .flatten(),
                                                b.index({0, torch::indexing::Slice(), torch::indexing::Slice(8 * y, 8 * y + 8),
                                                         torch::indexing::Slice(8 * x, 8 * x + 8)})
                                                    .flatten()});
            for (int64_t o = 0; o < 5; ++o) {
                const torch::Tensor w = torch::cat({hash.rows()[0][o].flatten(), hash.rows()[1][o].flatten()});
                const double cosine = (v.dot(w) / (v.norm() * w.norm())).item<double>();
                EXPECT_NEAR(hv[0][o][y][x].item<double>(), cosine, 1e-5) << "cell " << y << "," << x << " row " << o;
            }
        }
    // A cosine: unchanged by scaling the features, within [-1, 1].
    EXPECT_TRUE(torch::allclose(hash.forward({a * 7, b * 7}), hv, 1e-5, 1e-6));
    EXPECT_LE(hv.abs().max().item<float>(), 1.0f);
    // The rows come from the seed alone.
    EXPECT_TRUE(torch::equal(HypervectorHash({2, 3}, 5, 11, torch::kCPU).rows()[1], hash.rows()[1]));
    EXPECT_FALSE(torch::equal(HypervectorHash({2, 3}, 5, 12, torch::kCPU).rows()[1], hash.rows()[1]));
    // Sides that are not whole patches are refused.
    EXPECT_THROW(hash.forward({torch::randn({1, 2, 24, 32}), torch::randn({1, 3, 12, 16})}), std::invalid_argument);
    EXPECT_THROW(hash.forward({a}), std::invalid_argument);
}

TEST(VsaParts, MappingStartsConstantAndTheLossesHaveTheirHandWorkedValues) {
    torch::manual_seed(4);
    VsaMap map(8);
    const torch::Tensor hv = torch::randn({2, 8, 3, 3});
    EXPECT_TRUE(torch::allclose(map->forward(hv), torch::full({2, 8, 3, 3}, std::tanh(1.0))));
    VsaDiscriminator d(8, 16);
    EXPECT_EQ(d->forward(hv).sizes().vec(), (std::vector<int64_t>{2, 1, 3, 3}));

    EXPECT_NEAR(vsaLoss(hv, torch::ones_like(hv), hv).item<double>(), 0.0, 1e-6);
    EXPECT_NEAR(vsaLoss(-hv, torch::ones_like(hv), hv).item<double>(), 2.0, 1e-6);
    // Bound by -1 everywhere: the binding undoes the sign.
    EXPECT_NEAR(vsaLoss(-hv, -torch::ones_like(hv), hv).item<double>(), 0.0, 1e-6);

    const torch::Tensor scores = torch::tensor({-2.0, -0.5, 0.5, 2.0});
    EXPECT_NEAR(hingeGenerator(scores).item<double>(), 0.0, 1e-9);
    // real: relu(1 - s) = 3, 1.5, 0.5, 0 -> 1.25; fake: relu(1 + s) = 0, 0.5, 1.5, 3 -> 1.25.
    EXPECT_NEAR(hingeDiscriminator(scores, true).item<double>(), 1.25, 1e-9);
    EXPECT_NEAR(hingeDiscriminator(scores + 1, false).item<double>(), (0 + 1.5 + 2.5 + 4) / 4.0, 1e-9);
}

}  // namespace
}  // namespace synthforge::transfer
