#include "core/io/png_chunks.h"

#include <cstring>
#include <stdexcept>

#include <zlib.h>

namespace synthforge::io {
namespace {

std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

// PNG's chunk CRC is zlib's CRC-32 (ISO 3309), over the type and the data.
std::uint32_t chunkCrc(const std::uint8_t* typeAndData, std::size_t n) {
    return static_cast<std::uint32_t>(::crc32_z(::crc32_z(0L, Z_NULL, 0), typeAndData, n));
}

}  // namespace

const char* pngColourTypeName(int colourType) {
    switch (colourType) {
        case 0: return "greyscale";
        case 2: return "RGB";
        case 3: return "palette";
        case 4: return "greyscale+alpha";
        case 6: return "RGBA";
        default: return "unknown colour type";
    }
}

PngHeader checkPngChunks(const std::vector<std::uint8_t>& b, const std::string& path) {
    static const std::uint8_t kSig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    auto fail = [&](const std::string& what) { throw std::runtime_error(path + ": " + what); };
    if (b.size() < 8 || std::memcmp(b.data(), kSig, 8) != 0) fail("not a PNG file (bad signature)");
    PngHeader header;
    std::size_t pos = 8;
    bool first = true, sawIdat = false;
    for (;;) {
        if (b.size() - pos < 12) fail("truncated PNG: chunk header at byte " + std::to_string(pos) + " is cut off");
        const std::uint32_t len = be32(&b[pos]);
        const std::string type(reinterpret_cast<const char*>(&b[pos + 4]), 4);
        if (len > 0x7FFFFFFFu || b.size() - pos - 12 < len)
            fail("truncated PNG: chunk '" + type + "' at byte " + std::to_string(pos) + " runs past the end of the file");
        const std::uint8_t* data = &b[pos + 8];
        if (chunkCrc(&b[pos + 4], len + 4) != be32(data + len))
            fail("corrupt PNG: CRC mismatch in chunk '" + type + "' at byte " + std::to_string(pos));
        if (first) {
            if (type != "IHDR" || len != 13) fail("corrupt PNG: the first chunk is not a valid IHDR");
            header.width = be32(data);
            header.height = be32(data + 4);
            header.bitDepth = data[8];
            header.colourType = data[9];
            first = false;
        }
        if (type == "IDAT") sawIdat = true;
        pos += 12 + len;
        if (type == "IEND") break;
    }
    if (!sawIdat) fail("corrupt PNG: no image data (IDAT)");
    return header;
}

}  // namespace synthforge::io
