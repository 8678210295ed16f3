#include <gtest/gtest.h>
#include <zip.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/io/file_util.h"
#include "core/io/npy.h"

namespace synthforge::io {
namespace {

using Bytes = std::vector<std::uint8_t>;

// ---- files written by numpy 1.24 (Debian's python3-numpy) -------------------
// np.save(f, np.arange(6, dtype='<f4').reshape(2, 3)) (152 bytes)
const std::uint8_t kNumpyF32[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7b, 0x27, 0x64, 0x65, 0x73, 0x63,
    0x72, 0x27, 0x3a, 0x20, 0x27, 0x3c, 0x66, 0x34, 0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74,
    0x72, 0x61, 0x6e, 0x5f, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61, 0x6c, 0x73,
    0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20, 0x28, 0x32, 0x2c, 0x20,
    0x33, 0x29, 0x2c, 0x20, 0x7d, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40, 0x40,
    0x00, 0x00, 0x80, 0x40, 0x00, 0x00, 0xa0, 0x40,
};
// np.save(f, np.asfortranarray(np.arange(6, dtype='<i2').reshape(2, 3))) (140 bytes)
const std::uint8_t kNumpyFortranI16[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7b, 0x27, 0x64, 0x65, 0x73, 0x63,
    0x72, 0x27, 0x3a, 0x20, 0x27, 0x3c, 0x69, 0x32, 0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74,
    0x72, 0x61, 0x6e, 0x5f, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x54, 0x72, 0x75, 0x65,
    0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20, 0x28, 0x32, 0x2c, 0x20, 0x33,
    0x29, 0x2c, 0x20, 0x7d, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a,
    0x00, 0x00, 0x03, 0x00, 0x01, 0x00, 0x04, 0x00, 0x02, 0x00, 0x05, 0x00,
};
// np.save(f, np.arange(3, dtype='>f8')) (152 bytes)
const std::uint8_t kNumpyBigEndianF64[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7b, 0x27, 0x64, 0x65, 0x73, 0x63,
    0x72, 0x27, 0x3a, 0x20, 0x27, 0x3e, 0x66, 0x38, 0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74,
    0x72, 0x61, 0x6e, 0x5f, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61, 0x6c, 0x73,
    0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20, 0x28, 0x33, 0x2c, 0x29,
    0x2c, 0x20, 0x7d, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
// np.save(f, {'a': np.arange(3)}, allow_pickle=True): a 0-d object array, pickle protocol 3 (396 bytes)
const std::uint8_t kNumpyDict[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7b, 0x27, 0x64, 0x65, 0x73, 0x63,
    0x72, 0x27, 0x3a, 0x20, 0x27, 0x7c, 0x4f, 0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74, 0x72,
    0x61, 0x6e, 0x5f, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61, 0x6c, 0x73, 0x65,
    0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20, 0x28, 0x29, 0x2c, 0x20, 0x7d,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a,
    0x80, 0x03, 0x63, 0x6e, 0x75, 0x6d, 0x70, 0x79, 0x2e, 0x63, 0x6f, 0x72, 0x65, 0x2e, 0x6d, 0x75,
    0x6c, 0x74, 0x69, 0x61, 0x72, 0x72, 0x61, 0x79, 0x0a, 0x5f, 0x72, 0x65, 0x63, 0x6f, 0x6e, 0x73,
    0x74, 0x72, 0x75, 0x63, 0x74, 0x0a, 0x71, 0x00, 0x63, 0x6e, 0x75, 0x6d, 0x70, 0x79, 0x0a, 0x6e,
    0x64, 0x61, 0x72, 0x72, 0x61, 0x79, 0x0a, 0x71, 0x01, 0x4b, 0x00, 0x85, 0x71, 0x02, 0x43, 0x01,
    0x62, 0x71, 0x03, 0x87, 0x71, 0x04, 0x52, 0x71, 0x05, 0x28, 0x4b, 0x01, 0x29, 0x63, 0x6e, 0x75,
    0x6d, 0x70, 0x79, 0x0a, 0x64, 0x74, 0x79, 0x70, 0x65, 0x0a, 0x71, 0x06, 0x58, 0x02, 0x00, 0x00,
    0x00, 0x4f, 0x38, 0x71, 0x07, 0x89, 0x88, 0x87, 0x71, 0x08, 0x52, 0x71, 0x09, 0x28, 0x4b, 0x03,
    0x58, 0x01, 0x00, 0x00, 0x00, 0x7c, 0x71, 0x0a, 0x4e, 0x4e, 0x4e, 0x4a, 0xff, 0xff, 0xff, 0xff,
    0x4a, 0xff, 0xff, 0xff, 0xff, 0x4b, 0x3f, 0x74, 0x71, 0x0b, 0x62, 0x89, 0x5d, 0x71, 0x0c, 0x7d,
    0x71, 0x0d, 0x58, 0x01, 0x00, 0x00, 0x00, 0x61, 0x71, 0x0e, 0x68, 0x00, 0x68, 0x01, 0x4b, 0x00,
    0x85, 0x71, 0x0f, 0x68, 0x03, 0x87, 0x71, 0x10, 0x52, 0x71, 0x11, 0x28, 0x4b, 0x01, 0x4b, 0x03,
    0x85, 0x71, 0x12, 0x68, 0x06, 0x58, 0x02, 0x00, 0x00, 0x00, 0x69, 0x38, 0x71, 0x13, 0x89, 0x88,
    0x87, 0x71, 0x14, 0x52, 0x71, 0x15, 0x28, 0x4b, 0x03, 0x58, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x71,
    0x16, 0x4e, 0x4e, 0x4e, 0x4a, 0xff, 0xff, 0xff, 0xff, 0x4a, 0xff, 0xff, 0xff, 0xff, 0x4b, 0x00,
    0x74, 0x71, 0x17, 0x62, 0x89, 0x43, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x71,
    0x18, 0x74, 0x71, 0x19, 0x62, 0x73, 0x61, 0x74, 0x71, 0x1a, 0x62, 0x2e,
};
// np.savez_compressed(f, x=np.arange(4, dtype='<i4')) (zip64 local header) (206 bytes)
const std::uint8_t kNumpySavezCompressed[] = {
    0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00, 0xfe, 0x74,
    0x1e, 0xd4, 0x4e, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00, 0x05, 0x00, 0x14, 0x00, 0x78, 0x2e,
    0x6e, 0x70, 0x79, 0x01, 0x00, 0x10, 0x00, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x4e,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9b, 0xec, 0x17, 0xea, 0x1b, 0x10, 0xc9, 0xc8, 0x50,
    0xc6, 0x50, 0xad, 0x9e, 0x92, 0x5a, 0x9c, 0x5c, 0xa4, 0x6e, 0xa5, 0xa0, 0x6e, 0x93, 0x69, 0xa2,
    0xae, 0xa3, 0xa0, 0x9e, 0x96, 0x5f, 0x54, 0x52, 0x94, 0x98, 0x17, 0x9f, 0x5f, 0x94, 0x92, 0x0a,
    0x12, 0x77, 0x4b, 0xcc, 0x29, 0x4e, 0x05, 0x8a, 0x17, 0x67, 0x24, 0x16, 0xa4, 0x02, 0xf9, 0x1a,
    0x26, 0x3a, 0x9a, 0x3a, 0x0a, 0xb5, 0x0a, 0x14, 0x00, 0x2e, 0x06, 0x20, 0x60, 0x04, 0x62, 0x26,
    0x20, 0x66, 0x06, 0x62, 0x00, 0x50, 0x4b, 0x01, 0x02, 0x14, 0x03, 0x14, 0x00, 0x00, 0x00, 0x08,
    0x00, 0x00, 0x00, 0x21, 0x00, 0xfe, 0x74, 0x1e, 0xd4, 0x4e, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00,
    0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x78, 0x2e, 0x6e, 0x70, 0x79, 0x50, 0x4b, 0x05, 0x06, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x33, 0x00, 0x00, 0x00, 0x85, 0x00, 0x00, 0x00, 0x00, 0x00,
};

template <std::size_t N>
Bytes bytesOf(const std::uint8_t (&a)[N]) {
    return Bytes(a, a + N);
}

/// Assembles a .npy from a header dict text; adds the '\n' terminator and the
/// version's length field, no alignment padding (readers must not need it).
Bytes makeNpy(const std::string& dict, const Bytes& data, int major = 1) {
    Bytes out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<std::uint8_t>(major), 0};
    const std::string header = dict + "\n";
    const std::size_t lenBytes = major == 1 ? 2 : 4;
    for (std::size_t i = 0; i < lenBytes; ++i) out.push_back(static_cast<std::uint8_t>(header.size() >> (8 * i)));
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

std::string dictFor(const std::string& descr, const std::string& shape, bool fortran = false) {
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape +
           ", }";
}

NpyContent parse(const Bytes& b) { return parseNpy(b.data(), b.size(), "test.npy"); }

void expectError(const Bytes& b, const std::string& fragment) {
    try {
        parse(b);
        FAIL() << "expected an error containing '" << fragment << "'";
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        EXPECT_EQ(msg.rfind("test.npy: ", 0), 0u) << msg;
        EXPECT_NE(msg.find(fragment), std::string::npos) << "missing '" << fragment << "' in: " << msg;
    }
}

std::string tempPath(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("synthforge_test_" + name)).string();
}

void writeBytes(const std::string& path, const Bytes& b) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), b.size());
}

