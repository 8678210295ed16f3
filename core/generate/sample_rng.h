#pragma once
// Counter-based random numbers for dataset generation: sample i's values
// depend only on (seed, i, stream), never on which samples ran before it or
// on which shard or thread draws them. That is what makes shards of a run
// equal an unsharded run byte for byte, and lets a resumed run continue
// without replaying anything.
//
// The generator is SplitMix64 (Steele, Lea & Flood 2014) keyed by a mix of the
// three inputs. Uniforms and normals are computed here from raw 64-bit
// values, not with <random>'s distributions, whose algorithms differ between
// standard libraries.

#include <cmath>
#include <cstdint>

namespace synthforge::generate {

/// Independent streams within one sample, so that adding a draw to one part
/// (say, more shape components) does not shift the values of another.
enum class RngStream : std::uint64_t { Camera = 1, Head = 2, Latent = 3, Appearance = 4, Assets = 5, CameraEffects = 6 };

class SampleRng {
public:
    SampleRng(std::uint64_t seed, std::uint64_t index, RngStream stream)
        : state_(mix(mix(mix(seed) ^ (index * 0x9E3779B97F4A7C15ull)) ^ static_cast<std::uint64_t>(stream))) {}

    std::uint64_t nextU64() {
        state_ += 0x9E3779B97F4A7C15ull;
        return mix(state_);
    }
    /// Uniform in [0, 1) with 53 random bits.
    double uniform01() { return static_cast<double>(nextU64() >> 11) * 0x1.0p-53; }
    /// Uniform in [lo, hi] (hi is reached only when lo == hi).
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
    /// Standard normal by the Box-Muller transform (one value per call; the
    /// pair's second value is dropped so that every call costs the same).
    double normal() {
        const double u1 = 1.0 - uniform01();  // (0, 1]: log is finite
        const double u2 = uniform01();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }

    /// SplitMix64's finaliser: a bijective 64-bit mix.
    static std::uint64_t mix(std::uint64_t z) {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

private:
    std::uint64_t state_;
};

}  // namespace synthforge::generate
