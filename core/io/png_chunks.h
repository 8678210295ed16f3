#pragma once
// Structural check of a PNG file before it is decoded: the signature, every
// chunk's length and CRC-32, IHDR first, at least one IDAT, IEND last.
//
// Decoders (OpenCV, libpng) report a truncated or corrupt file late and
// vaguely, or decode what they can and return a partial image. Readers of
// files whose every byte matters (label maps of class ids) check the
// structure first, so the error names the chunk and byte offset.

#include <cstdint>
#include <string>
#include <vector>

namespace synthforge::io {

/// What IHDR says about the image.
struct PngHeader {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    int bitDepth = 0;
    int colourType = 0;  ///< 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA
};

/// Human-readable name of a PNG colour type ("greyscale", "RGB", ...).
const char* pngColourTypeName(int colourType);

/// Walks the chunks of `bytes` (a whole PNG file read from `path`) and
/// returns its header. Throws std::runtime_error "<path>: <what>" for a bad
/// signature, a chunk cut off or running past the end, a CRC mismatch, a
/// first chunk that is not a 13-byte IHDR, or no IDAT.
PngHeader checkPngChunks(const std::vector<std::uint8_t>& bytes, const std::string& path);

}  // namespace synthforge::io
