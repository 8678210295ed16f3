#include "core/io/tensorboard_reader.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "core/io/file_util.h"
#include "core/io/tensorboard_writer.h"

namespace synthforge::io {

namespace {

constexpr std::size_t kHeaderBytes = 12;  // uint64 length + uint32 masked CRC of it
constexpr std::size_t kFooterBytes = 4;   // uint32 masked CRC of the data

std::uint64_t le64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

std::uint32_t le32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

std::string hex32(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "0x%08x", v);
    return buf;
}

/// A protobuf message that does not parse; the record loop adds file and offset.
struct MalformedEvent : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Walks the fields of one protobuf message held in [p, end).
class ProtoReader {
public:
    ProtoReader(const std::uint8_t* begin, const std::uint8_t* end) : p_(begin), end_(end) {}

    bool done() const { return p_ >= end_; }

    /// Reads the next key; false at the end of the message.
    bool next(std::uint32_t& field, std::uint32_t& wire) {
        if (done()) return false;
        const std::uint64_t key = varint();
        field = static_cast<std::uint32_t>(key >> 3);
        wire = static_cast<std::uint32_t>(key & 7);
        if (field == 0 || key >> 32) throw MalformedEvent("invalid field key " + std::to_string(key));
        return true;
    }

    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (done()) throw MalformedEvent("varint runs past the end of the message");
            const std::uint8_t b = *p_++;
            v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
            if (!(b & 0x80)) return v;
        }
        throw MalformedEvent("varint longer than 10 bytes");
    }

    double fixed64() {
        need(8);
        const std::uint64_t bits = le64(p_);
        p_ += 8;
        double d;
        std::memcpy(&d, &bits, 8);
        return d;
    }

    float fixed32() {
        need(4);
        const std::uint32_t bits = le32(p_);
        p_ += 4;
        float f;
        std::memcpy(&f, &bits, 4);
        return f;
    }

    /// A length-delimited field's payload, as [begin, end).
    std::pair<const std::uint8_t*, const std::uint8_t*> bytes() {
        const std::uint64_t n = varint();
        if (n > static_cast<std::uint64_t>(end_ - p_))
            throw MalformedEvent("field of " + std::to_string(n) + " bytes runs past the end of the message");
        const std::uint8_t* b = p_;
        p_ += n;
        return {b, p_};
    }

    std::string string() {
        const auto [b, e] = bytes();
        return std::string(reinterpret_cast<const char*>(b), static_cast<std::size_t>(e - b));
    }

    void skip(std::uint32_t wire) {
        switch (wire) {
            case 0: varint(); break;
            case 1: fixed64(); break;
            case 2: bytes(); break;
            case 5: fixed32(); break;
            default: throw MalformedEvent("unsupported wire type " + std::to_string(wire));
        }
    }

private:
    void need(std::size_t n) const {
        if (static_cast<std::size_t>(end_ - p_) < n) throw MalformedEvent("fixed-size field runs past the end");
    }

    const std::uint8_t* p_;
    const std::uint8_t* end_;
};

void expectWire(std::uint32_t wire, std::uint32_t expected, const char* field) {
    if (wire != expected)
        throw MalformedEvent(std::string(field) + " has wire type " + std::to_string(wire) + ", expected " +
                             std::to_string(expected));
}

void decodeImage(ProtoReader r, TbImage& img) {
    std::uint32_t field, wire;
    while (r.next(field, wire)) {
        switch (field) {
            case 1: expectWire(wire, 0, "Image.height"), img.height = static_cast<int>(r.varint()); break;
            case 2: expectWire(wire, 0, "Image.width"), img.width = static_cast<int>(r.varint()); break;
            case 3: expectWire(wire, 0, "Image.colorspace"), img.colorspace = static_cast<int>(r.varint()); break;
            case 4: {
                expectWire(wire, 2, "Image.encoded_image_string");
                const auto [b, e] = r.bytes();
                img.encoded.assign(b, e);
                break;
            }
            default: r.skip(wire);
        }
    }
}

/// One Summary.Value; whichever of simple_value / image comes last wins, as
/// protobuf's oneof rules say.
void decodeValue(ProtoReader r, double wallTime, std::int64_t step, bool skipImages, TbEventFile& out) {
    enum { kNone, kScalar, kImage } kind = kNone;
    std::string tag;
    float value = 0.0f;
    TbImage image;
    std::uint32_t field, wire;
    while (r.next(field, wire)) {
        switch (field) {
            case 1: expectWire(wire, 2, "Value.tag"), tag = r.string(); break;
            case 2: expectWire(wire, 5, "Value.simple_value"), value = r.fixed32(), kind = kScalar; break;
            case 4: {
                expectWire(wire, 2, "Value.image");
                const auto [b, e] = r.bytes();
                image = TbImage{};
                if (!skipImages) decodeImage(ProtoReader(b, e), image);
                kind = kImage;
                break;
            }
            default: r.skip(wire);
        }
    }
    if (kind == kScalar) {
        out.scalars.push_back({tag, step, wallTime, value});
    } else if (kind == kImage && !skipImages) {
        image.tag = tag;
        image.step = step;
        image.wallTime = wallTime;
        out.images.push_back(std::move(image));
    }
}

