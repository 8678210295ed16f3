#include "core/io/ndarray.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace synthforge::io {

std::size_t dtypeSize(DType t) {
    switch (t) {
        case DType::Bool: case DType::U8: case DType::I8: return 1;
        case DType::U16: case DType::I16: case DType::F16: return 2;
        case DType::U32: case DType::I32: case DType::F32: return 4;
        case DType::U64: case DType::I64: case DType::F64: return 8;
    }
    return 0;
}

std::string dtypeName(DType t) {
    switch (t) {
        case DType::Bool: return "b1";
        case DType::U8: return "u1";
        case DType::I8: return "i1";
        case DType::U16: return "u2";
        case DType::I16: return "i2";
        case DType::U32: return "u4";
        case DType::I32: return "i4";
        case DType::U64: return "u8";
        case DType::I64: return "i8";
        case DType::F16: return "f2";
        case DType::F32: return "f4";
        case DType::F64: return "f8";
    }
    return "?";
}

bool dtypeIsFloat(DType t) { return t == DType::F16 || t == DType::F32 || t == DType::F64; }

std::uint64_t checkedElementCount(const std::vector<std::int64_t>& shape, std::size_t elemSize,
                                  const std::string& what) {
    std::uint64_t n = 1;
    for (std::int64_t d : shape) {
        if (d < 0) throw std::runtime_error(what + ": negative dimension " + std::to_string(d));
        if (d != 0 && n > std::numeric_limits<std::uint64_t>::max() / static_cast<std::uint64_t>(d))
            throw std::runtime_error(what + ": element count overflows");
        n *= static_cast<std::uint64_t>(d);
    }
    if (elemSize != 0 && n > kMaxArrayBytes / elemSize)
        throw std::runtime_error(what + ": array of " + std::to_string(n) + " elements exceeds the " +
                                 std::to_string(kMaxArrayBytes >> 30) + " GiB limit");
    return n;
}

std::size_t NdArray::numel() const {
    std::size_t n = 1;
    for (auto d : shape) n *= static_cast<std::size_t>(d);
    return n;
}