Bytes le32(std::initializer_list<std::int32_t> values) {
    Bytes out;
    for (std::int32_t v : values)
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(static_cast<std::uint32_t>(v) >> (8 * i)));
    return out;
}

// ---- numpy-written files ----------------------------------------------------

TEST(Npy, ReadsNumpyFloat32) {
    const NpyContent c = parse(bytesOf(kNumpyF32));
    ASSERT_FALSE(c.isObject);
    EXPECT_EQ(c.array.dtype, DType::F32);
    EXPECT_EQ(c.array.shape, (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(c.array.toFloat(), (std::vector<float>{0, 1, 2, 3, 4, 5}));
}

TEST(Npy, ReadsNumpyFortranInt16AsCOrder) {
    const NpyContent c = parse(bytesOf(kNumpyFortranI16));
    EXPECT_EQ(c.array.dtype, DType::I16);
    EXPECT_EQ(c.array.shape, (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(c.array.toInt64(), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5}));
}

TEST(Npy, ReadsNumpyBigEndianFloat64) {
    const NpyContent c = parse(bytesOf(kNumpyBigEndianF64));
    EXPECT_EQ(c.array.dtype, DType::F64);
    EXPECT_EQ(c.array.toDouble(), (std::vector<double>{0, 1, 2}));
}

// Needs the restricted pickle reader (core/io/pickle.cpp): np.save of a dict
// stores a 0-d object array whose pickle the reader unwraps to the dict.
TEST(Npy, ReadsNumpyObjectArrayHoldingDict) {
    const NpyContent c = parse(bytesOf(kNumpyDict));
    ASSERT_TRUE(c.isObject);
    ASSERT_TRUE(c.object);
    ASSERT_EQ(c.object->kind, PyValue::Kind::Dict) << c.object->kindName();
    const PyValue* a = c.object->find("a");
    ASSERT_NE(a, nullptr);
    ASSERT_EQ(a->kind, PyValue::Kind::Array) << a->kindName();
    EXPECT_EQ(a->array.dtype, DType::I64);
    EXPECT_EQ(a->array.toInt64(), (std::vector<std::int64_t>{0, 1, 2}));
}

TEST(Npy, TruncatedObjectArrayThrows) {
    const Bytes full = bytesOf(kNumpyDict);
    for (std::size_t len = 0; len < full.size(); ++len) {
        SCOPED_TRACE(len);
        EXPECT_THROW(parseNpy(full.data(), len, "cut.npy"), std::runtime_error);
    }
}

TEST(Npy, SaveMatchesNumpyByteForByte) {
    const std::string path = tempPath("match.npy");
    saveNpyFile(path, NdArray::fromFloat({0, 1, 2, 3, 4, 5}, {2, 3}));
    EXPECT_EQ(readFileBytes(path), bytesOf(kNumpyF32));
    std::filesystem::remove(path);
}

// ---- hand-written files -------------------------------------------------------

TEST(Npy, ScalarEmptyAndBool) {
    const NpyContent s = parse(makeNpy(dictFor("<f8", "()"), {0, 0, 0, 0, 0, 0, 4, 0x40}));
    EXPECT_EQ(s.array.ndim(), 0u);
    EXPECT_EQ(s.array.toDouble(), std::vector<double>{2.5});
    const NpyContent e = parse(makeNpy(dictFor("<f4", "(0, 3)"), {}));
    EXPECT_EQ(e.array.shape, (std::vector<std::int64_t>{0, 3}));
    EXPECT_EQ(e.array.numel(), 0u);
    const NpyContent b = parse(makeNpy(dictFor("|b1", "(3,)"), {1, 0, 1}));
    EXPECT_EQ(b.array.dtype, DType::Bool);
    EXPECT_EQ(b.array.toInt64(), (std::vector<std::int64_t>{1, 0, 1}));
}

TEST(Npy, AllDescrCodes) {
    struct Case {
        const char* descr;
        DType type;
    };
    const Case cases[] = {{"|b1", DType::Bool}, {"|u1", DType::U8},  {"|i1", DType::I8},  {"<u2", DType::U16},
                          {"<i2", DType::I16},  {"<u4", DType::U32}, {"<i4", DType::I32}, {"<u8", DType::U64},
                          {"<i8", DType::I64},  {"<f2", DType::F16}, {"<f4", DType::F32}, {"<f8", DType::F64},
                          {"=f4", DType::F32},  {">u1", DType::U8}};
    for (const Case& c : cases) {
        SCOPED_TRACE(c.descr);
        const NpyContent r = parse(makeNpy(dictFor(c.descr, "(2,)"), Bytes(2 * dtypeSize(c.type), 1)));
        EXPECT_EQ(r.array.dtype, c.type);
        EXPECT_EQ(r.array.data.size(), 2 * dtypeSize(c.type));
    }
}

TEST(Npy, BigEndianAndFortranTogether) {
    // 2x2 int32 [[1, 2], [3, 4]] stored column-major and big-endian: 1, 3, 2, 4.
    const Bytes data = {0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4};
    const NpyContent c = parse(makeNpy(dictFor(">i4", "(2, 2)", true), data));
    EXPECT_EQ(c.array.toInt64(), (std::vector<std::int64_t>{1, 2, 3, 4}));
}

TEST(Npy, HeaderVariantsNumpyAccepts) {
    const Bytes data = le32({7, 8, 9});
    // Keys in another order, double quotes, no trailing comma, no spaces.
    EXPECT_EQ(parse(makeNpy("{\"shape\":(3,),\"fortran_order\":False,\"descr\":\"<i4\"}", data)).array.toInt64(),
              (std::vector<std::int64_t>{7, 8, 9}));
    // Python 2 long literals, as FLAME-era files contain.
    EXPECT_EQ(parse(makeNpy(dictFor("<i4", "(3L,)"), data)).array.shape, std::vector<std::int64_t>{3});
    EXPECT_EQ(parse(makeNpy(dictFor("<i4", "(1L, 3L)"), data)).array.shape, (std::vector<std::int64_t>{1, 3}));
    // Versions 2.0 and 3.0 use a 32-bit header length.
    EXPECT_EQ(parse(makeNpy(dictFor("<i4", "(3,)"), data, 2)).array.toInt64(), (std::vector<std::int64_t>{7, 8, 9}));
    EXPECT_EQ(parse(makeNpy(dictFor("<i4", "(3,)"), data, 3)).array.toInt64(), (std::vector<std::int64_t>{7, 8, 9}));
    // Python 2 numpy wrote object arrays as '|O8' (checked up to the pickle).
    EXPECT_THROW(parse(makeNpy(dictFor("|O8", "()"), {})), std::runtime_error);
}

TEST(Npy, SaveLoadRoundTrip) {
    const std::string path = tempPath("roundtrip.npy");
    std::vector<NdArray> arrays = {
        NdArray::fromFloat({1.5f, -2.f, 3.25f}, {3}),
        NdArray::fromInt32({1, 2, 3, 4, 5, 6}, {3, 2}),
        NdArray::fromInt64({-9}, {}),
        NdArray::fromFloat({}, {0}),
        NdArray::fromInt64({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2}),
    };
    for (DType t : {DType::Bool, DType::U8, DType::I8, DType::U16, DType::I16, DType::U32, DType::U64, DType::F16,
                    DType::F64}) {
        NdArray a;
        a.dtype = t;
        a.shape = {2, 3};
        a.data.resize(6 * dtypeSize(t));
        for (std::size_t i = 0; i < a.data.size(); ++i) a.data[i] = static_cast<std::uint8_t>(i * 37 + 1);
        arrays.push_back(a);
    }
    for (const NdArray& a : arrays) {
        SCOPED_TRACE(dtypeName(a.dtype) + a.shapeString());
        saveNpyFile(path, a);
        const Bytes raw = readFileBytes(path);
        const std::size_t dataStart = raw.size() - a.data.size();
        EXPECT_EQ(dataStart % 64, 0u);
        EXPECT_EQ(raw[dataStart - 1], '\n');
        const NpyContent c = loadNpyFile(path);
        ASSERT_FALSE(c.isObject);
        EXPECT_EQ(c.array.dtype, a.dtype);
        EXPECT_EQ(c.array.shape, a.shape);
        EXPECT_EQ(c.array.data, a.data);
    }
    std::filesystem::remove(path);
}

TEST(Npy, SaveRejectsInconsistentArray) {
    NdArray a = NdArray::fromFloat({1, 2}, {2});
    a.data.push_back(0);
    EXPECT_THROW(saveNpyFile(tempPath("bad.npy"), a), std::invalid_argument);
}

TEST(Npy, LoadMissingFileNamesPath) {
    try {
        loadNpyFile("/nonexistent/x.npy");
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/x.npy"), std::string::npos);
    }
}

// ---- errors -------------------------------------------------------------------

TEST(NpyErrors, BadMagicOrVersion) {
    Bytes b = bytesOf(kNumpyF32);
    b[1] = 'n';
    expectError(b, "magic");
    expectError(Bytes{'P', 'K', 3, 4}, "magic");
    b = bytesOf(kNumpyF32);
    b[6] = 4;
    expectError(b, "version 4.0");
    b = bytesOf(kNumpyF32);
    b[7] = 1;
    expectError(b, "version 1.1");
}

TEST(NpyErrors, EveryTruncationThrows) {
    for (const Bytes& full : {bytesOf(kNumpyF32), bytesOf(kNumpyFortranI16), bytesOf(kNumpyBigEndianF64)}) {
        for (std::size_t len = 0; len < full.size(); ++len) {
            SCOPED_TRACE(len);
            EXPECT_THROW(parseNpy(full.data(), len, "cut.npy"), std::runtime_error);
        }
        EXPECT_NO_THROW(parseNpy(full.data(), full.size(), "full.npy"));
    }
}

TEST(NpyErrors, HeaderLengthBeyondFile) {
    Bytes b = bytesOf(kNumpyF32);
    b[8] = 0xff;
    b[9] = 0xff;
    expectError(b, "header length 65535 is beyond");
    Bytes v2 = makeNpy(dictFor("<i4", "(1,)"), le32({1}), 2);
    v2[11] = 0x7f;
    expectError(v2, "beyond");
}

TEST(NpyErrors, MalformedDictLiterals) {
    const Bytes four = le32({1});
    const struct {
        std::string dict, fragment;
    } cases[] = {
        {"", "expected '{'"},
        {"['descr', '<i4']", "expected '{'"},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (1,), ", "quoted string"},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (1,) 'x': 1}", "expected ','"},
        {"{'descr': '<i4', 'fortran_order': False}", "missing key 'shape'"},
        {"{'fortran_order': False, 'shape': (1,)}", "missing key 'descr'"},
        {"{'descr': '<i4', 'shape': (1,)}", "missing key 'fortran_order'"},
        {"{'descr': '<i4', 'descr': '<i4', 'fortran_order': False, 'shape': (1,)}", "duplicate key 'descr'"},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "unexpected key 'extra'"},
        {"{'descr': '<i4', 'fortran_order': 0, 'shape': (1,)}", "True or False"},
        {"{'descr': '<i4', 'fortran_order': false, 'shape': (1,)}", "True or False"},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': [1]}", "expected '('"},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (1)}", "not a tuple"},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (1,,)}", "non-negative integers"},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (1 1)}", "expected ','"},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (1.0,)}", "expected ','"},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (1,", "unterminated shape"},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (99999999999999999999,)}", "64 bits"},
        {"{'descr': '<i\\x34', 'fortran_order': False, 'shape': (1,)}", "unsupported character"},
        {"{'descr: '<i4', 'fortran_order': False, 'shape': (1,)}", "expected ':'"},
        {"{descr: '<i4', 'fortran_order': False, 'shape': (1,)}", "quoted string"},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (1,)} junk", "after the closing"},
        {"{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,)}", "structured dtypes"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.dict);
        expectError(makeNpy(c.dict, four), c.fragment);
    }
}

