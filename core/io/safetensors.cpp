#include "core/io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/file_util.h"

// Behaviour follows the reference implementation (huggingface/safetensors):
//  * the header may be at most 100,000,000 bytes and must start with '{';
//  * tensors must tile the data buffer exactly: sorted by offset, each one
//    starts where the previous ended, the first at 0 and the last at the end
//    of the buffer (gaps, overlaps and trailing bytes are all rejected, as the
//    reference does with InvalidOffset / MetadataIncompleteBuffer);
//  * unknown fields inside a tensor entry are ignored (serde's default);
//  * duplicate JSON keys: the last one wins (nlohmann's behaviour, and what
//    serde does when filling a map), so a duplicated tensor name is not an
//    error but only the last entry is used.

namespace synthforge::io {

namespace {

using Json = nlohmann::json;

constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;  // the reference's MAX_HEADER_SIZE
constexpr const char* kMetadataKey = "__metadata__";

struct DTypeName {
    DType type;
    const char* name;
};

constexpr DTypeName kDTypeNames[] = {
    {DType::Bool, "BOOL"}, {DType::U8, "U8"},   {DType::I8, "I8"},   {DType::U16, "U16"},
    {DType::I16, "I16"},   {DType::U32, "U32"}, {DType::I32, "I32"}, {DType::U64, "U64"},
    {DType::I64, "I64"},   {DType::F16, "F16"}, {DType::F32, "F32"}, {DType::F64, "F64"},
};


std::string inQuotes(const std::string& name) { return "'" + name + "'"; }

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

/// Error helper: every message starts with the source name.
[[noreturn]] void fail(const std::string& source, const std::string& what) {
    throw std::runtime_error(source + ": " + what);
}

/// A tensor entry after JSON validation, before its bytes are copied.
struct Entry {
    std::string name;
    DType dtype = DType::U8;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0, end = 0;
};

DType parseDType(const Json& v, const std::string& source, const std::string& tensor) {
    if (!v.is_string()) fail(source, "tensor " + inQuotes(tensor) + ": dtype must be a string");
    const std::string& s = v.get_ref<const std::string&>();
    for (const auto& d : kDTypeNames)
        if (s == d.name) return d.type;
    fail(source, "tensor " + inQuotes(tensor) + ": unsupported dtype '" + s +
                     "' (supported: BOOL U8 I8 U16 I16 U32 I32 U64 I64 F16 F32 F64)");
}

/// A JSON value that is a non-negative integer (not 2.0, not -1, not 1e30).
bool asUnsigned(const Json& v, std::uint64_t& out) {
    if (!v.is_number_integer()) return false;
    if (v.is_number_unsigned()) {
        out = v.get<std::uint64_t>();
        return true;
    }
    const std::int64_t i = v.get<std::int64_t>();
    if (i < 0) return false;
    out = static_cast<std::uint64_t>(i);
    return true;
}

std::vector<std::int64_t> parseShape(const Json& v, const std::string& source, const std::string& tensor) {
    if (!v.is_array()) fail(source, "tensor " + inQuotes(tensor) + ": shape must be an array");
    std::vector<std::int64_t> shape;
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::uint64_t d = 0;
        if (!asUnsigned(v[i], d) || d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            fail(source, "tensor " + inQuotes(tensor) + ": shape element " + std::to_string(i) + " (" + v[i].dump() +
                             ") is not a non-negative integer");
        shape.push_back(static_cast<std::int64_t>(d));
    }
    return shape;
}

void parseOffsets(const Json& v, const std::string& source, Entry& e) {
    if (!v.is_array() || v.size() != 2 || !asUnsigned(v[0], e.begin) || !asUnsigned(v[1], e.end))
        fail(source, "tensor " + inQuotes(e.name) + ": data_offsets must be [begin, end] with non-negative integers, got " +
                         v.dump());
    if (e.begin > e.end)
        fail(source, "tensor " + inQuotes(e.name) + ": data_offsets begin " + std::to_string(e.begin) +
                         " is after end " + std::to_string(e.end));
}

const Json& requireField(const Json& obj, const char* field, const std::string& source, const std::string& tensor) {
    auto it = obj.find(field);
    if (it == obj.end()) fail(source, "tensor " + inQuotes(tensor) + ": missing field '" + field + "'");
    return *it;
}

Entry parseEntry(const std::string& name, const Json& v, std::uint64_t bufferSize, const std::string& source) {
    if (!v.is_object()) fail(source, "tensor " + inQuotes(name) + ": entry must be a JSON object");
    Entry e;
    e.name = name;
    e.dtype = parseDType(requireField(v, "dtype", source, name), source, name);
    e.shape = parseShape(requireField(v, "shape", source, name), source, name);
    parseOffsets(requireField(v, "data_offsets", source, name), source, e);

    const std::size_t elemSize = dtypeSize(e.dtype);
    const std::uint64_t count = checkedElementCount(e.shape, elemSize, source + ": tensor " + inQuotes(name));
    const std::uint64_t needed = count * elemSize;  // cannot overflow: bounded by kMaxArrayBytes
    if (needed != e.end - e.begin)
        fail(source, "tensor " + inQuotes(name) + ": shape " + shapeText(e.shape) + " of " + safetensorsName(e.dtype) +
                         " needs " + std::to_string(needed) + " bytes but data_offsets span " +
                         std::to_string(e.end - e.begin));
    if (e.end > bufferSize)
        fail(source, "tensor " + inQuotes(name) + ": data_offsets end " + std::to_string(e.end) +
                         " is beyond the data buffer of " + std::to_string(bufferSize) + " bytes");
    return e;
}

std::map<std::string, std::string> parseMetadata(const Json& v, const std::string& source) {
    std::map<std::string, std::string> out;
    if (v.is_null()) return out;  // the reference reads "__metadata__": null as absent
    if (!v.is_object()) fail(source, "__metadata__ must be an object mapping strings to strings");
    for (auto it = v.begin(); it != v.end(); ++it) {
        if (!it.value().is_string())
            fail(source, "__metadata__ value for key " + inQuotes(it.key()) + " must be a string, got " +
                             it.value().type_name());
        out[it.key()] = it.value().get<std::string>();
    }
    return out;
}

/// The reference requires tensors to tile the buffer: no gap, no overlap, no
/// trailing bytes. Zero-sized tensors may sit at any boundary.
void checkCoverage(std::vector<Entry> entries, std::uint64_t bufferSize, const std::string& source) {
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    std::uint64_t covered = 0;
    const Entry* prev = nullptr;
    for (const Entry& e : entries) {
        if (e.begin < covered)
            fail(source, "tensor " + inQuotes(e.name) + ": data_offsets [" + std::to_string(e.begin) + ", " +
                             std::to_string(e.end) + "] overlap tensor " + inQuotes(prev->name) + " [" +
                             std::to_string(prev->begin) + ", " + std::to_string(prev->end) + "]");
        if (e.begin > covered)
            fail(source, "data buffer bytes [" + std::to_string(covered) + ", " + std::to_string(e.begin) +
                             ") before tensor " + inQuotes(e.name) + " belong to no tensor");
        covered = e.end;
        prev = &e;
    }
    if (covered != bufferSize)
        fail(source, "data buffer has " + std::to_string(bufferSize) + " bytes but tensors cover only " +
                         std::to_string(covered) + " (incomplete buffer)");
}

std::uint64_t readU64LE(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

void writeU64LE(std::uint8_t* p, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

Json parseHeaderJson(const std::uint8_t* p, std::uint64_t n, const std::string& source) {
    if (n == 0 || p[0] != '{') fail(source, "header must be a JSON object starting with '{'");
    try {
        Json header = Json::parse(p, p + n);
        if (!header.is_object()) fail(source, "header must be a JSON object");
        return header;
    } catch (const Json::exception& e) {
        fail(source, std::string("header is not valid JSON: ") + e.what());
    }
}

}  // namespace

const char* safetensorsName(DType t) {
    for (const auto& d : kDTypeNames)
        if (d.type == t) return d.name;
    return "?";
}

SafetensorsFile parseSafetensors(const std::uint8_t* data, std::size_t size, const std::string& source) {
    if (size < 8) fail(source, "file of " + std::to_string(size) + " bytes is too short for a safetensors header");
    const std::uint64_t n = readU64LE(data);
    if (n > kMaxHeaderBytes)
        fail(source, "header length " + std::to_string(n) + " exceeds the limit of " + std::to_string(kMaxHeaderBytes));
    if (n > size - 8)
        fail(source, "header length " + std::to_string(n) + " is beyond the end of the " + std::to_string(size) +
                         "-byte file");
    const Json header = parseHeaderJson(data + 8, n, source);

    const std::uint8_t* buffer = data + 8 + n;
    const std::uint64_t bufferSize = size - 8 - n;
    SafetensorsFile out;
    std::vector<Entry> entries;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == kMetadataKey)
            out.metadata = parseMetadata(it.value(), source);
        else
            entries.push_back(parseEntry(it.key(), it.value(), bufferSize, source));
    }
    checkCoverage(entries, bufferSize, source);

