#pragma once
// A typed, C-ordered, little-endian n-dimensional array as read from numpy,
// pickle or safetensors files. It is the common currency of every reader in
// core/io so that loaders above them (head models, embeddings) never care
// which container the numbers came in.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace synthforge::io {

enum class DType { Bool, U8, I8, U16, I16, U32, I32, U64, I64, F16, F32, F64 };

/// Bytes per element.
std::size_t dtypeSize(DType t);
/// Short name as numpy writes it without byte order ("f4", "i8", "b1", ...).
std::string dtypeName(DType t);
/// True for F16/F32/F64.
bool dtypeIsFloat(DType t);

/// Refuses element counts that overflow or exceed this many bytes; every
/// reader checks sizes against it before allocating.
constexpr std::uint64_t kMaxArrayBytes = 4ull << 30;  // 4 GiB

/// Product of dims, throwing std::runtime_error (naming `what`) on negative
/// dims, overflow, or a byte size above kMaxArrayBytes for `elemSize`.
std::uint64_t checkedElementCount(const std::vector<std::int64_t>& shape, std::size_t elemSize,
                                  const std::string& what);

struct NdArray {
    DType dtype = DType::F64;
    std::vector<std::int64_t> shape;  ///< empty = 0-d scalar
    std::vector<std::uint8_t> data;   ///< numel() * dtypeSize(dtype) bytes, C order, little-endian

    std::size_t numel() const;
    std::size_t ndim() const { return shape.size(); }

    /// Element-wise conversions. Integer -> float is exact up to 2^24 (f32).
    std::vector<float> toFloat() const;
    std::vector<double> toDouble() const;
    /// Throws if the dtype is floating point and a value is not integral.
    std::vector<std::int64_t> toInt64() const;

    /// Shape as text, e.g. "(5023, 3, 400)".
    std::string shapeString() const;

    static NdArray fromFloat(const std::vector<float>& values, std::vector<std::int64_t> shape);
    static NdArray fromInt32(const std::vector<std::int32_t>& values, std::vector<std::int64_t> shape);
    static NdArray fromInt64(const std::vector<std::int64_t>& values, std::vector<std::int64_t> shape);
};

/// Reorders a Fortran-ordered buffer (column-major) into C order in place.
void fortranToC(NdArray& a);
/// Swaps the bytes of every element (big-endian input).
void byteSwap(NdArray& a);

}  // namespace synthforge::io