TEST(NpyErrors, UnknownDescr) {
    for (const char* descr : {"<c8", "<U0", "|Sx", "<f16", "f8", "<f", "<", "", "<M8[ns]", "|V8", "?f8", "<b2"}) {
        SCOPED_TRACE(descr);
        expectError(makeNpy(dictFor(descr, "(1,)"), Bytes(16, 0)), "unsupported dtype descr");
    }
}

TEST(NpyErrors, HugeAndNegativeShapes) {
    expectError(makeNpy(dictFor("<f4", "(1000000, 1000000)"), {}), "limit");
    expectError(makeNpy(dictFor("<f8", "(4294967296, 4294967296, 4294967296)"), {}), "overflows");
    expectError(makeNpy(dictFor("<f4", "(-1,)"), {}), "negative dimension");
    expectError(makeNpy(dictFor("<f4", "(2, -3)"), {}), "negative dimension");
}

TEST(NpyErrors, ShortAndTrailingData) {
    expectError(makeNpy(dictFor("<i4", "(3,)"), le32({1, 2})), "data holds 8 bytes but shape (3,) of '<i4' needs 12");
    expectError(makeNpy(dictFor("<i4", "(2,)"), le32({1, 2, 3})), "4 unexpected bytes");
}

TEST(NpyErrors, RandomMutationsParseOrThrow) {
    const Bytes sources[] = {bytesOf(kNumpyF32), bytesOf(kNumpyFortranI16), bytesOf(kNumpyBigEndianF64)};
    std::mt19937 rng(1234567);
    std::size_t parsed = 0;
    for (int iter = 0; iter < 2000; ++iter) {
        Bytes b = sources[iter % 3];
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < edits; ++k) {
            // Mostly hit the preamble and the dict text, where the structure is.
            const std::size_t pos = rng() % ((rng() % 4 == 0) ? b.size() : std::min<std::size_t>(b.size(), 80));
            switch (rng() % 3) {
                case 0: b[pos] = static_cast<std::uint8_t>(rng()); break;
                case 1: b[pos] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;
                default: b[pos] = static_cast<std::uint8_t>("{}(),:' 0123456789-LTF<>|"[rng() % 25]); break;
            }
        }
        if (rng() % 8 == 0) b.resize(rng() % b.size());
        try {
            const NpyContent c = parseNpy(b.data(), b.size(), "mutant.npy");
            if (!c.isObject) {
                ASSERT_EQ(c.array.data.size(), c.array.numel() * dtypeSize(c.array.dtype));
            }
            ++parsed;
        } catch (const std::runtime_error&) {
        }
    }
    EXPECT_GT(parsed, 0u);
}

