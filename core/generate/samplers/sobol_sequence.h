#pragma once
// A scrambled Sobol sequence: point i of up to kMaxSobolAxes dimensions,
// computed directly from i (no state), so sample i of a run needs no other
// sample. Direction numbers are Joe & Kuo's ("new-joe-kuo-6.21201", search
// criterion D(6); Joe & Kuo, SIAM J. Sci. Comput. 30, 2008); the scrambling
// is Owen's nested uniform scrambling with the random bits taken from a
// hash of (key, digit position, the digits above it), which keeps the
// net structure of the sequence (every 2^m points of each coordinate fill
// the 2^m intervals of width 2^-m once each) and makes the points an
// unbiased, randomised quasi-Monte Carlo set.

#include <cstdint>

namespace synthforge::generate {

/// Coordinate `dim` (0-based, < kMaxSobolAxes) of the unscrambled point
/// `index`, as 32 binary digits (value / 2^32 in [0, 1)). Throws
/// std::invalid_argument for a dimension out of range.
std::uint32_t sobolDigits(std::uint64_t index, int dim);

/// Owen-scrambles 32 binary digits with the random tree selected by `key`.
std::uint32_t owenScramble(std::uint32_t digits, std::uint64_t key);

/// Coordinate `dim` of point `index`, scrambled by (seed, dim), in (0, 1):
/// the scrambled digits plus half a unit in the last place.
double scrambledSobol(std::uint64_t index, int dim, std::uint64_t seed);

/// The primitive polynomial of dimension `dim` >= 1: its degree and its
/// inner coefficients a (Joe & Kuo's s and a); for tests of the table.
struct SobolPolynomial {
    int degree = 0;
    std::uint32_t a = 0;
};
SobolPolynomial sobolPolynomial(int dim);

}  // namespace synthforge::generate
