// The LibTorch forward must agree with the Eigen forward (within 1e-5) and
// give gradients, since fitting and alignment are built on it.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include "core/head/default_head/model_source.h"
#include "core/head/head_model_io.h"
#include "core/head/lbs.h"
#include "core/head/torch_lbs.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_head.h"

using namespace synthforge;
using namespace synthforge::head;

namespace {

torch::Tensor rowsToTensor(const RowMatX3f& m) {
    return torch::from_blob(const_cast<float*>(m.data()), {m.rows(), 3}, torch::kFloat32).clone();
}

torch::Tensor vecToTensor(const Eigen::VectorXf& v) {
    return torch::from_blob(const_cast<float*>(v.data()), {1, v.size()}, torch::kFloat32).clone();
}

void expectAgreement(const HeadModel& model, const std::vector<HeadParams>& batch) {
    const auto tm = TorchHeadModel::fromModel(model);
    const int64_t B = static_cast<int64_t>(batch.size());
    auto shape = torch::zeros({B, model.numShape()}), expr = torch::zeros({B, model.numExpr()});
    auto pose = torch::zeros({B, kNumPoseValues}), transl = torch::zeros({B, 3});
    for (int64_t b = 0; b < B; ++b) {
        const auto& p = batch[b];
        if (p.shape.size()) shape[b].narrow(0, 0, p.shape.size()).copy_(vecToTensor(p.shape)[0]);
        if (p.expr.size()) expr[b].narrow(0, 0, p.expr.size()).copy_(vecToTensor(p.expr)[0]);
        pose[b].copy_(vecToTensor(p.pose)[0]);
        transl[b].copy_(vecToTensor(p.transl)[0]);
    }
    const TorchHeadPose out = torchForward(tm, shape, expr, pose, transl);
    for (int64_t b = 0; b < B; ++b) {
        const HeadPose ref = forward(model, batch[b]);
        const double dv = (out.vertices[b] - rowsToTensor(ref.vertices)).abs().max().item<double>();
        const double dj = (out.joints[b] - rowsToTensor(ref.joints)).abs().max().item<double>();
        EXPECT_LT(dv, 1e-5) << "batch item " << b;
        EXPECT_LT(dj, 1e-5) << "batch item " << b;
        if (ref.landmarks.rows() > 0) {
            const double dl = (out.landmarks[b] - rowsToTensor(ref.landmarks)).abs().max().item<double>();
            EXPECT_LT(dl, 1e-5) << "batch item " << b;
        }
    }
}

std::vector<HeadParams> randomParams(const HeadModel& m, int n, unsigned seed, float poseScale) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<HeadParams> out(n);
    for (auto& p : out) {
        p.shape = Eigen::VectorXf::NullaryExpr(m.numShape(), [&] { return g(rng); });
        p.expr = Eigen::VectorXf::NullaryExpr(m.numExpr(), [&] { return g(rng); });
        p.pose = Eigen::Matrix<float, kNumPoseValues, 1>::NullaryExpr([&] { return poseScale * g(rng); });
        p.transl = Eigen::Vector3f::NullaryExpr([&] { return 0.05f * g(rng); });
    }
    return out;
}

}  // namespace

TEST(TorchLbs, RodriguesMatchesEigen) {
    const auto aa = torch::tensor({0.0f, 0.0f, 0.0f, 0.3f, -1.2f, 2.0f, 1e-6f, 0.0f, 0.0f}).reshape({3, 3});
    const auto R = torchAxisAngleToMatrix(aa);
    for (int i = 0; i < 3; ++i) {
        const Eigen::Vector3f v(aa[i][0].item<float>(), aa[i][1].item<float>(), aa[i][2].item<float>());
        const Eigen::Matrix3f ref = axisAngleToMatrix(v);
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c) EXPECT_NEAR(R[i][r][c].item<float>(), ref(r, c), 1e-6f);
    }
}

TEST(TorchLbs, AgreesWithEigenOnTinyHeads) {
    expectAgreement(testutil::makeTinyHead(), randomParams(testutil::makeTinyHead(), 4, 11, 0.4f));
    const HeadModel contour = testutil::makeTinyHeadWithContour();
    auto params = randomParams(contour, 6, 12, 0.3f);
    // Cover the negative-yaw branch of the contour bins too.
    params[0].pose.setZero();
    params[0].pose[3 * kNeck + 1] = -0.5f;
    params[1].pose.setZero();
    params[1].pose[3 * kGlobal + 1] = 0.9f;
    expectAgreement(contour, params);
}

TEST(TorchLbs, AgreesWithEigenOnFlameFixture) {
    HeadModel m = loadHeadModel(testutil::fixturePath("generic_model.pkl"));
    attachLandmarkFile(m, testutil::fixturePath("landmark_embedding.npy"));
    auto params = randomParams(m, 3, 5, 0.25f);
    params.push_back(HeadParams{});  // zero pose: the epsilon path of Rodrigues
    expectAgreement(m, params);
}

TEST(TorchLbs, AcceptsShorterCoefficientVectorsAndRejectsLongerOnes) {
    const HeadModel m = testutil::makeTinyHead();
    const auto tm = TorchHeadModel::fromModel(m);
    HeadParams p;
    p.shape = Eigen::VectorXf::Constant(2, 0.7f);
    const auto out = torchForward(tm, vecToTensor(p.shape), {}, {}, {});
    EXPECT_LT((out.vertices[0] - rowsToTensor(forward(m, p).vertices)).abs().max().item<double>(), 1e-6);
    EXPECT_THROW(torchForward(tm, torch::zeros({1, m.numShape() + 1}), {}, {}, {}), std::invalid_argument);
}

TEST(TorchLbs, GradientsAreCorrectAndFiniteAtRest) {
    const HeadModel m = testutil::makeTinyHeadWithContour();
    const auto tm = TorchHeadModel::fromModel(m);
    auto shape = torch::zeros({1, m.numShape()}, torch::requires_grad());
    auto pose = torch::zeros({1, kNumPoseValues}, torch::requires_grad());
    auto transl = torch::zeros({1, 3}, torch::requires_grad());
    const auto out = torchForward(tm, shape, {}, pose, transl);
    out.vertices.sum().backward();
    // d(sum of vertices)/d(transl) = V for every axis.
    EXPECT_TRUE(torch::allclose(transl.grad(), torch::full({1, 3}, static_cast<float>(m.numVertices()))));
    // At rest, d(sum)/d(shape_k) = sum of basis column k (skinning is identity).
    for (int k = 0; k < m.numShape(); ++k)
        EXPECT_NEAR(shape.grad()[0][k].item<float>(), m.shapedirs.col(k).sum(), 1e-5f) << k;
    EXPECT_TRUE(torch::isfinite(pose.grad()).all().item<bool>());
    // Finite differences on a pose value away from zero.
    torch::NoGradGuard noGrad;
    auto loss = [&](float jaw) {
        auto p = torch::zeros({1, kNumPoseValues});
        p[0][3 * kJaw] = jaw;
        return torchForward(tm, {}, {}, p, {}).vertices.pow(2).sum().item<double>();
    };
    const double h = 1e-3, fd = (loss(0.3f + h) - loss(0.3f - h)) / (2 * h);
    torch::AutoGradMode enable(true);
    auto p = torch::zeros({1, kNumPoseValues});
    p[0][3 * kJaw] = 0.3f;
    p.requires_grad_(true);
    torchForward(tm, {}, {}, p, {}).vertices.pow(2).sum().backward();
    EXPECT_NEAR(p.grad()[0][3 * kJaw].item<double>(), fd, 1e-3 * std::max(1.0, std::abs(fd)));
}