// ---- npz ------------------------------------------------------------------------

struct ZipMember {
    std::string name;
    Bytes data;
    bool deflate = false;
};

/// Writes a zip with libzip; the buffers must outlive zip_close.
void writeZip(const std::string& path, const std::vector<ZipMember>& members) {
    std::filesystem::remove(path);
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    ASSERT_NE(z, nullptr) << err;
    for (const ZipMember& m : members) {
        zip_source_t* src = zip_source_buffer(z, m.data.data(), m.data.size(), 0);
        ASSERT_NE(src, nullptr);
        const zip_int64_t idx = zip_file_add(z, m.name.c_str(), src, ZIP_FL_OVERWRITE);
        ASSERT_GE(idx, 0) << zip_strerror(z);
        ASSERT_EQ(zip_set_file_compression(z, static_cast<zip_uint64_t>(idx),
                                           m.deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0),
                  0);
    }
    ASSERT_EQ(zip_close(z), 0);
}

Bytes npyBytes(const NdArray& a) {
    const std::string path = tempPath("member.npy");
    saveNpyFile(path, a);
    Bytes b = readFileBytes(path);
    std::filesystem::remove(path);
    return b;
}

void expectNpzError(const std::string& path, const std::string& fragment) {
    try {
        loadNpzFile(path);
        FAIL() << "expected an error containing '" << fragment << "'";
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        EXPECT_EQ(msg.rfind(path, 0), 0u) << msg;
        EXPECT_NE(msg.find(fragment), std::string::npos) << "missing '" << fragment << "' in: " << msg;
    }
}