void decodeEvent(const std::uint8_t* begin, const std::uint8_t* end, bool skipImages, TbEventFile& out) {
    ProtoReader r(begin, end);
    double wallTime = 0.0;
    std::int64_t step = 0;
    // Summaries are decoded after the whole Event: wall_time and step may
    // legally come after them in the bytes.
    std::vector<std::pair<const std::uint8_t*, const std::uint8_t*>> summaries;
    std::uint32_t field, wire;
    while (r.next(field, wire)) {
        switch (field) {
            case 1: expectWire(wire, 1, "Event.wall_time"), wallTime = r.fixed64(); break;
            case 2: expectWire(wire, 0, "Event.step"), step = static_cast<std::int64_t>(r.varint()); break;
            case 3: expectWire(wire, 2, "Event.file_version"), out.fileVersion = r.string(); break;
            case 5: expectWire(wire, 2, "Event.summary"), summaries.push_back(r.bytes()); break;
            default: r.skip(wire);
        }
    }
    for (const auto& [sb, se] : summaries) {
        ProtoReader s(sb, se);
        while (s.next(field, wire)) {
            if (field != 1) {
                s.skip(wire);
                continue;
            }
            expectWire(wire, 2, "Summary.value");
            const auto [vb, ve] = s.bytes();
            decodeValue(ProtoReader(vb, ve), wallTime, step, skipImages, out);
        }
    }
}

std::string describe(const std::string& path, std::uint64_t offset, const std::string& what) {
    return path + ": offset " + std::to_string(offset) + ": " + what;
}

[[noreturn]] void fail(const std::string& path, std::uint64_t offset, const std::string& what) {
    throw std::runtime_error(describe(path, offset, what));
}

/// The bytes of `path` from `offset` to its end.
std::vector<std::uint8_t> readFrom(const std::string& path, std::uint64_t offset) {
    if (offset == 0) return readFileBytes(path);
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw std::runtime_error(path + ": cannot open");
    const std::streamoff end = in.tellg();
    if (end < 0) throw std::runtime_error(path + ": cannot tell its size");
    const auto size = static_cast<std::uint64_t>(end);
    if (offset > size)
        throw std::runtime_error(path + ": start offset " + std::to_string(offset) + " is past the end of the file (" +
                                 std::to_string(size) + " bytes)");
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size - offset));
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    // A writer may cut the file between tellg and read: keep what was there.
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    return bytes;
}

}  // namespace

TbEventFile readTensorBoardFile(const std::string& path, const TbReadOptions& options) {
    const std::vector<std::uint8_t> bytes = readFrom(path, options.startOffset);
    // Offsets below are relative to the first byte read; `base` makes the
    // reported ones absolute.
    const std::uint64_t base = options.startOffset;
    const std::uint8_t* data = bytes.data();
    const std::uint64_t size = bytes.size();
    TbEventFile out;
    std::uint64_t off = 0;
    const auto corrupt = [&](const std::string& what) {
        if (!options.stopAtCorruption) fail(path, base + off, what);
        out.error = describe(path, base + off, what);
    };
    while (off < size) {
        const std::uint64_t left = size - off;
        if (left < kHeaderBytes) {
            if (options.allowTruncatedTail) break;
            fail(path, base + off, "truncated record header (" + std::to_string(left) + " of 12 bytes)");
        }
        const std::uint32_t lengthCrc = maskedCrc32c(data + off, 8);
        if (lengthCrc != le32(data + off + 8)) {
            corrupt("length CRC mismatch (stored " + hex32(le32(data + off + 8)) + ", computed " + hex32(lengthCrc) +
                    ")");
            break;
        }
        // Compare against what is left before using the length: a corrupt
        // one (with a matching CRC) must not drive an allocation.
        const std::uint64_t length = le64(data + off);
        if (length > left - kHeaderBytes || left - kHeaderBytes - length < kFooterBytes) {
            if (options.allowTruncatedTail) break;
            fail(path, base + off, "record of " + std::to_string(length) + " bytes runs past the end of the file (" +
                                std::to_string(left - kHeaderBytes) + " bytes left after its header)");
        }
        const std::uint8_t* payload = data + off + kHeaderBytes;
        const std::uint32_t dataCrc = maskedCrc32c(payload, static_cast<std::size_t>(length));
        if (dataCrc != le32(payload + length)) {
            corrupt("data CRC mismatch (stored " + hex32(le32(payload + length)) + ", computed " + hex32(dataCrc) + ")");
            break;
        }
        // A malformed Event may have added some of its values before the
        // error: they go, so that a read stopping there ends on a whole record.
        const std::size_t scalarsBefore = out.scalars.size(), imagesBefore = out.images.size();
        try {
            decodeEvent(payload, payload + length, options.skipImages, out);
        } catch (const MalformedEvent& e) {
            out.scalars.resize(scalarsBefore);
            out.images.resize(imagesBefore);
            corrupt(std::string("malformed Event: ") + e.what());
            break;
        }
        off += kHeaderBytes + length + kFooterBytes;
        ++out.records;
    }
    out.completeBytes = base + off;
    return out;
}

std::vector<TbScalar> readTensorBoardScalars(const std::string& path, const TbReadOptions& options) {
    return readTensorBoardFile(path, options).scalars;
}

}  // namespace synthforge::io
