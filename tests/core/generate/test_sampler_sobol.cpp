// The scrambled Sobol sampler: the direction-number table is sound (primitive
// polynomials, net properties), scrambling keeps the nets, and the points
// cover the unit cube more evenly than i.i.d. points (L2-star discrepancy).

#include <cmath>
#include <set>

#include <gtest/gtest.h>

#include "core/generate/sample_rng.h"
#include "core/generate/samplers/sobol_sequence.h"
#include "tests/core/generate/sampler_test_util.h"

namespace synthforge::generate {
namespace {

using testing::tinyConfig;
using testing::tinyModel;
using testing::unitPoints;

/// Warnock's closed form of the L2-star discrepancy of points in [0, 1]^d.
double l2StarDiscrepancy(const std::vector<std::vector<double>>& x) {
    const double n = static_cast<double>(x.size());
    const int d = static_cast<int>(x.at(0).size());
    double single = 0, pair = 0;
    for (const auto& p : x) {
        double prod = 1;
        for (int k = 0; k < d; ++k) prod *= 1.0 - p[k] * p[k];
        single += prod;
    }
    for (const auto& p : x)
        for (const auto& q : x) {
            double prod = 1;
            for (int k = 0; k < d; ++k) prod *= 1.0 - std::max(p[k], q[k]);
            pair += prod;
        }
    return std::sqrt(std::pow(3.0, -d) - std::pow(2.0, 1 - d) / n * single + pair / (n * n));
}

/// x^k mod p over GF(2), polynomials as bit masks.
std::uint32_t mulmodX(std::uint32_t r, std::uint32_t p, int degree) {
    r <<= 1;
    if (r & (1u << degree)) r ^= p;
    return r;
}

TEST(SobolSequence, PolynomialsArePrimitive) {
    for (int d = 1; d < kMaxSobolAxes; ++d) {
        const SobolPolynomial sp = sobolPolynomial(d);
        // x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1
        const std::uint32_t p = (1u << sp.degree) | (sp.a << 1) | 1u;
        // Primitive: x has order exactly 2^s - 1 modulo p.
        const std::uint32_t order = (1u << sp.degree) - 1;
        std::uint32_t r = 1;
        std::uint32_t first = 0;
        for (std::uint32_t k = 1; k <= order; ++k) {
            r = mulmodX(r, p, sp.degree);
            if (r == 1 && first == 0) first = k;
        }
        EXPECT_EQ(first, order) << "dimension " << d << " (s " << sp.degree << ", a " << sp.a << ")";
    }
}

TEST(SobolSequence, EveryCoordinateIsStratifiedByPowersOfTwo) {
    for (int d = 0; d < kMaxSobolAxes; ++d)
        for (int m : {1, 4, 8, 11}) {
            std::set<std::uint32_t> cells;
            for (std::uint64_t i = 0; i < (1u << m); ++i) cells.insert(sobolDigits(i, d) >> (32 - m));
            EXPECT_EQ(cells.size(), 1u << m) << "dimension " << d << ", m " << m;
            // Owen scrambling keeps the property, with scrambled cells.
            std::set<std::uint32_t> scrambled;
            for (std::uint64_t i = 0; i < (1u << m); ++i)
                scrambled.insert(static_cast<std::uint32_t>(scrambledSobol(i, d, 99) * (1u << m)));
            EXPECT_EQ(scrambled.size(), 1u << m) << "scrambled dimension " << d << ", m " << m;
        }
}

TEST(SobolSequence, FirstTwoDimensionsFormZeroNets) {
    // Every elementary interval of area 2^-m holds exactly one of the first
    // 2^m points (a (0, m, 2)-net), scrambled or not.
    const int m = 8;
    for (bool scrambled : {false, true})
        for (int a = 0; a <= m; ++a) {
            std::set<std::pair<std::uint32_t, std::uint32_t>> boxes;
            for (std::uint64_t i = 0; i < (1u << m); ++i) {
                const double x = scrambled ? scrambledSobol(i, 0, 5) : sobolDigits(i, 0) * 0x1.0p-32;
                const double y = scrambled ? scrambledSobol(i, 1, 5) : sobolDigits(i, 1) * 0x1.0p-32;
                boxes.insert({static_cast<std::uint32_t>(x * (1u << a)), static_cast<std::uint32_t>(y * (1u << (m - a)))});
            }
            EXPECT_EQ(boxes.size(), 1u << m) << "a " << a << (scrambled ? " scrambled" : "");
        }
}

TEST(SobolSequence, KnownLeadingPoints) {
    // Direct (not Gray-code) order: point i XORs the direction numbers of
    // i's bits. Dimension 0 is van der Corput: 0, 1/2, 1/4, 3/4. Dimension 1
    // (x + 1, m = 1): v = 1/2, 3/4, 5/8; dimension 2 (x^2 + x + 1, m = 1, 3):
    // v = 1/2, 3/4, 3/8 (m_3 = 4 m_1 ^ m_1 ^ 2 m_2 = 3).
    EXPECT_EQ(sobolDigits(2, 0), 0x40000000u);
    EXPECT_EQ(sobolDigits(3, 0), 0xC0000000u);
    EXPECT_EQ(sobolDigits(1, 1), 0x80000000u);
    EXPECT_EQ(sobolDigits(2, 1), 0xC0000000u);
    EXPECT_EQ(sobolDigits(3, 1), 0x40000000u);
    EXPECT_EQ(sobolDigits(4, 1), 0xA0000000u);
    EXPECT_EQ(sobolDigits(2, 2), 0xC0000000u);
    EXPECT_EQ(sobolDigits(4, 2), 0x60000000u);
    EXPECT_THROW(sobolDigits(0, kMaxSobolAxes), std::invalid_argument);
}

TEST(SobolSampler, LowerStarDiscrepancyThanIid) {
    auto model = tinyModel();
    SamplerConfig sobol = tinyConfig(SamplerKind::Sobol);
    sobol.sampling.axes = {SamplingAxis::parse("yaw", "t"), SamplingAxis::parse("pitch", "t"),
                           SamplingAxis::parse("shape:0", "t"), SamplingAxis::parse("expr:2", "t")};
    SamplerConfig iid = sobol;
    iid.sampling.kind = SamplerKind::Iid;
    const auto s = makeSampler(sobol, model), r = makeSampler(iid, model);
    for (int n : {64, 256, 1000})
        for (std::uint64_t seed : {1u, 2u, 3u}) {
            const double ds = l2StarDiscrepancy(unitPoints(*s, sobol, sobol.sampling.axes, n, seed));
            const double di = l2StarDiscrepancy(unitPoints(*r, iid, sobol.sampling.axes, n, seed));
            // Sobol's error shrinks nearly as 1/n against 1/sqrt(n): the gap
            // widens with n.
            EXPECT_LT(ds, (n >= 256 ? 0.5 : 0.8) * di) << "n " << n << ", seed " << seed << ": sobol " << ds << ", iid " << di;
        }
}

TEST(SobolSampler, OtherParametersStayIidAndSeedsScramble) {
    auto model = tinyModel();
    SamplerConfig c = tinyConfig(SamplerKind::Sobol);  // default axes: yaw and pitch
    const auto s = makeSampler(c, model);
    SamplerConfig iidConfig = c;
    iidConfig.sampling.kind = SamplerKind::Iid;
    for (std::uint64_t i : {0u, 5u, 77u}) {
        const SampleSpec a = s->draw(3, i), b = drawSample(iidConfig, *model, 3, i);
        EXPECT_EQ(a.params.shape, b.params.shape);
        EXPECT_EQ(a.z, b.z);
        EXPECT_EQ(a.camera.eg3dFovDeg, b.camera.eg3dFovDeg);
        EXPECT_NE(a.camera.yaw, b.camera.yaw);
        // Another seed scrambles differently.
        EXPECT_NE(s->draw(4, i).camera.yaw, a.camera.yaw);
    }
}

}  // namespace
}  // namespace synthforge::generate