/// Sets the uncompressed size of the only member in both its local and its
/// central header (little-endian u32 at offsets 22 and 24).
void patchUncompressedSize(Bytes& zipBytes, std::uint32_t size) {
    for (std::size_t i = 0; i + 4 <= zipBytes.size(); ++i) {
        const std::uint32_t sig = zipBytes[i] | zipBytes[i + 1] << 8 | zipBytes[i + 2] << 16 |
                                  static_cast<std::uint32_t>(zipBytes[i + 3]) << 24;
        std::size_t field = 0;
        if (sig == 0x04034b50) field = i + 22;
        if (sig == 0x02014b50) field = i + 24;
        if (field == 0) continue;
        for (int k = 0; k < 4; ++k) zipBytes[field + k] = static_cast<std::uint8_t>(size >> (8 * k));
    }
}

TEST(Npz, ReadsNumpySavezCompressed) {
    const std::string path = tempPath("numpy.npz");
    writeBytes(path, bytesOf(kNumpySavezCompressed));
    const auto m = loadNpzFile(path);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m.at("x").array.toInt64(), (std::vector<std::int64_t>{0, 1, 2, 3}));
    std::filesystem::remove(path);
}

TEST(Npz, StoredAndDeflatedMembers) {
    const std::string path = tempPath("mixed.npz");
    const NdArray a = NdArray::fromFloat({1, 2, 3, 4, 5, 6}, {2, 3});
    const NdArray b = NdArray::fromInt64(std::vector<std::int64_t>(500, 7), {500});
    writeZip(path, {{"shapedirs.npy", npyBytes(a), false},
                    {"faces.npy", npyBytes(b), true},
                    {"sub/dir/f.npy", bytesOf(kNumpyFortranI16), true},
                    {"notes.txt", {'h', 'i'}, true},
                    {"folder/", {}, false}});
    const auto m = loadNpzFile(path);
    ASSERT_EQ(m.size(), 3u);  // the .txt and the directory are skipped
    EXPECT_EQ(m.at("shapedirs").array.data, a.data);
    EXPECT_EQ(m.at("shapedirs").array.shape, a.shape);
    EXPECT_EQ(m.at("faces").array.toInt64(), b.toInt64());
    EXPECT_EQ(m.at("sub/dir/f").array.toInt64(), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5}));
    std::filesystem::remove(path);
}

