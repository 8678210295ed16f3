// Mixed precision (`--precision bf16`): the autocast scope switches torch's
// automatic casting on and restores it, the losses stay float32, and a bf16
// step computes the losses the float32 step does, to bfloat16's accuracy.

#include <gtest/gtest.h>

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include "core/train/torch_autocast.h"
#include "core/train/torch_losses.h"
#include "core/train/torch_run_loop.h"

using namespace synthforge::train;

namespace {

torch::Tensor convOf(const torch::Tensor& x) {
    torch::manual_seed(0);
    torch::nn::Conv2d conv(torch::nn::Conv2dOptions(3, 4, 3));
    return conv->forward(x);
}

/// Random targets of every kind for a b x s x s batch of `classes` classes.
MultiTaskTargets randomTargets(int64_t classes, int64_t b, int64_t s) {
    MultiTaskTargets t;
    t.segmentation = torch::randint(0, classes, {b, s, s}, torch::kLong);
    t.depth = torch::rand({b, 1, s, s});
    t.landmarks = torch::rand({b, kNumLandmarks, 2}) * 1.6 - 0.8;
    return t;
}

}  // namespace

TEST(Autocast, Bf16ScopeCastsConvolutionsAndRestoresTheState) {
    const auto x = torch::rand({1, 3, 8, 8});
    EXPECT_EQ(convOf(x).scalar_type(), torch::kFloat32);
    {
        const AutocastScope outer("bf16", torch::kCPU);
        EXPECT_EQ(convOf(x).scalar_type(), torch::kBFloat16);
        {
            const AutocastScope inner("bf16", torch::kCPU);
            EXPECT_EQ(convOf(x).scalar_type(), torch::kBFloat16);
        }
        // The inner scope ended: autocast is still on for the outer one.
        EXPECT_EQ(convOf(x).scalar_type(), torch::kBFloat16);
        {
            const AutocastScope plain("fp32", torch::kCPU);  // fp32 leaves the state alone
            EXPECT_EQ(convOf(x).scalar_type(), torch::kBFloat16);
        }
    }
    EXPECT_EQ(convOf(x).scalar_type(), torch::kFloat32);
    EXPECT_FALSE(at::autocast::is_cpu_enabled());
    try {
        const AutocastScope bad("fp16", torch::kCPU);
        FAIL() << "accepted fp16";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).rfind("precision:", 0), 0u) << e.what();
    }
}

TEST(Autocast, Bf16LossesAreFloat32AndCloseToTheFloat32Step) {
    torch::manual_seed(3);
    MultiTaskNet net(MultiTaskNetOptions(5).preset("small"));
    net->eval();  // batch statistics aside, both passes see the same network
    const MultiTaskTargets t = randomTargets(5, 2, 64);
    const auto images = torch::rand({2, 3, 64, 64}) * 2 - 1;
    const auto o = MultiTaskLossOptions().equivariance(0);
    const MultiTaskLosses f32 = multiTaskLoss(net, images, t, o);
    const MultiTaskLosses bf16 = multiTaskLoss(net, images, t, MultiTaskLossOptions(o).precision("bf16"));
    for (const auto* l : {&f32, &bf16})
        for (const auto& term : {l->total, l->segmentation, l->depth, l->keypoints, l->heatmap})
            EXPECT_EQ(term.scalar_type(), torch::kFloat32);
    // bfloat16 keeps 8 bits of mantissa: each term within a few per cent.
    EXPECT_NEAR(bf16.segmentation.item<double>(), f32.segmentation.item<double>(),
                0.03 * f32.segmentation.item<double>());
    EXPECT_NEAR(bf16.keypoints.item<double>(), f32.keypoints.item<double>(), 0.05 * f32.keypoints.item<double>());
    EXPECT_NEAR(bf16.total.item<double>(), f32.total.item<double>(), 0.03 * f32.total.item<double>());
    EXPECT_NE(bf16.total.item<double>(), f32.total.item<double>());  // it did run in bfloat16
    bf16.total.backward();
    for (const auto& p : net->parameters()) {
        ASSERT_TRUE(p.grad().defined());
        EXPECT_EQ(p.grad().scalar_type(), torch::kFloat32);  // parameters and gradients stay float32
    }
}

TEST(Autocast, SupervisedLossesEqualTheStepWithoutEquivariance) {
    torch::manual_seed(5);
    MultiTaskNet net(MultiTaskNetOptions(4).preset("small"));
    net->eval();
    const MultiTaskTargets t = randomTargets(4, 2, 64);
    const auto images = torch::rand({2, 3, 64, 64}) * 2 - 1;
    const auto o = MultiTaskLossOptions().equivariance(0).dice(0.5).classBalance(0.5);
    torch::NoGradGuard noGrad;
    const MultiTaskLosses step = multiTaskLoss(net, images, t, o);
    const MultiTaskLosses out = supervisedLosses(net->forward(images), t, o);
    EXPECT_EQ(step.total.item<double>(), out.total.item<double>());
    EXPECT_EQ(step.segmentation.item<double>(), out.segmentation.item<double>());
    EXPECT_EQ(step.dice.item<double>(), out.dice.item<double>());
}

TEST(Autocast, ClearedGradientsAreNoneAndTheNextBackwardWritesThem) {
    torch::nn::Linear lin(2, 1);
    torch::optim::SGD opt(lin->parameters(), torch::optim::SGDOptions(0.1));
    lin->forward(torch::ones({1, 2})).sum().backward();
    ASSERT_TRUE(lin->weight.grad().defined());
    clearGradients(opt);
    EXPECT_FALSE(lin->weight.grad().defined());
    EXPECT_FALSE(lin->bias.grad().defined());
    lin->forward(torch::full({1, 2}, 3.0)).sum().backward();
    // Written, not added to the old gradient: d(sum)/dw = the input.
    EXPECT_TRUE(torch::allclose(lin->weight.grad(), torch::full({1, 2}, 3.0)));
}
