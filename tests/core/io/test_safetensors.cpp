#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/io/file_util.h"
#include "core/io/safetensors.h"

namespace synthforge::io {
namespace {

using Bytes = std::vector<std::uint8_t>;

/// Assembles a file from a header text and a data buffer, without padding.
Bytes assemble(const std::string& header, const Bytes& buffer = {}) {
    Bytes out(8);
    std::uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(n >> (8 * i));
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), buffer.begin(), buffer.end());
    return out;
}

SafetensorsFile parse(const Bytes& b) { return parseSafetensors(b.data(), b.size(), "test.safetensors"); }

/// Expects a runtime_error whose message starts with the source name and
/// contains every fragment.
void expectError(const Bytes& b, const std::vector<std::string>& fragments) {
    try {
        parse(b);
        FAIL() << "expected an error containing '" << fragments.front() << "'";
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        EXPECT_EQ(msg.rfind("test.safetensors: ", 0), 0u) << msg;
        for (const auto& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << "missing '" << f << "' in: " << msg;
    }
}

NdArray makeArray(DType t, std::vector<std::int64_t> shape, std::uint8_t seed) {
    NdArray a;
    a.dtype = t;
    a.shape = std::move(shape);
    a.data.resize(a.numel() * dtypeSize(t));
    for (std::size_t i = 0; i < a.data.size(); ++i) a.data[i] = static_cast<std::uint8_t>(seed + 7 * i);
    return a;
}

SafetensorsFile sampleFile() {
    SafetensorsFile f;
    f.tensors["weights"] = NdArray::fromFloat({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {2, 3});
    f.tensors["faces"] = NdArray::fromInt32({0, 1, 2}, {1, 3});
    f.tensors["ids"] = NdArray::fromInt64({7, -8}, {2});
    f.tensors["mask"] = makeArray(DType::Bool, {3}, 0);
    f.tensors["half"] = makeArray(DType::F16, {2, 2}, 3);
    f.tensors["dbl"] = makeArray(DType::F64, {1}, 9);
    f.tensors["u16"] = makeArray(DType::U16, {3}, 1);
    f.tensors["i16"] = makeArray(DType::I16, {3}, 2);
    f.tensors["u32"] = makeArray(DType::U32, {2}, 4);
    f.tensors["u64"] = makeArray(DType::U64, {2}, 5);
    f.tensors["i8"] = makeArray(DType::I8, {5}, 6);
    f.tensors["u8"] = makeArray(DType::U8, {4, 1}, 8);
    f.tensors["scalar"] = NdArray::fromFloat({42.f}, {});
    f.tensors["empty"] = NdArray::fromFloat({}, {0, 3});
    return f;
}

void expectSameArray(const NdArray& a, const NdArray& b) {
    EXPECT_EQ(a.dtype, b.dtype);
    EXPECT_EQ(a.shape, b.shape);
    EXPECT_EQ(a.data, b.data);
}

const std::string kTensorA = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
const Bytes kEightBytes(8, 0);

TEST(Safetensors, RoundTripAllDTypesScalarAndEmpty) {
    const SafetensorsFile f = sampleFile();
    const Bytes bytes = serializeSafetensors(f);
    const SafetensorsFile g = parse(bytes);
    ASSERT_EQ(g.tensors.size(), f.tensors.size());
    for (const auto& [name, a] : f.tensors) {
        SCOPED_TRACE(name);
        ASSERT_EQ(g.tensors.count(name), 1u);
        expectSameArray(g.tensors.at(name), a);
    }
    EXPECT_EQ(g.tensors.at("scalar").ndim(), 0u);
    EXPECT_EQ(g.tensors.at("scalar").toFloat(), std::vector<float>{42.f});
    EXPECT_EQ(g.tensors.at("empty").numel(), 0u);
    EXPECT_TRUE(g.metadata.empty());
}

TEST(Safetensors, HeaderIsPaddedToEightBytes) {
    const Bytes bytes = serializeSafetensors(sampleFile());
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];
    EXPECT_EQ((8 + n) % 8, 0u);
}

TEST(Safetensors, ByteExactSmallFile) {
    SafetensorsFile f;
    f.tensors["a"] = NdArray::fromFloat({1.f, 2.f}, {2});
    // 54 bytes of JSON plus 2 spaces of padding = 56 = 0x38.
    const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    Bytes expected = {0x38, 0, 0, 0, 0, 0, 0, 0};
    expected.insert(expected.end(), header.begin(), header.end());
    expected.insert(expected.end(), {' ', ' '});
    expected.insert(expected.end(), {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40});  // 1.0f, 2.0f
    EXPECT_EQ(serializeSafetensors(f), expected);
}

TEST(Safetensors, ByteExactWithMetadataFirst) {
    SafetensorsFile f;
    f.tensors["x"] = makeArray(DType::U8, {}, 0x5a);
    f.metadata["format"] = "pt";
    // 83 bytes of JSON plus 5 spaces = 88 = 0x58.
    const std::string header =
        R"({"__metadata__":{"format":"pt"},"x":{"dtype":"U8","shape":[],"data_offsets":[0,1]}})";
    Bytes expected = {0x58, 0, 0, 0, 0, 0, 0, 0};
    expected.insert(expected.end(), header.begin(), header.end());
    expected.insert(expected.end(), 5, ' ');
    expected.push_back(0x5a);
    EXPECT_EQ(serializeSafetensors(f), expected);
}

TEST(Safetensors, MetadataRoundTrip) {
    SafetensorsFile f = sampleFile();
    f.metadata["format"] = "pt";
    f.metadata["description"] = "FLAME head \"2020\" \xc3\xa9t\xc3\xa9\n";
    f.metadata["empty"] = "";
    const SafetensorsFile g = parse(serializeSafetensors(f));
    EXPECT_EQ(g.metadata, f.metadata);
}

TEST(Safetensors, NullMetadataIsEmpty) {
    const SafetensorsFile g = parse(assemble(R"({"__metadata__":null})"));
    EXPECT_TRUE(g.metadata.empty());
    EXPECT_TRUE(g.tensors.empty());
}

TEST(Safetensors, TensorsMayAppearInAnyHeaderOrder) {
    const Bytes b = assemble(R"({"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},)"
                             R"("a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})",
                             {10, 20});
    const SafetensorsFile g = parse(b);
    EXPECT_EQ(g.tensors.at("a").data, Bytes{10});
    EXPECT_EQ(g.tensors.at("b").data, Bytes{20});
}