TEST(Npz, EmptyArchive) {
    const std::string path = tempPath("empty.npz");
    writeZip(path, {{"readme.txt", {'x'}, false}});
    EXPECT_TRUE(loadNpzFile(path).empty());
    std::filesystem::remove(path);
}

TEST(NpzErrors, MissingFileAndDirectory) {
    expectNpzError("/nonexistent/model.npz", "cannot open");
    expectNpzError(std::filesystem::temp_directory_path().string(), "directory");
}

TEST(NpzErrors, NotAZip) {
    const std::string path = tempPath("garbage.npz");
    writeBytes(path, bytesOf(kNumpyF32));
    expectNpzError(path, "zip");
    writeBytes(path, {});
    expectNpzError(path, "zip");
    std::filesystem::remove(path);
}

TEST(NpzErrors, TruncatedZipAtEveryLength) {
    const std::string path = tempPath("cut.npz");
    const Bytes full = bytesOf(kNumpySavezCompressed);
    for (std::size_t len = 0; len < full.size(); ++len) {
        SCOPED_TRACE(len);
        writeBytes(path, Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len)));
        EXPECT_THROW(loadNpzFile(path), std::runtime_error);
    }
    std::filesystem::remove(path);
}

TEST(NpzErrors, CorruptMemberDataFailsCrc) {
    const std::string path = tempPath("crc.npz");
    writeZip(path, {{"a.npy", npyBytes(NdArray::fromInt32({1, 2, 3}, {3})), false}});
    Bytes z = readFileBytes(path);
    // The stored payload ends with the array data; flip a byte of the value 2.
    bool flipped = false;
    for (std::size_t i = 0; i + 8 <= z.size() && !flipped; ++i) {
        if (std::memcmp(&z[i], le32({2, 3}).data(), 8) == 0) {
            z[i] ^= 0xff;
            flipped = true;
        }
    }
    ASSERT_TRUE(flipped);
    writeBytes(path, z);
    expectNpzError(path, "a.npy");
    std::filesystem::remove(path);
}

