#pragma once
// Whole-file reads with size limits and atomic writes (write a temporary
// sibling, then rename) so that a crash never leaves a half-written file
// where a good one was.

#include <cstdint>
#include <string>
#include <vector>

namespace synthforge::io {

/// Reads a whole file. Throws std::runtime_error naming the path when it
/// cannot be opened or is larger than maxBytes.
std::vector<std::uint8_t> readFileBytes(const std::string& path, std::uint64_t maxBytes = 8ull << 30);
std::string readFileText(const std::string& path, std::uint64_t maxBytes = 256ull << 20);

/// The extension of `path`'s file name with its dot, lower-cased (ASCII):
/// "a/B.PKL" -> ".pkl", "a/b" -> "". Formats are chosen by it, so that
/// "MODEL.PLY" and "model.ply" mean the same.
std::string lowerExtension(const std::string& path);

/// Writes `size` bytes to `path` atomically.
void writeFileAtomic(const std::string& path, const void* data, std::size_t size);
inline void writeFileAtomic(const std::string& path, const std::string& text) {
    writeFileAtomic(path, text.data(), text.size());
}

}  // namespace synthforge::io