TEST(Safetensors, UnknownFieldsInEntryAreIgnored) {
    const Bytes b = assemble(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":1}})", {1});
    EXPECT_EQ(parse(b).tensors.at("a").data, Bytes{1});
}

TEST(Safetensors, DuplicateKeyLastOneWins) {
    // Documented behaviour: nlohmann keeps the last value of a duplicated key.
    const Bytes b = assemble(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                             R"("a":{"dtype":"I8","shape":[2],"data_offsets":[0,2]}})",
                             {1, 2});
    const SafetensorsFile g = parse(b);
    ASSERT_EQ(g.tensors.size(), 1u);
    EXPECT_EQ(g.tensors.at("a").dtype, DType::I8);
}

TEST(Safetensors, SaveAndLoadFile) {
    const auto path = (std::filesystem::temp_directory_path() / "synthforge_test_safetensors.safetensors").string();
    SafetensorsFile f = sampleFile();
    f.metadata["k"] = "v";
    saveSafetensorsFile(path, f);
    const SafetensorsFile g = loadSafetensorsFile(path);
    EXPECT_EQ(g.metadata, f.metadata);
    expectSameArray(g.tensors.at("weights"), f.tensors.at("weights"));
    std::filesystem::remove(path);
}

TEST(Safetensors, LoadMissingFileNamesPath) {
    try {
        loadSafetensorsFile("/nonexistent/dir/model.safetensors");
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/model.safetensors"), std::string::npos);
    }
}

TEST(Safetensors, SerializeRejectsInconsistentArray) {
    SafetensorsFile f;
    NdArray a = NdArray::fromFloat({1.f, 2.f}, {2});
    a.data.pop_back();
    f.tensors["bad"] = a;
    EXPECT_THROW(serializeSafetensors(f), std::invalid_argument);
    SafetensorsFile g;
    g.tensors["__metadata__"] = NdArray::fromFloat({1.f}, {1});
    EXPECT_THROW(serializeSafetensors(g), std::invalid_argument);
}

// ---- validation -----------------------------------------------------------

