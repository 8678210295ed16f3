#pragma once
// Writing MXNet RecordIO files byte by byte for tests (the layout is in
// core/dataset/recordio.h): parts with magic and length words, InsightFace
// image records, raw files.

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/dataset/recordio.h"

namespace synthforge::testutil::recordio {

using Bytes = std::vector<std::uint8_t>;

inline void put32(Bytes& b, std::uint32_t v) {
    for (int k = 0; k < 4; ++k) b.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
}
inline void put64(Bytes& b, std::uint64_t v) {
    put32(b, static_cast<std::uint32_t>(v));
    put32(b, static_cast<std::uint32_t>(v >> 32));
}
inline void putFloat(Bytes& b, float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    put32(b, u);
}

/// One RecordIO part: magic, (cflag << 29) | length, data, zero padding.
inline void putPart(Bytes& file, const Bytes& data, std::uint32_t cflag) {
    put32(file, dataset::kRecordIoMagic);
    put32(file, (cflag << 29) | static_cast<std::uint32_t>(data.size()));
    file.insert(file.end(), data.begin(), data.end());
    while (file.size() % 4) file.push_back(0);
}

inline Bytes imageRecord(std::uint32_t flag, std::vector<float> labels, std::uint64_t id, const std::string& payload) {
    Bytes r;
    put32(r, flag);
    putFloat(r, flag == 0 ? labels.at(0) : 0.0f);
    put64(r, id);
    put64(r, 0);
    if (flag > 0)
        for (float l : labels) putFloat(r, l);
    r.insert(r.end(), payload.begin(), payload.end());
    return r;
}

inline void writeBytes(const std::filesystem::path& p, const Bytes& b) {
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

}  // namespace synthforge::testutil::recordio
