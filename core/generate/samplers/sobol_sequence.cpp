#include "core/generate/samplers/sobol_sequence.h"

#include <array>
#include <stdexcept>
#include <string>

#include "core/generate/sample_rng.h"
#include "core/generate/samplers/sampling_config.h"

namespace synthforge::generate {

namespace {

/// Dimensions 2..21 of Joe & Kuo's table (dimension 1 is the van der
/// Corput sequence): degree s, coefficients a, initial direction numbers m.
struct JoeKuoRow {
    int s;
    std::uint32_t a;
    std::array<std::uint32_t, 8> m;
};
constexpr JoeKuoRow kJoeKuo[kMaxSobolAxes - 1] = {
    {1, 0, {1}},
    {2, 1, {1, 3}},
    {3, 1, {1, 3, 1}},
    {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}},
    {4, 4, {1, 3, 5, 13}},
    {5, 2, {1, 1, 5, 5, 17}},
    {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}},
    {5, 11, {1, 1, 5, 1, 1}},
    {5, 13, {1, 1, 1, 3, 11}},
    {5, 14, {1, 3, 5, 5, 31}},
    {6, 1, {1, 3, 3, 9, 7, 49}},
    {6, 13, {1, 1, 1, 15, 21, 21}},
    {6, 16, {1, 3, 1, 13, 27, 49}},
    {6, 19, {1, 1, 1, 15, 7, 5}},
    {6, 22, {1, 3, 1, 15, 13, 25}},
    {6, 25, {1, 1, 5, 5, 19, 61}},
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},
};

/// The 32 direction numbers v_1..v_32 of every dimension, left-aligned.
struct DirectionTable {
    std::array<std::array<std::uint32_t, 32>, kMaxSobolAxes> v{};
    DirectionTable() {
        for (int k = 0; k < 32; ++k) v[0][k] = 1u << (31 - k);
        for (int d = 1; d < kMaxSobolAxes; ++d) {
            const JoeKuoRow& r = kJoeKuo[d - 1];
            auto& w = v[d];
            for (int k = 0; k < r.s; ++k) w[k] = r.m[k] << (31 - k);
            // The recurrence of the primitive polynomial x^s + a_1 x^(s-1) + ... + 1:
            // v_k = v_(k-s) ^ (v_(k-s) >> s) ^ sum_j a_j v_(k-j).
            for (int k = r.s; k < 32; ++k) {
                std::uint32_t x = w[k - r.s] ^ (w[k - r.s] >> r.s);
                for (int j = 1; j < r.s; ++j)
                    if ((r.a >> (r.s - 1 - j)) & 1u) x ^= w[k - j];
                w[k] = x;
            }
        }
    }
};

const DirectionTable& table() {
    static const DirectionTable t;
    return t;
}

}  // namespace

std::uint32_t sobolDigits(std::uint64_t index, int dim) {
    if (dim < 0 || dim >= kMaxSobolAxes)
        throw std::invalid_argument("sobol: dimension " + std::to_string(dim) + " outside 0.." +
                                    std::to_string(kMaxSobolAxes - 1));
    const auto& v = table().v[dim];
    std::uint32_t x = 0;
    // Point i is the XOR of the direction numbers of i's set bits; beyond 32
    // bits the sequence would repeat, which no dataset reaches.
    for (int k = 0; k < 32 && index; ++k, index >>= 1)
        if (index & 1u) x ^= v[k];
    return x;
}

std::uint32_t owenScramble(std::uint32_t digits, std::uint64_t key) {
    std::uint32_t out = 0;
    for (int depth = 0; depth < 32; ++depth) {
        const int bit = 31 - depth;
        // The flip of this digit depends on the digits above it: that makes
        // the permutation nested (Owen), not one shift for every point.
        const std::uint64_t above = depth == 0 ? 0 : digits >> (bit + 1);
        const std::uint64_t h = SampleRng::mix(key ^ SampleRng::mix((above << 6) | static_cast<std::uint64_t>(depth)));
        out |= ((((digits >> bit) & 1u) ^ static_cast<std::uint32_t>(h >> 63)) << bit);
    }
    return out;
}

double scrambledSobol(std::uint64_t index, int dim, std::uint64_t seed) {
    const std::uint64_t key = SampleRng::mix(SampleRng::mix(seed ^ 0x536F626F6C000000ull) + static_cast<std::uint64_t>(dim));
    return (static_cast<double>(owenScramble(sobolDigits(index, dim), key)) + 0.5) * 0x1.0p-32;
}

SobolPolynomial sobolPolynomial(int dim) {
    if (dim < 1 || dim >= kMaxSobolAxes) throw std::invalid_argument("sobolPolynomial: dimension out of range");
    return {kJoeKuo[dim - 1].s, kJoeKuo[dim - 1].a};
}

}  // namespace synthforge::generate