TEST(SafetensorsErrors, ShorterThanEightBytes) {
    expectError(Bytes{1, 2, 3}, {"too short"});
    expectError(Bytes{}, {"too short"});
}

TEST(SafetensorsErrors, HeaderLengthBeyondFile) {
    Bytes b = assemble("{}");
    b[0] = 200;
    expectError(b, {"header length 200", "beyond"});
}

TEST(SafetensorsErrors, HeaderLengthAboveLimit) {
    Bytes b = assemble("{}");
    const std::uint64_t n = 100'000'001;
    for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(n >> (8 * i));
    expectError(b, {"exceeds the limit"});
    for (int i = 0; i < 8; ++i) b[i] = 0xff;  // 2^64-1 must not wrap around
    expectError(b, {"header length"});
}

TEST(SafetensorsErrors, HeaderNotJsonOrNotObject) {
    expectError(assemble("{\"a\": "), {"not valid JSON"});
    expectError(assemble("[1,2]"), {"JSON object"});
    expectError(assemble(""), {"JSON object"});
    expectError(assemble("{\"a\":1} x"), {"not valid JSON"});
    expectError(assemble("{\"\xff\":1}"), {"not valid JSON"});  // invalid UTF-8
}

TEST(SafetensorsErrors, EntryNotAnObject) { expectError(assemble(R"({"w":[1,2]})"), {"'w'", "object"}); }

TEST(SafetensorsErrors, MissingFields) {
    expectError(assemble(R"({"w":{"shape":[1],"data_offsets":[0,1]}})", {0}), {"'w'", "missing field 'dtype'"});
    expectError(assemble(R"({"w":{"dtype":"U8","data_offsets":[0,1]}})", {0}), {"'w'", "missing field 'shape'"});
    expectError(assemble(R"({"w":{"dtype":"U8","shape":[1]}})", {0}), {"'w'", "missing field 'data_offsets'"});
}

TEST(SafetensorsErrors, WrongFieldTypes) {
    expectError(assemble(R"({"w":{"dtype":4,"shape":[1],"data_offsets":[0,1]}})", {0}), {"'w'", "dtype"});
    expectError(assemble(R"({"w":{"dtype":"U8","shape":1,"data_offsets":[0,1]}})", {0}), {"'w'", "shape"});
    expectError(assemble(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":"0-1"}})", {0}), {"'w'", "data_offsets"});
    expectError(assemble(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0]}})", {0}), {"'w'", "data_offsets"});
    expectError(assemble(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}})", {0}), {"'w'", "data_offsets"});
    expectError(assemble(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[-1,1]}})", {0}), {"'w'", "data_offsets"});
    expectError(assemble(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1.0]}})", {0}), {"'w'", "data_offsets"});
}

TEST(SafetensorsErrors, UnsupportedDType) {
    expectError(assemble(R"({"w":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}})", {0, 0}),
                {"'w'", "unsupported dtype 'BF16'"});
}

TEST(SafetensorsErrors, BadDimensions) {
    expectError(assemble(R"({"w":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}})", {0}), {"'w'", "shape element 0"});
    expectError(assemble(R"({"w":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}})", {0}), {"'w'", "shape element 0"});
    expectError(assemble(R"({"w":{"dtype":"U8","shape":[1,"2"],"data_offsets":[0,1]}})", {0}), {"'w'", "shape element 1"});
    expectError(assemble(R"({"w":{"dtype":"U8","shape":[1e30],"data_offsets":[0,1]}})", {0}), {"'w'"});
    expectError(assemble(R"({"w":{"dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,1]}})", {0}),
                {"'w'"});
    // Overflowing products are caught before any allocation.
    expectError(assemble(R"({"w":{"dtype":"F64","shape":[4294967296,4294967296,16],"data_offsets":[0,1]}})", {0}),
                {"'w'"});
    expectError(assemble(R"({"w":{"dtype":"F64","shape":[100000,100000],"data_offsets":[0,1]}})", {0}),
                {"'w'", "limit"});
}

TEST(SafetensorsErrors, ShapeDoesNotMatchOffsets) {
    Bytes buffer(12, 0);
    expectError(assemble(R"({"weights":{"dtype":"F32","shape":[5023,5],"data_offsets":[0,12]}})", buffer),
                {"tensor 'weights': shape [5023,5] of F32 needs 100460 bytes but data_offsets span 12"});
}

