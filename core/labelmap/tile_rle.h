#pragma once
// Run-length coding of tile deltas for undo records. A delta (the XOR of a
// tile before and after an edit) is zero outside the painted shape and nearly
// constant inside it, so runs are long: a typical brush-edge tile of 64x64
// codes to a few hundred bytes instead of 4096.
//
// Format: a sequence of (run length as LEB128 varint, value byte) pairs.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace synthforge::labelmap {

/// Codes n bytes.
std::vector<std::uint8_t> rleEncode(const std::uint8_t* data, std::size_t n);
/// XORs the decoded bytes into out[0..n). Throws std::logic_error when the
/// code does not decode to exactly n bytes (records are made in memory by
/// this library, so that is a bug, not bad input).
void rleXorInto(const std::vector<std::uint8_t>& code, std::uint8_t* out, std::size_t n);

}  // namespace synthforge::labelmap
