#pragma once
// FNV-1a (64-bit) over bytes: a cheap identity for content named in
// manifests (the head model, the label map, a transfer model's weights). Not
// a security hash; it only has to tell one file or dataset from another.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace synthforge::io {

inline constexpr std::uint64_t kFnv1aOffset = 1469598103934665603ull;

/// Continues the hash `h` over `n` bytes (start from kFnv1aOffset).
inline std::uint64_t fnv1a(const void* data, std::size_t n, std::uint64_t h = kFnv1aOffset) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/// 16 lower-case hex digits.
inline std::string hex64(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

}  // namespace synthforge::io