namespace {

float halfToFloat(std::uint16_t h) {
    const std::uint32_t sign = (h & 0x8000u) << 16;
    std::uint32_t exp = (h >> 10) & 0x1f;
    std::uint32_t mant = h & 0x3ffu;
    std::uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: renormalise
            exp = 127 - 15 + 1;
            while ((mant & 0x400u) == 0) { mant <<= 1; --exp; }
            mant &= 0x3ffu;
            bits = sign | (exp << 23) | (mant << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

template <typename T>
T load(const std::uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

double elementAsDouble(DType t, const std::uint8_t* p) {
    switch (t) {
        case DType::Bool: return *p ? 1.0 : 0.0;
        case DType::U8: return *p;
        case DType::I8: return static_cast<std::int8_t>(*p);
        case DType::U16: return load<std::uint16_t>(p);
        case DType::I16: return load<std::int16_t>(p);
        case DType::U32: return load<std::uint32_t>(p);
        case DType::I32: return load<std::int32_t>(p);
        case DType::U64: return static_cast<double>(load<std::uint64_t>(p));
        case DType::I64: return static_cast<double>(load<std::int64_t>(p));
        case DType::F16: return halfToFloat(load<std::uint16_t>(p));
        case DType::F32: return load<float>(p);
        case DType::F64: return load<double>(p);
    }
    return 0.0;
}

void checkSize(const NdArray& a) {
    if (a.data.size() != a.numel() * dtypeSize(a.dtype))
        throw std::runtime_error("array " + a.shapeString() + " holds " + std::to_string(a.data.size()) +
                                 " bytes, expected " + std::to_string(a.numel() * dtypeSize(a.dtype)));
}

}  // namespace

std::vector<double> NdArray::toDouble() const {
    checkSize(*this);
    const std::size_t n = numel(), es = dtypeSize(dtype);
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = elementAsDouble(dtype, data.data() + i * es);
    return out;
}

std::vector<float> NdArray::toFloat() const {
    checkSize(*this);
    const std::size_t n = numel(), es = dtypeSize(dtype);
    std::vector<float> out(n);
    if (dtype == DType::F32) {
        std::memcpy(out.data(), data.data(), n * 4);
        return out;
    }
    if (dtype == DType::F64) {  // the common case, without a dtype switch per element
        for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(load<double>(data.data() + i * 8));
        return out;
    }
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(elementAsDouble(dtype, data.data() + i * es));
    return out;
}

std::vector<std::int64_t> NdArray::toInt64() const {
    checkSize(*this);
    const std::size_t n = numel(), es = dtypeSize(dtype);
    std::vector<std::int64_t> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t* p = data.data() + i * es;
        switch (dtype) {
            case DType::I64: out[i] = load<std::int64_t>(p); break;
            case DType::U64: {
                const std::uint64_t u = load<std::uint64_t>(p);
                if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                    throw std::runtime_error("uint64 value " + std::to_string(u) + " does not fit int64");
                out[i] = static_cast<std::int64_t>(u);
                break;
            }
            default: {
                const double d = elementAsDouble(dtype, p);
                if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e15)
                    throw std::runtime_error("value " + std::to_string(d) + " at index " + std::to_string(i) +
                                             " is not an integer");
                out[i] = static_cast<std::int64_t>(d);
            }
        }
    }
    return out;
}

std::string NdArray::shapeString() const {
    std::ostringstream s;
    s << "(";
    for (std::size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
    if (shape.size() == 1) s << ",";
    s << ")";
    return s.str();
}

namespace {
template <typename T>
NdArray make(DType t, const std::vector<T>& values, std::vector<std::int64_t> shape) {
    NdArray a;
    a.dtype = t;
    a.shape = std::move(shape);
    if (a.numel() != values.size())
        throw std::invalid_argument("NdArray: " + std::to_string(values.size()) + " values do not fill shape " +
                                    a.shapeString());
    a.data.resize(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(a.data.data(), values.data(), a.data.size());
    return a;
}
}  // namespace

NdArray NdArray::fromFloat(const std::vector<float>& v, std::vector<std::int64_t> s) { return make(DType::F32, v, std::move(s)); }
NdArray NdArray::fromInt32(const std::vector<std::int32_t>& v, std::vector<std::int64_t> s) { return make(DType::I32, v, std::move(s)); }
NdArray NdArray::fromInt64(const std::vector<std::int64_t>& v, std::vector<std::int64_t> s) { return make(DType::I64, v, std::move(s)); }

void fortranToC(NdArray& a) {
    checkSize(a);
    const std::size_t nd = a.shape.size();
    if (nd < 2) return;
    const std::size_t n = a.numel(), es = dtypeSize(a.dtype);
    std::vector<std::uint8_t> out(a.data.size());
    std::vector<std::int64_t> idx(nd, 0);
    // Walk C order; compute the Fortran offset of each element.
    for (std::size_t c = 0; c < n; ++c) {
        std::size_t f = 0, stride = 1;
        for (std::size_t k = 0; k < nd; ++k) {
            f += static_cast<std::size_t>(idx[k]) * stride;
            stride *= static_cast<std::size_t>(a.shape[k]);
        }
        std::memcpy(out.data() + c * es, a.data.data() + f * es, es);
        for (std::size_t k = nd; k-- > 0;) {
            if (++idx[k] < a.shape[k]) break;
            idx[k] = 0;
        }
    }
    a.data.swap(out);
}

void byteSwap(NdArray& a) {
    const std::size_t es = dtypeSize(a.dtype);
    if (es == 1) return;
    for (std::size_t i = 0; i + es <= a.data.size(); i += es)
        for (std::size_t k = 0; k < es / 2; ++k) std::swap(a.data[i + k], a.data[i + es - 1 - k]);
}

}  // namespace synthforge::io