TEST(SafetensorsErrors, BeginAfterEnd) {
    expectError(assemble(R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[4,2]}})", Bytes(4, 0)),
                {"'w'", "begin 4 is after end 2"});
}

TEST(SafetensorsErrors, EndBeyondBuffer) {
    expectError(assemble("{" + kTensorA + "}", Bytes(4, 0)), {"'a'", "beyond the data buffer"});
}

TEST(SafetensorsErrors, OverlappingTensors) {
    expectError(assemble("{" + kTensorA + R"(,"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", kEightBytes),
                {"overlap", "'a'", "'b'"});
    // A zero-sized tensor inside another one also overlaps it.
    expectError(assemble("{" + kTensorA + R"(,"z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}})", kEightBytes),
                {"overlap", "'z'"});
}

TEST(SafetensorsErrors, GapsAndTrailingBytes) {
    expectError(assemble(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", kEightBytes),
                {"[0, 4)", "'a'"});
    expectError(assemble(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                         R"("b":{"dtype":"F32","shape":[1],"data_offsets":[6,10]}})",
                         Bytes(10, 0)),
                {"[4, 6)", "'b'"});
    expectError(assemble("{" + kTensorA + "}", Bytes(9, 0)), {"9 bytes", "cover only 8"});
    expectError(assemble("{}", Bytes(3, 0)), {"incomplete"});
}

TEST(SafetensorsErrors, ZeroSizedTensorsAtBoundariesAreFine) {
    const Bytes b = assemble("{" + kTensorA + R"(,"z":{"dtype":"F32","shape":[0,2],"data_offsets":[8,8]},)"
                             R"("y":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}})",
                             kEightBytes);
    const SafetensorsFile g = parse(b);
    EXPECT_EQ(g.tensors.size(), 3u);
    EXPECT_EQ(g.tensors.at("z").shape, (std::vector<std::int64_t>{0, 2}));
}

TEST(SafetensorsErrors, BadMetadata) {
    expectError(assemble(R"({"__metadata__":{"k":1}})"), {"__metadata__", "'k'"});
    expectError(assemble(R"({"__metadata__":["k"]})"), {"__metadata__"});
    expectError(assemble(R"({"__metadata__":"text"})"), {"__metadata__"});
    expectError(assemble(R"({"__metadata__":{"k":{"nested":"x"}}})"), {"__metadata__", "'k'"});
}

// ---- hostile input ----------------------------------------------------------

TEST(SafetensorsErrors, EveryTruncationThrows) {
    SafetensorsFile f = sampleFile();
    f.metadata["k"] = "v";
    const Bytes full = serializeSafetensors(f);
    for (std::size_t len = 0; len < full.size(); ++len) {
        SCOPED_TRACE(len);
        EXPECT_THROW(parseSafetensors(full.data(), len, "cut"), std::runtime_error);
    }
    EXPECT_NO_THROW(parseSafetensors(full.data(), full.size(), "full"));
}

TEST(SafetensorsErrors, RandomMutationsParseOrThrow) {
    SafetensorsFile f = sampleFile();
    f.metadata["k"] = "v";
    const Bytes original = serializeSafetensors(f);
    std::mt19937 rng(20240611);
    std::size_t parsed = 0;
    for (int iter = 0; iter < 2000; ++iter) {
        Bytes b = original;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < edits; ++k) {
            // Bias towards the length prefix and the header, where structure lives.
            const std::size_t limit = (rng() % 4 == 0) ? b.size() : std::min<std::size_t>(b.size(), 300);
            const std::size_t pos = rng() % limit;
            switch (rng() % 3) {
                case 0: b[pos] = static_cast<std::uint8_t>(rng()); break;
                case 1: b[pos] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;
                default: b[pos] = static_cast<std::uint8_t>("{}[]\",:0123456789-. e"[rng() % 21]); break;
            }
        }
        try {
            const SafetensorsFile g = parseSafetensors(b.data(), b.size(), "mutant");
            for (const auto& [name, a] : g.tensors) ASSERT_EQ(a.data.size(), a.numel() * dtypeSize(a.dtype)) << name;
            ++parsed;
        } catch (const std::runtime_error&) {
        }
    }
    // Mutations in the data buffer leave the file valid, so some must parse.
    EXPECT_GT(parsed, 0u);
}

}  // namespace
}  // namespace synthforge::io
