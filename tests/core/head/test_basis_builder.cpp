#include <gtest/gtest.h>

#include <random>

#include "core/head/basis_builder.h"
#include "core/head/surface_query.h"

using namespace synthforge::head;

TEST(PcaBasis, RecoversKnownAxesScaledToOneSigma) {
    // Samples along two orthogonal axes with standard deviations 3 and 1.
    std::mt19937 rng(1);
    std::normal_distribution<float> g(0.0f, 1.0f);
    const int N = 300;  // the Gram matrix is N x N
    Eigen::MatrixXf s(4, N);
    Eigen::Vector4f a(1, 1, 0, 0), b(0, 0, 1, -1);
    a.normalize();
    b.normalize();
    for (int i = 0; i < N; ++i) s.col(i) = Eigen::Vector4f(5, 0, 0, 1) + 3.0f * g(rng) * a + 1.0f * g(rng) * b;
    const PcaBasis p = pcaBasis(s, 2);
    EXPECT_NEAR(p.components.col(0).norm(), 3.0f, 0.3f);
    EXPECT_NEAR(p.components.col(1).norm(), 1.0f, 0.1f);
    EXPECT_NEAR(std::abs(p.components.col(0).normalized().dot(a)), 1.0f, 1e-3f);
    EXPECT_NEAR(std::abs(p.components.col(1).normalized().dot(b)), 1.0f, 1e-3f);
    EXPECT_NEAR(p.components.col(0).dot(p.components.col(1)), 0.0f, 1e-3f);
    EXPECT_LT((p.mean - Eigen::Vector4f(5, 0, 0, 1)).norm(), 0.4f);
    EXPECT_THROW(pcaBasis(s, 3), std::runtime_error);  // only 2 directions exist
    EXPECT_THROW(pcaBasis(s.leftCols(2), 2), std::invalid_argument);
}

TEST(Loewdin, OrthogonalKeepsNormsAndStaysCloseToInput) {
    Eigen::MatrixXf b(4, 3);
    b << 1, 0.2f, 0, 0, 1, 0.1f, 0, 0, 2, 0.1f, 0, 0;
    const Eigen::MatrixXf o = loewdinOrthogonalise(b);
    const Eigen::MatrixXf gram = o.transpose() * o;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            if (i != j) EXPECT_NEAR(gram(i, j), 0.0f, 1e-5f);
    for (int k = 0; k < 3; ++k) {
        EXPECT_NEAR(o.col(k).norm(), b.col(k).norm(), 1e-5f);
        EXPECT_GT(o.col(k).normalized().dot(b.col(k).normalized()), 0.97f);
    }
    Eigen::MatrixXf dep = b;
    dep.col(2) = b.col(0) + b.col(1);
    EXPECT_THROW(loewdinOrthogonalise(dep), std::invalid_argument);
}

TEST(SurfaceQuery, ClosestPointRegions) {
    RowMatX3f v(3, 3);
    v << 0, 0, 0, 1, 0, 0, 0, 1, 0;
    RowMatX3i f(1, 3);
    f << 0, 1, 2;
    auto q = closestSurfacePoint(v, f, Eigen::Vector3f(0.25f, 0.25f, 2.0f));
    EXPECT_TRUE(q.bary.isApprox(Eigen::Vector3f(0.5f, 0.25f, 0.25f), 1e-6f));
    EXPECT_NEAR(q.distance, 2.0f, 1e-6f);
    q = closestSurfacePoint(v, f, Eigen::Vector3f(-1, -1, 0));
    EXPECT_TRUE(q.bary.isApprox(Eigen::Vector3f(1, 0, 0)));
    q = closestSurfacePoint(v, f, Eigen::Vector3f(1, 1, 0));  // nearest the hypotenuse midpoint
    EXPECT_TRUE(q.position.isApprox(Eigen::Vector3f(0.5f, 0.5f, 0), 1e-6f));
    EXPECT_THROW(closestSurfacePoint(v, f, Eigen::Vector3f::Zero(), {3}), std::invalid_argument);
}
