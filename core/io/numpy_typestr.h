#pragma once
// numpy's array-protocol type strings ("<f4", "|u1", "=i8", "?", "|O",
// "<U3", "|S5"): the one parser behind the .npy header's 'descr' and the
// pickled numpy.dtype(typestr) calls.

#include <cstddef>
#include <optional>
#include <string>

#include "core/io/ndarray.h"

namespace synthforge::io {

struct NumpyTypestr {
    enum class Kind { Number, Object, Text };
    Kind kind = Kind::Number;
    DType dtype = DType::F64;  ///< for Number
    /// The byte-order character as written: '<', '>', '|' or '=' ('|' and
    /// '=' mean native, which is little-endian on every machine we build
    /// for), or 0 when the string has none.
    char byteOrder = 0;
    char textKind = 0;         ///< 'U' (UTF-32 text) or 'S' (bytes), for Text
    std::size_t textLen = 0;   ///< characters per element, for Text (1..999999)
    bool bigEndian() const { return byteOrder == '>'; }
};

/// Parses a type string: an optional byte order, then "O"/"O4"/"O8"
/// (object; Python 2 numpy wrote "|O8"), "?" or "b1" (bool), u1 i1 u2 i2 u4
/// i4 u8 i8 f2 f4 f8, or U<n>/S<n> fixed-width text. Anything else is
/// nullopt; callers name what they support in their own error.
std::optional<NumpyTypestr> parseNumpyTypestr(const std::string& typestr);

}  // namespace synthforge::io
