#include "core/labelmap/tile_rle.h"

#include <stdexcept>

namespace synthforge::labelmap {

std::vector<std::uint8_t> rleEncode(const std::uint8_t* data, std::size_t n) {
    std::vector<std::uint8_t> out;
    std::size_t i = 0;
    while (i < n) {
        const std::uint8_t v = data[i];
        std::size_t j = i + 1;
        while (j < n && data[j] == v) ++j;
        std::size_t run = j - i;
        while (run >= 0x80) {
            out.push_back(static_cast<std::uint8_t>(run & 0x7F) | 0x80);
            run >>= 7;
        }
        out.push_back(static_cast<std::uint8_t>(run));
        out.push_back(v);
        i = j;
    }
    out.shrink_to_fit();
    return out;
}

void rleXorInto(const std::vector<std::uint8_t>& code, std::uint8_t* out, std::size_t n) {
    std::size_t pos = 0, at = 0;
    while (pos < code.size()) {
        std::size_t run = 0;
        int shift = 0;
        for (;;) {
            if (pos >= code.size() || shift > 28) throw std::logic_error("rleXorInto: malformed run length");
            const std::uint8_t b = code[pos++];
            run |= static_cast<std::size_t>(b & 0x7F) << shift;
            shift += 7;
            if (!(b & 0x80)) break;
        }
        if (pos >= code.size()) throw std::logic_error("rleXorInto: run without a value");
        const std::uint8_t v = code[pos++];
        if (run == 0 || run > n - at) throw std::logic_error("rleXorInto: runs do not add up to the tile size");
        if (v != 0)
            for (std::size_t k = 0; k < run; ++k) out[at + k] ^= v;
        at += run;
    }
    if (at != n) throw std::logic_error("rleXorInto: runs do not add up to the tile size");
}

}  // namespace synthforge::labelmap
