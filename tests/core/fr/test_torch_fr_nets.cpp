// IResNet shapes and names, and the margin heads' logits against values
// worked out by hand at known angles and norms.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/fr/torch_iresnet.h"
#include "core/fr/torch_margin_heads.h"

namespace synthforge::fr {
namespace {

TEST(IResNet, PresetsGiveEmbeddingsOfTheirSizeWithInsightFaceNames) {
    torch::manual_seed(0);
    IResNet tiny(iresnetPreset("tiny"));
    tiny->eval();
    const torch::Tensor e = tiny->forward(torch::randn({2, 3, 112, 112}));
    EXPECT_EQ(e.sizes(), (torch::IntArrayRef{2, 128}));
    EXPECT_TRUE(torch::isfinite(e).all().item<bool>());
    const auto names = tiny->named_parameters().keys();
    for (const char* want : {"conv1.weight", "bn1.weight", "prelu.weight", "layer1.0.bn1.weight", "layer1.0.conv2.weight",
                             "layer1.0.downsample.0.weight", "layer4.0.bn3.bias", "fc.weight", "features.bias"})
        EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
    // Stage depths: ir50 has 3 + 4 + 14 + 3 blocks, 512-d output.
    const IResNetOptions ir50 = iresnetPreset("ir50");
    EXPECT_EQ(ir50.blocks, (std::vector<int64_t>{3, 4, 14, 3}));
    EXPECT_EQ(iresnetPreset("ir100").blocks, (std::vector<int64_t>{3, 13, 30, 3}));
    IResNet ir18(iresnetPreset("ir18"));
    EXPECT_EQ(ir18->layer3->size(), 2u);
    EXPECT_EQ(ir18->fc->weight.sizes(), (torch::IntArrayRef{512, 512 * 7 * 7}));
    EXPECT_FALSE(ir18->features->weight.requires_grad());  // the embedding BN's scale stays 1
    EXPECT_THROW(iresnetPreset("ir34"), std::invalid_argument);
}

/// A head on 2-d embeddings with class 0's centre along x and class 1's along y.
MarginHead twoClassHead(MarginKind kind) {
    MarginHeadOptions o;
    o.kind = kind;
    o.embedding = 2;
    o.classes = 2;
    MarginHead h(o);
    torch::NoGradGuard g;
    h->kernel.copy_(torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}}));
    return h;
}

/// Unit embeddings at `degrees` from class 0 (so 90 - degrees from class 1).
torch::Tensor at(std::vector<double> degrees) {
    std::vector<float> v;
    for (double d : degrees) {
        v.push_back(static_cast<float>(std::cos(d * M_PI / 180)));
        v.push_back(static_cast<float>(std::sin(d * M_PI / 180)));
    }
    return torch::tensor(v).reshape({static_cast<int64_t>(degrees.size()), 2});
}

TEST(MarginHeads, ArcFaceAndCosFaceByHand) {
    const torch::Tensor e = at({60}), n = torch::ones({1, 1}), y = torch::tensor({int64_t{0}});
    // ArcFace: 64 cos(60 deg + 0.5 rad) = 64 cos(1.5471976) = 64 * 0.0235966 = 1.510181 on the target;
    // the other class: 64 cos(30 deg) = 55.425626.
    auto arc = twoClassHead(MarginKind::ArcFace);
    const torch::Tensor a = arc->forward(e, n, y);
    EXPECT_NEAR(a[0][0].item<double>(), 1.510181, 1e-4);
    EXPECT_NEAR(a[0][1].item<double>(), 55.425626, 1e-4);
    // CosFace: 64 (0.5 - 0.35) = 9.6.
    auto cosf = twoClassHead(MarginKind::CosFace);
    EXPECT_NEAR(cosf->forward(e, n, y)[0][0].item<double>(), 9.6, 1e-4);
    // A cosine of 1 is clamped to 1 - 1e-3 first: 64 (0.999 - 0.35) = 41.536.
    EXPECT_NEAR(cosf->forward(at({0}), n, y)[0][0].item<double>(), 41.536, 1e-4);
    EXPECT_THROW(parseMarginKind("sphereface"), std::invalid_argument);
}

TEST(MarginHeads, AdaFaceByHandAndItsNormStatistics) {
    auto ada = twoClassHead(MarginKind::AdaFace);
    ada->train();
    // Two samples at 60 deg from their target (class 0), norms 120 (clipped to 100) and 20.
    const torch::Tensor e = at({60, 60}), y = torch::tensor({int64_t{0}, int64_t{0}});
    const torch::Tensor logits = ada->forward(e, torch::tensor({{120.0f}, {20.0f}}), y);
    // Clipped norms 100, 20: mean 60, unbiased std sqrt(2 * 40^2 / 1) = 56.568542.
    // EMA: mean 0.01 * 60 + 0.99 * 20 = 20.4; std 0.01 * 56.568542 + 0.99 * 100 = 99.565685.
    EXPECT_NEAR(ada->batchMean.item<double>(), 20.4, 1e-4);
    EXPECT_NEAR(ada->batchStd.item<double>(), 99.565685, 1e-4);
    // Sample 0: z = 0.333 (100 - 20.4) / (99.565685 + 0.001) = 0.266222;
    // angle 60 deg - 0.4 z = 1.047198 - 0.106489 = 0.940709; cos = 0.589216;
    // minus 0.4 + 0.4 z = 0.506489 -> 0.082727; times 64 = 5.29451.
    EXPECT_NEAR(logits[0][0].item<double>(), 5.29451, 2e-3);
    // Sample 1: z = 0.333 (20 - 20.4) / 99.566685 = -0.0013378; angle 1.047198 + 0.000535 = 1.047733;
    // cos = 0.499537; minus 0.4 - 0.000535 = 0.399465 -> 0.100072; times 64 = 6.40458.
    EXPECT_NEAR(logits[1][0].item<double>(), 6.40458, 2e-3);
    // Non-target logits carry no margin: 64 cos 30 deg.
    EXPECT_NEAR(logits[0][1].item<double>(), 55.425626, 1e-3);
    // In eval mode the statistics stay.
    ada->eval();
    ada->forward(e, torch::tensor({{50.0f}, {50.0f}}), y);
    EXPECT_NEAR(ada->batchMean.item<double>(), 20.4, 1e-4);
}

}  // namespace
}  // namespace synthforge::fr
