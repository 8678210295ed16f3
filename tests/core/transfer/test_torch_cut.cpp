// CUT's pieces: anti-aliased resampling, the generator's layout and taps,
// the patch sampler and PatchNCE against values worked by hand.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/transfer/torch_cut_nets.h"
#include "tests/support/python_twin.h"

namespace synthforge::transfer {
namespace {

using testutil::twin::parameterCount;

TEST(CutNets, BlurDownsampleHalvesKeepsConstantsAndRemovesTheNyquistPattern) {
    BlurDownsample down(2);
    const torch::Tensor flat = torch::full({1, 2, 8, 6}, 0.7f);
    const torch::Tensor y = down->forward(flat);
    EXPECT_EQ(y.sizes(), torch::IntArrayRef({1, 2, 4, 3}));
    EXPECT_LT((y - 0.7f).abs().max().item<double>(), 1e-6);
    // A +1/-1 checkerboard is the highest frequency: a strided convolution
    // would alias it into a constant, the blur removes it entirely.
    const torch::Tensor i = torch::arange(8).view({8, 1}), j = torch::arange(8).view({1, 8});
    const torch::Tensor board = (((i + j) % 2) * 2 - 1).to(torch::kFloat32).expand({1, 2, 8, 8}).contiguous();
    EXPECT_LT(down->forward(board).abs().max().item<double>(), 1e-6);
    EXPECT_EQ(down->named_buffers()["filt"].sizes(), torch::IntArrayRef({2, 1, 3, 3}));
}

TEST(CutNets, BlurUpsampleDoublesAndKeepsConstantsToTheEdges) {
    BlurUpsample up(3);
    const torch::Tensor y = up->forward(torch::full({2, 3, 5, 4}, -0.25f));
    EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, 3, 10, 8}));
    EXPECT_LT((y + 0.25f).abs().max().item<double>(), 1e-6);
    EXPECT_EQ(up->named_buffers()["filt"].sizes(), torch::IntArrayRef({3, 1, 4, 4}));
}

TEST(CutNets, GeneratorLayoutTapsAndCountsMatchTheAuthorsCode) {
    CutGenerator g(64, 9);
    // CUT's code prints 11.378 M for netG (resnet_9blocks, ngf 64) and
    // 0.560 M for netF on the default layers 0, 4, 8, 12, 16.
    EXPECT_EQ(parameterCount(*g), 11378179);
    const auto p = g->named_parameters();
    EXPECT_TRUE(p.contains("model.1.weight"));
    EXPECT_TRUE(p.contains("model.12.conv_block.1.weight"));
    EXPECT_EQ(p["model.22.weight"].sizes(), torch::IntArrayRef({128, 256, 3, 3}));  // after the first upsampling
    EXPECT_EQ(p["model.26.weight"].sizes(), torch::IntArrayRef({64, 128, 3, 3}));   // after the second
    EXPECT_TRUE(g->named_buffers().contains("model.7.filt"));
    EXPECT_EQ(g->layerCount(), 23 + 9);
    std::vector<int64_t> channels;
    for (int64_t layer : {0, 4, 8, 12, 16}) channels.push_back(g->channelsAt(layer));
    EXPECT_EQ(channels, (std::vector<int64_t>{3, 128, 256, 256, 256}));
    PatchSampler f(channels, 256);
    EXPECT_EQ(parameterCount(*f), 560384);
    EXPECT_TRUE(f->named_parameters().contains("mlp_4.2.weight"));

    CutGenerator small(8, 2);
    const torch::Tensor x = torch::rand({2, 3, 32, 32}) * 2 - 1;
    EXPECT_EQ(small->forward(x).sizes(), x.sizes());
    const std::vector<torch::Tensor> taps = small->encode(x, {0, 4, 8, 12});
    ASSERT_EQ(taps.size(), 4u);
    EXPECT_EQ(taps[0].sizes(), torch::IntArrayRef({2, 3, 38, 38}));  // the reflect-padded input
    EXPECT_EQ(taps[2].sizes(), torch::IntArrayRef({2, 32, 16, 16}));  // before the second downsampling
    EXPECT_EQ(taps[3].sizes(), torch::IntArrayRef({2, 32, 8, 8}));
    EXPECT_THROW(small->encode(x, {0, 99}), std::invalid_argument);
    CutDiscriminator d(8);
    EXPECT_EQ(d->forward(torch::zeros({1, 3, 256, 256})).sizes(), torch::IntArrayRef({1, 1, 30, 30}));
}

TEST(CutNets, PatchSamplerSharesPositionsAndGivesUnitRows) {
    torch::manual_seed(2);
    PatchSampler f(std::vector<int64_t>{3, 5}, 16);
    const std::vector<torch::Tensor> feats{torch::randn({2, 3, 6, 6}), torch::randn({2, 5, 4, 4})};
    std::vector<torch::Tensor> ids;
    const std::vector<torch::Tensor> a = f->forward(feats, 10, nullptr, &ids);
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].sizes(), torch::IntArrayRef({20, 16}));  // 2 images x 10 positions
    EXPECT_EQ(a[1].sizes(), torch::IntArrayRef({20, 16}));
    EXPECT_LT((a[0].norm(2, 1) - 1).abs().max().item<double>(), 1e-5);
    EXPECT_EQ(ids[1].numel(), 10);
    // The same positions on the same features give the same rows.
    const std::vector<torch::Tensor> b = f->forward(feats, 10, &ids, nullptr);
    EXPECT_TRUE(torch::allclose(a[0], b[0]));
    // Fewer positions than asked for: all of them.
    std::vector<torch::Tensor> few;
    f->forward({torch::randn({1, 3, 2, 2}), torch::randn({1, 5, 2, 2})}, 10, nullptr, &few);
    EXPECT_EQ(few[0].numel(), 4);
}

TEST(CutNets, PatchNceByHand) {
    // One image, two patches, orthonormal features, q = k. Patch 0's logits
    // at tau 1: positive 1; negatives: itself masked to -10, patch 1 at 0.
    // Loss = log(e^1 + e^-10 + e^0) - 1.
    const torch::Tensor q = torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}});
    const torch::Tensor loss = patchNceLoss(q, q, 1, 1.0);
    const double expected = std::log(std::exp(1.0) + std::exp(-10.0) + 1.0) - 1.0;
    EXPECT_NEAR(loss[0].item<double>(), expected, 1e-6);
    EXPECT_NEAR(loss[1].item<double>(), expected, 1e-6);
    // At tau 0.07 the positive dominates: the loss is near 0; with the keys
    // swapped (each query's positive is the other patch's key) it is large.
    EXPECT_LT(patchNceLoss(q, q, 1, 0.07).max().item<double>(), 1e-5);
    EXPECT_GT(patchNceLoss(q, q.flip({0}), 1, 0.07).min().item<double>(), 10.0);
    // Negatives come from the same image only: two images of one patch each
    // have no negatives but the masked self.
    const torch::Tensor two = patchNceLoss(q, q, 2, 1.0);
    EXPECT_NEAR(two[0].item<double>(), std::log(std::exp(1.0) + std::exp(-10.0)) - 1.0, 1e-6);
    // The keys are constants: no gradient reaches them.
    const torch::Tensor k = q.clone().requires_grad_(true), qq = q.clone().requires_grad_(true);
    patchNceLoss(qq, k, 1, 0.5).sum().backward();
    EXPECT_FALSE(k.grad().defined());
    EXPECT_TRUE(qq.grad().defined());
}

}  // namespace
}  // namespace synthforge::transfer