    for (Entry& e : entries) {
        NdArray a;
        a.dtype = e.dtype;
        a.shape = std::move(e.shape);
        a.data.assign(buffer + e.begin, buffer + e.end);
        out.tensors.emplace(std::move(e.name), std::move(a));
    }
    return out;
}

SafetensorsFile loadSafetensorsFile(const std::string& path) {
    const std::vector<std::uint8_t> bytes = readFileBytes(path);
    return parseSafetensors(bytes.data(), bytes.size(), path);
}

std::vector<std::uint8_t> serializeSafetensors(const SafetensorsFile& file) {
    // ordered_json keeps insertion order, so the header reads like the
    // reference's: __metadata__ first, then tensors in data order, each as
    // {"dtype", "shape", "data_offsets"}.
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!file.metadata.empty()) {
        nlohmann::ordered_json meta = nlohmann::ordered_json::object();
        for (const auto& [k, v] : file.metadata) meta[k] = v;
        header[kMetadataKey] = std::move(meta);
    }
    std::uint64_t offset = 0;
    for (const auto& [name, a] : file.tensors) {  // std::map: sorted by name
        if (name == kMetadataKey) throw std::invalid_argument("safetensors: a tensor cannot be named __metadata__");
        const std::uint64_t bytes =
            checkedElementCount(a.shape, dtypeSize(a.dtype), "safetensors: tensor " + inQuotes(name)) *
            dtypeSize(a.dtype);
        if (bytes != a.data.size())
            throw std::invalid_argument("safetensors: tensor " + inQuotes(name) + " of shape " + shapeText(a.shape) +
                                        " holds " + std::to_string(a.data.size()) + " bytes, expected " +
                                        std::to_string(bytes));
        header[name] = {{"dtype", safetensorsName(a.dtype)},
                        {"shape", a.shape},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }

    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::ordered_json::exception& e) {  // invalid UTF-8 in a name or value
        throw std::invalid_argument(std::string("safetensors: cannot encode header: ") + e.what());
    }
    text.append((8 - text.size() % 8) % 8, ' ');  // the reference pads so the data starts 8-aligned

    std::vector<std::uint8_t> out(8 + text.size() + offset);
    writeU64LE(out.data(), text.size());
    std::memcpy(out.data() + 8, text.data(), text.size());
    std::uint8_t* dst = out.data() + 8 + text.size();
    for (const auto& entry : file.tensors) {
        const auto& bytes = entry.second.data;
        if (!bytes.empty()) std::memcpy(dst, bytes.data(), bytes.size());
        dst += bytes.size();
    }
    return out;
}

void saveSafetensorsFile(const std::string& path, const SafetensorsFile& file) {
    const std::vector<std::uint8_t> bytes = serializeSafetensors(file);
    writeFileAtomic(path, bytes.data(), bytes.size());
}

}  // namespace synthforge::io