TEST(NpzErrors, MemberThatIsNotNpy) {
    const std::string path = tempPath("notnpy.npz");
    writeZip(path, {{"good.npy", npyBytes(NdArray::fromInt32({1}, {1})), false},
                    {"bad.npy", {'P', 'K', 3, 4, 'n', 'o', 't', ' ', 'n', 'p', 'y'}, true}});
    expectNpzError(path, "bad.npy: not a .npy file");
    std::filesystem::remove(path);
}

TEST(NpzErrors, StoredMemberLyingAboutItsSize) {
    const std::string path = tempPath("liar.npz");
    writeZip(path, {{"a.npy", npyBytes(NdArray::fromInt32({1, 2}, {2})), false}});
    Bytes z = readFileBytes(path);
    patchUncompressedSize(z, 1u << 30);
    writeBytes(path, z);
    expectNpzError(path, "stored member declares");
    std::filesystem::remove(path);
}

TEST(NpzErrors, DeflateBombIsRefusedBeforeAllocation) {
    const std::string path = tempPath("bomb.npz");
    writeZip(path, {{"a.npy", npyBytes(NdArray::fromInt32(std::vector<std::int32_t>(1000, 0), {1000})), true}});
    Bytes z = readFileBytes(path);
    patchUncompressedSize(z, 0xfff00000u);  // ~4 GiB from a few dozen compressed bytes
    writeBytes(path, z);
    expectNpzError(path, "zip bomb");
    std::filesystem::remove(path);
}

