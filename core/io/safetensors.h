#pragma once
// The safetensors container (https://github.com/huggingface/safetensors):
// u64 little-endian header length, a JSON header mapping tensor names to
// {dtype, shape, data_offsets}, an optional "__metadata__" string map, then
// the raw little-endian data. It is our own head model format and the weight
// format we hand to Python users.

#include <map>
#include <string>

#include "core/io/ndarray.h"

namespace synthforge::io {

struct SafetensorsFile {
    std::map<std::string, NdArray> tensors;
    std::map<std::string, std::string> metadata;
};

/// The format's name of a dtype ("F32", "I64", ...).
const char* safetensorsName(DType t);

/// Parses from memory; `source` names the origin for error messages.
SafetensorsFile parseSafetensors(const std::uint8_t* data, std::size_t size, const std::string& source);
SafetensorsFile loadSafetensorsFile(const std::string& path);

/// Serialises to bytes (tensors sorted by name, 8-byte aligned header).
std::vector<std::uint8_t> serializeSafetensors(const SafetensorsFile& file);
/// Writes atomically (temporary file, then rename).
void saveSafetensorsFile(const std::string& path, const SafetensorsFile& file);

}  // namespace synthforge::io
