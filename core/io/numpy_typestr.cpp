#include "core/io/numpy_typestr.h"

#include <cstring>

namespace synthforge::io {

std::optional<NumpyTypestr> parseNumpyTypestr(const std::string& typestr) {
    NumpyTypestr t;
    std::string code = typestr;
    if (!code.empty() && std::strchr("<>|=", code[0]) != nullptr) {
        t.byteOrder = code[0];
        code.erase(0, 1);
    }
    if (code.empty()) return std::nullopt;
    if (code == "O" || code == "O4" || code == "O8") {
        t.kind = NumpyTypestr::Kind::Object;
        return t;
    }
    if (code == "?") {
        t.dtype = DType::Bool;
        return t;
    }
    // Fixed-width strings ("<U3", "|S5"): np.savez stores Python strings such
    // as FLAME's bs_style this way.
    if ((code[0] == 'U' || code[0] == 'S') && code.size() > 1 && code.size() <= 7 &&
        code.find_first_not_of("0123456789", 1) == std::string::npos) {
        t.kind = NumpyTypestr::Kind::Text;
        t.textKind = code[0];
        t.textLen = static_cast<std::size_t>(std::stoul(code.substr(1)));
        if (t.textLen == 0) return std::nullopt;
        return t;
    }
    static const DType kAll[] = {DType::Bool, DType::U8,  DType::I8,  DType::U16, DType::I16, DType::U32,
                                 DType::I32,  DType::U64, DType::I64, DType::F16, DType::F32, DType::F64};
    for (DType d : kAll) {
        if (dtypeName(d) == code) {
            t.dtype = d;
            return t;
        }
    }
    return std::nullopt;
}

}  // namespace synthforge::io