TEST(NpzErrors, MemberLongerThanDeclared) {
    const std::string path = tempPath("longer.npz");
    const Bytes npy = npyBytes(NdArray::fromInt32(std::vector<std::int32_t>(100, 5), {100}));
    writeZip(path, {{"a.npy", npy, true}});
    Bytes z = readFileBytes(path);
    patchUncompressedSize(z, static_cast<std::uint32_t>(npy.size() - 16));
    writeBytes(path, z);
    EXPECT_THROW(loadNpzFile(path), std::runtime_error);
    std::filesystem::remove(path);
}

}  // namespace
}  // namespace synthforge::io

// ---- fixed-width text arrays (np.savez of Python strings) -----------------

namespace {
std::vector<std::uint8_t> npyWithHeader(const std::string& dict, const std::vector<std::uint8_t>& payload) {
    std::string header = dict;
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::vector<std::uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                     static_cast<std::uint8_t>(header.size() & 0xff),
                                     static_cast<std::uint8_t>(header.size() >> 8)};
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}
}  // namespace

TEST(NpyText, UnicodeScalarAndByteListBecomeStrings) {
    // np.array('lbs'): '<U3', 0-d, UTF-32LE.
    const auto u = npyWithHeader("{'descr': '<U3', 'fortran_order': False, 'shape': (), }",
                                 {'l', 0, 0, 0, 'b', 0, 0, 0, 's', 0, 0, 0});
    const auto c = synthforge::io::parseNpy(u.data(), u.size(), "u.npy");
    ASSERT_TRUE(c.isObject);
    EXPECT_EQ(c.object->kind, synthforge::io::PyValue::Kind::Str);
    EXPECT_EQ(c.object->text, "lbs");
    // np.array([b'ab', b'c']): '|S2', padded with NUL.
    const auto s = npyWithHeader("{'descr': '|S2', 'fortran_order': False, 'shape': (2,), }", {'a', 'b', 'c', 0});
    const auto l = synthforge::io::parseNpy(s.data(), s.size(), "s.npy");
    ASSERT_EQ(l.object->kind, synthforge::io::PyValue::Kind::List);
    ASSERT_EQ(l.object->items.size(), 2u);
    EXPECT_EQ(l.object->items[1]->text, "c");
}

TEST(NpyText, HostileTextArraysAreRejected) {
    const auto zero = npyWithHeader("{'descr': '<U0', 'fortran_order': False, 'shape': (1000000000,), }", {});
    EXPECT_THROW(synthforge::io::parseNpy(zero.data(), zero.size(), "z.npy"), std::runtime_error);
    const auto shortData = npyWithHeader("{'descr': '<U4', 'fortran_order': False, 'shape': (3,), }", {'a', 0, 0, 0});
    EXPECT_THROW(synthforge::io::parseNpy(shortData.data(), shortData.size(), "t.npy"), std::runtime_error);
    const auto badCp = npyWithHeader("{'descr': '<U1', 'fortran_order': False, 'shape': (), }", {0xff, 0xff, 0xff, 0x7f});
    EXPECT_THROW(synthforge::io::parseNpy(badCp.data(), badCp.size(), "c.npy"), std::runtime_error);
}
