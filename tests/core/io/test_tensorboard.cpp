// TensorBoard event files: CRC-32C against published vectors, the exact
// bytes of a tiny record, scalar and image round trips through our reader,
// file naming and appending, and hostile input for the reader (every
// truncation, every single-byte corruption, lying lengths, bad protobuf).
// When Debian's python3-protobuf is installed, a Python parser built from
// the .proto field layout at run time reads our file as a second opinion.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/io/file_util.h"
#include "core/io/tensorboard_reader.h"
#include "core/io/tensorboard_writer.h"
#include "tests/support/ci.h"
#include "tests/support/fixtures.h"

using namespace synthforge;
using Bytes = std::vector<std::uint8_t>;

namespace {

/// Bit-at-a-time CRC-32C straight from the definition (reflected polynomial
/// 0x82F63B78, init and final xor 0xFFFFFFFF): an independent check of the
/// table-driven implementation.
std::uint32_t referenceCrc32c(const Bytes& data) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::uint8_t b : data) {
        c ^= b;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
    }
    return ~c;
}

std::uint32_t referenceMasked(const Bytes& data) {
    const std::uint32_t c = referenceCrc32c(data);
    return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

void appendLe(Bytes& out, std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

/// One TFRecord frame around `data`, built by hand.
Bytes frame(const Bytes& data) {
    Bytes len;
    appendLe(len, data.size(), 8);
    Bytes out = len;
    appendLe(out, referenceMasked(len), 4);
    out.insert(out.end(), data.begin(), data.end());
    appendLe(out, referenceMasked(data), 4);
    return out;
}

Bytes readBytes(const std::string& path) { return io::readFileBytes(path); }

void writeBytes(const std::string& path, const Bytes& b) { io::writeFileAtomic(path, b.data(), b.size()); }

std::string runtimeError(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

/// Offsets where records start (and the end), from the length fields.
std::vector<std::size_t> recordBoundaries(const Bytes& b) {
    std::vector<std::size_t> at = {0};
    std::size_t off = 0;
    while (off < b.size()) {
        std::uint64_t n = 0;
        for (int i = 7; i >= 0; --i) n = (n << 8) | b[off + i];
        off += 16 + n;
        at.push_back(off);
    }
    return at;
}

/// A small file: the version record and two scalars.
std::string smallFile(const testutil::TempDir& dir) {
    io::TensorBoardWriter w(dir.file("small"));
    w.addScalar("loss", 0.25, 1, 100.0);
    w.addScalar("lr", 1e-3, 2, 101.0);
    w.flush();
    return w.path();
}

std::string hostName() {
    char buf[256] = {};
    ::gethostname(buf, sizeof(buf) - 1);
    return buf;
}

}  // namespace

// ---- CRC-32C -------------------------------------------------------------------

TEST(TensorBoardCrc, KnownVectors) {
    // The check value of CRC-32C, and the RFC 3720 (iSCSI) B.4 vectors.
    const std::string digits = "123456789";
    EXPECT_EQ(io::crc32c(digits.data(), digits.size()), 0xE3069283u);
    const Bytes zeros(32, 0x00), ones(32, 0xFF);
    Bytes up(32), down(32);
    for (int i = 0; i < 32; ++i) up[i] = static_cast<std::uint8_t>(i), down[i] = static_cast<std::uint8_t>(31 - i);
    EXPECT_EQ(io::crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
    EXPECT_EQ(io::crc32c(ones.data(), ones.size()), 0x62A8AB43u);
    EXPECT_EQ(io::crc32c(up.data(), up.size()), 0x46DD794Eu);
    EXPECT_EQ(io::crc32c(down.data(), down.size()), 0x113FDB5Cu);
    EXPECT_EQ(io::crc32c(nullptr, 0), 0u);
    EXPECT_EQ(referenceCrc32c(Bytes(digits.begin(), digits.end())), 0xE3069283u);
}

TEST(TensorBoardCrc, TableMatchesBitwiseDefinitionAndMask) {
    std::mt19937 rng(7);
    for (int len : {1, 2, 3, 7, 8, 9, 63, 64, 65, 1000}) {
        Bytes b(static_cast<std::size_t>(len));
        for (auto& x : b) x = static_cast<std::uint8_t>(rng());
        EXPECT_EQ(io::crc32c(b.data(), b.size()), referenceCrc32c(b)) << len;
        EXPECT_EQ(io::maskedCrc32c(b.data(), b.size()), referenceMasked(b)) << len;
    }
    // Mask by hand for "123456789": crc 0xE3069283,
    // rotr 15 = (0xE3069283 >> 15) | (0xE3069283 << 17) mod 2^32
    //         = 0x0001C60D | 0x25060000 = 0x2507C60D,
    // + 0xA282EAD8 = 0xC78AB0E5.
    const std::string digits = "123456789";
    EXPECT_EQ(io::maskedCrc32c(digits.data(), digits.size()), 0xC78AB0E5u);
}

// ---- writer: bytes on disk -------------------------------------------------------

TEST(TensorBoardWriter, TinyRecordIsFramedByteForByte) {
    testutil::TempDir dir;
    std::string path;
    {
        io::TensorBoardWriter w(dir.path.string());
        w.addScalar("a", 0.5, 3, 1.0);
        path = w.path();
    }
    const Bytes file = readBytes(path);
    const auto at = recordBoundaries(file);
    ASSERT_EQ(at.size(), 3u);  // version record, scalar record
    ASSERT_EQ(at.back(), file.size());

    // First record: Event { wall_time (field 1, fixed64) ; file_version
    // (field 3, key 0x1A) "brain.Event:2" (13 bytes) } = 9 + 2 + 13 = 24 bytes.
    ASSERT_EQ(at[1], 16u + 24u);
    EXPECT_EQ(file[0], 24);
    EXPECT_EQ(file[12], 0x09);  // key of field 1, wire type 1
    const std::string version(file.begin() + 12 + 11, file.begin() + 12 + 24);
    EXPECT_EQ(file[12 + 9], 0x1A);
    EXPECT_EQ(file[12 + 10], 13);
    EXPECT_EQ(version, "brain.Event:2");

    // Second record, by hand:
    //   09 <1.0 as LE double>        wall_time      (9 bytes)
    //   10 03                        step = 3       (2 bytes)
    //   2A 0A                        summary, 10 bytes:
    //     0A 08                        value, 8 bytes:
    //       0A 01 61                     tag "a"
    //       15 00 00 00 3F               simple_value 0.5f (0x3F000000)
    // = 23 bytes, framed as len 23 (8 bytes) + masked CRC + data + masked CRC.
    const Bytes data = {0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F, 0x10, 0x03, 0x2A,
                        0x0A, 0x0A, 0x08, 0x0A, 0x01, 0x61, 0x15, 0x00, 0x00, 0x00, 0x3F};
    const Bytes expected = frame(data);
    ASSERT_EQ(file.size() - at[1], expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
        EXPECT_EQ(file[at[1] + i], expected[i]) << "byte " << i << " of the scalar record";
}

TEST(TensorBoardWriter, FileNameFollowsTensorBoardConvention) {
    testutil::TempDir dir;
    const double before = std::floor(io::wallTimeNow());
    io::TensorBoardWriter a(dir.path.string());
    io::TensorBoardWriter b(dir.path.string(), {".train", ""});
    const double after = io::wallTimeNow();
    EXPECT_NE(a.path(), b.path());  // two writers, two files
    const std::string name = std::filesystem::path(a.path()).filename().string();
    const std::string prefix = "events.out.tfevents.";
    ASSERT_EQ(name.rfind(prefix, 0), 0u) << name;
    const std::string stamp = name.substr(prefix.size(), 10);
    for (char c : stamp) EXPECT_TRUE(c >= '0' && c <= '9') << name;
    const double seconds = std::stod(stamp);
    EXPECT_GE(seconds, before);
    EXPECT_LE(seconds, after);
    const std::string rest = "." + hostName() + "." + std::to_string(::getpid()) + ".";
    EXPECT_EQ(name.substr(prefix.size() + 10, rest.size()), rest) << name;
    const std::string bName = std::filesystem::path(b.path()).filename().string();
    EXPECT_EQ(bName.substr(bName.size() - 6), ".train") << bName;
    EXPECT_EQ(std::filesystem::path(a.path()).parent_path(), dir.path);
}

// ---- round trips -----------------------------------------------------------------

TEST(TensorBoardWriter, ScalarsRoundTrip) {
    testutil::TempDir dir;
    struct In {
        std::string tag;
        double value;
        std::int64_t step;
        double wall;
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<In> in = {
        {"loss/train", 0.125, 0, 1700000000.25},  {"loss/train", -1.5, 1, 1700000001.5},
        {"lr", 3e-4, 1LL << 40, 1700000002.0},     {"zero", 0.0, 5, 0.0},
        {"neg_step", 2.0, -7, 1.0},                 {"diverged", nan, 6, 2.0},
        {"big", inf, 7, 3.0},                       {"unicodé/λ", 42.0, 8, 4.0},
    };
    std::string path;
    {
        io::TensorBoardWriter w(dir.path.string());
        for (const In& s : in) w.addScalar(s.tag, s.value, s.step, s.wall);
        path = w.path();
    }
    const io::TbEventFile f = io::readTensorBoardFile(path);
    EXPECT_EQ(f.fileVersion, "brain.Event:2");
    EXPECT_EQ(f.records, in.size() + 1);
    EXPECT_EQ(f.completeBytes, std::filesystem::file_size(path));
    ASSERT_EQ(f.scalars.size(), in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const io::TbScalar& s = f.scalars[i];
        EXPECT_EQ(s.tag, in[i].tag);
        EXPECT_EQ(s.step, in[i].step);
        EXPECT_EQ(s.wallTime, in[i].wall);
        if (std::isnan(in[i].value))
            EXPECT_TRUE(std::isnan(s.value));
        else
            EXPECT_EQ(s.value, static_cast<float>(in[i].value)) << s.tag;
    }
    EXPECT_EQ(io::readTensorBoardScalars(path).size(), in.size());
}

TEST(TensorBoardWriter, DefaultWallTimeIsNow) {
    testutil::TempDir dir;
    io::TensorBoardWriter w(dir.path.string());
    const double before = io::wallTimeNow();
    w.addScalar("x", 1.0, 0);
    const double after = io::wallTimeNow();
    w.flush();
    const auto s = io::readTensorBoardScalars(w.path());
    ASSERT_EQ(s.size(), 1u);
    EXPECT_GE(s[0].wallTime, before);
    EXPECT_LE(s[0].wallTime, after);
}

TEST(TensorBoardWriter, ImagesRoundTripPixelExact) {
    testutil::TempDir dir;
    cv::Mat bgr(12, 17, CV_8UC3), grey(5, 9, CV_8UC1), bgra(4, 6, CV_8UC4);
    cv::randu(bgr, 0, 256);
    cv::randu(grey, 0, 256);
    cv::randu(bgra, 0, 256);
    std::string path;
    {
        io::TensorBoardWriter w(dir.path.string());
        w.addImage("render/bgr", bgr, 10, 5.0);
        w.addScalar("between", 1.0, 10, 5.5);
        w.addImage("seg/grey", grey, 11, 6.0);
        w.addImage("alpha", bgra, 12, 7.0);
        path = w.path();
    }
    const io::TbEventFile f = io::readTensorBoardFile(path);
    ASSERT_EQ(f.images.size(), 3u);
    ASSERT_EQ(f.scalars.size(), 1u);
    const cv::Mat originals[] = {bgr, grey, bgra};
    const int colorspaces[] = {3, 1, 4};
    const char* tags[] = {"render/bgr", "seg/grey", "alpha"};
    for (int i = 0; i < 3; ++i) {
        const io::TbImage& im = f.images[static_cast<std::size_t>(i)];
        EXPECT_EQ(im.tag, tags[i]);
        EXPECT_EQ(im.step, 10 + i);
        EXPECT_EQ(im.wallTime, 5.0 + i);
        EXPECT_EQ(im.height, originals[i].rows);
        EXPECT_EQ(im.width, originals[i].cols);
        EXPECT_EQ(im.colorspace, colorspaces[i]);
        ASSERT_GE(im.encoded.size(), 8u);
        EXPECT_EQ(im.encoded[1], 'P');  // PNG signature \x89PNG
        // OpenCV decodes PNG back to BGR(A), the order the image came in.
        const cv::Mat back = cv::imdecode(im.encoded, cv::IMREAD_UNCHANGED);
        ASSERT_EQ(back.type(), originals[i].type()) << tags[i];
        ASSERT_EQ(back.size(), originals[i].size()) << tags[i];
        EXPECT_EQ(cv::norm(back, originals[i], cv::NORM_INF), 0.0) << tags[i];
    }
}

// ---- appending and flushing ------------------------------------------------------

TEST(TensorBoardWriter, ResumedRunAppendsOrStartsANewFile) {
    testutil::TempDir dir;
    std::string first;
    {
        io::TensorBoardWriter w(dir.path.string());
        w.addScalar("loss", 1.0, 0, 10.0);
        first = w.path();
    }
    const std::string name = std::filesystem::path(first).filename().string();
    {
        io::TensorBoardWriterOptions opt;
        opt.appendToFile = name;
        io::TensorBoardWriter w(dir.path.string(), opt);
        EXPECT_EQ(w.path(), first);
        w.addScalar("loss", 0.5, 1, 11.0);
    }
    const io::TbEventFile f = io::readTensorBoardFile(first);
    EXPECT_EQ(f.records, 3u);  // one version record, two scalars
    ASSERT_EQ(f.scalars.size(), 2u);
    EXPECT_EQ(f.scalars[1].step, 1);

    // The default for a resumed run: a fresh file beside the old one.
    io::TensorBoardWriter fresh(dir.path.string());
    EXPECT_NE(fresh.path(), first);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path), {}), 2);

    // appendToFile naming a new file starts it with the version record.
    io::TensorBoardWriterOptions opt;
    opt.appendToFile = "events.out.tfevents.custom";
    io::TensorBoardWriter custom(dir.path.string(), opt);
    custom.flush();
    EXPECT_EQ(io::readTensorBoardFile(custom.path()).fileVersion, "brain.Event:2");
}

TEST(TensorBoardWriter, FlushMakesRecordsVisibleToAReader) {
    testutil::TempDir dir;
    io::TensorBoardWriter w(dir.path.string());
    for (int i = 0; i < 3; ++i) w.addScalar("s", i, i, 1.0);
    w.flush();
    EXPECT_EQ(io::readTensorBoardScalars(w.path()).size(), 3u);
    w.addScalar("s", 3, 3, 1.0);
    w.flush();
    EXPECT_EQ(io::readTensorBoardScalars(w.path()).size(), 4u);
}

// ---- writer errors ---------------------------------------------------------------

TEST(TensorBoardWriter, ErrorsNameThePath) {
    testutil::TempDir dir;
    const std::string blocker = dir.file("not_a_dir");
    io::writeFileAtomic(blocker, "x");
    std::string m = runtimeError([&] { io::TensorBoardWriter w(blocker + "/logs"); });
    EXPECT_NE(m.find(blocker), std::string::npos) << m;
    m = runtimeError([&] { io::TensorBoardWriter w(blocker); });
    EXPECT_NE(m.find(blocker), std::string::npos) << m;

    // A full disk: /dev/full accepts open() and fails every write.
    if (std::filesystem::exists("/dev/full")) {
        io::TensorBoardWriterOptions opt;
        opt.appendToFile = "full";
        m = runtimeError([&] { io::TensorBoardWriter w("/dev", opt); });
        EXPECT_NE(m.find("/dev/full"), std::string::npos) << m;
    }

    io::TensorBoardWriterOptions bad;
    bad.appendToFile = "../escape";
    EXPECT_THROW(io::TensorBoardWriter(dir.path.string(), bad), std::invalid_argument);

    io::TensorBoardWriter w(dir.path.string());
    EXPECT_THROW(w.addScalar("", 1.0, 0), std::invalid_argument);
    EXPECT_THROW(w.addScalar(std::string("bad\xC3"), 1.0, 0), std::invalid_argument);       // cut sequence
    EXPECT_THROW(w.addScalar(std::string("bad\xC0\xAF"), 1.0, 0), std::invalid_argument);   // overlong '/'
    EXPECT_THROW(w.addScalar(std::string("bad\xED\xA0\x80"), 1.0, 0), std::invalid_argument);  // surrogate
    EXPECT_THROW(w.addImage("img", cv::Mat(), 0), std::invalid_argument);
    EXPECT_THROW(w.addImage("img", cv::Mat(2, 2, CV_32FC3, cv::Scalar(0)), 0), std::invalid_argument);
    EXPECT_THROW(w.addImage("img", cv::Mat(2, 2, CV_8UC2, cv::Scalar(0)), 0), std::invalid_argument);
    w.flush();
    EXPECT_EQ(io::readTensorBoardFile(w.path()).records, 1u);  // refused calls wrote nothing
}

// ---- reader: hostile input -------------------------------------------------------

TEST(TensorBoardReader, EmptyFileHasNoRecords) {
    testutil::TempDir dir;
    writeBytes(dir.file("empty"), {});
    const io::TbEventFile f = io::readTensorBoardFile(dir.file("empty"));
    EXPECT_EQ(f.records, 0u);
    EXPECT_TRUE(f.fileVersion.empty());
    EXPECT_THROW(io::readTensorBoardFile(dir.file("missing")), std::runtime_error);
}

TEST(TensorBoardReader, EveryTruncationIsRefusedOrCutCleanly) {
    testutil::TempDir dir;
    const Bytes full = readBytes(smallFile(dir));
    const auto at = recordBoundaries(full);
    ASSERT_EQ(at.size(), 4u);
    const std::string cut = dir.file("cut");
    for (std::size_t len = 0; len < full.size(); ++len) {
        writeBytes(cut, Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len)));
        // The last boundary at or before len: records before it are whole.
        std::size_t whole = 0;
        while (whole + 1 < at.size() && at[whole + 1] <= len) ++whole;
        const bool onBoundary = at[whole] == len;
        if (onBoundary) {
            EXPECT_EQ(io::readTensorBoardFile(cut).records, whole) << len;
        } else {
            const std::string m = runtimeError([&] { io::readTensorBoardFile(cut); });
            EXPECT_NE(m.find(cut), std::string::npos) << len << ": " << m;
            EXPECT_NE(m.find("offset " + std::to_string(at[whole]) + ":"), std::string::npos) << len << ": " << m;
        }
        io::TbReadOptions tail;
        tail.allowTruncatedTail = true;
        const io::TbEventFile f = io::readTensorBoardFile(cut, tail);
        EXPECT_EQ(f.records, whole) << len;
        EXPECT_EQ(f.completeBytes, at[whole]) << len;
        EXPECT_EQ(f.scalars.size(), whole == 0 ? 0u : whole - 1) << len;
    }
}

TEST(TensorBoardReader, EverySingleByteCorruptionIsDetected) {
    // A CRC-32 catches every error burst of up to 32 bits, so changing any one
    // byte of the file must fail, with or without allowTruncatedTail.
    testutil::TempDir dir;
    const Bytes full = readBytes(smallFile(dir));
    const auto at = recordBoundaries(full);
    const std::string bad = dir.file("bad");
    std::mt19937 rng(2024);
    std::uniform_int_distribution<int> flip(1, 255);
    io::TbReadOptions tail;
    tail.allowTruncatedTail = true;
    for (std::size_t pos = 0; pos < full.size(); ++pos) {
        for (int trial = 0; trial < 3; ++trial) {
            Bytes b = full;
            b[pos] ^= static_cast<std::uint8_t>(flip(rng));
            writeBytes(bad, b);
            const std::string m = runtimeError([&] { io::readTensorBoardFile(bad); });
            ASSERT_NE(m, "") << "byte " << pos << " changed but the file read fine";
            std::size_t rec = 0;
            while (rec + 1 < at.size() && at[rec + 1] <= pos) ++rec;
            EXPECT_NE(m.find(bad + ": offset " + std::to_string(at[rec]) + ":"), std::string::npos) << m;
            EXPECT_NE(runtimeError([&] { io::readTensorBoardFile(bad, tail); }), "") << pos;
        }
    }
}

TEST(TensorBoardReader, LyingLengthsAreRefusedWithoutAllocating) {
    testutil::TempDir dir;
    const Bytes full = readBytes(smallFile(dir));
    const auto at = recordBoundaries(full);
    const std::size_t second = at[1];
    const std::string liar = dir.file("liar");

    // A huge length with its CRC recomputed: only the file size can expose it.
    Bytes b = full;
    Bytes len;
    appendLe(len, 1ull << 62, 8);
    std::copy(len.begin(), len.end(), b.begin() + static_cast<std::ptrdiff_t>(second));
    const std::uint32_t crc = referenceMasked(len);
    for (int i = 0; i < 4; ++i) b[second + 8 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
    writeBytes(liar, b);
    std::string m = runtimeError([&] { io::readTensorBoardFile(liar); });
    EXPECT_NE(m.find("offset " + std::to_string(second) + ": record of 4611686018427387904 bytes runs past"),
              std::string::npos)
        << m;
    // To a reader that tolerates a tail it looks like a record still being written.
    io::TbReadOptions tail;
    tail.allowTruncatedTail = true;
    EXPECT_EQ(io::readTensorBoardFile(liar, tail).records, 1u);

    // The same length with the old CRC: corruption.
    std::copy(full.begin() + static_cast<std::ptrdiff_t>(second + 8),
              full.begin() + static_cast<std::ptrdiff_t>(second + 12), b.begin() + static_cast<std::ptrdiff_t>(second + 8));
    writeBytes(liar, b);
    m = runtimeError([&] { io::readTensorBoardFile(liar, tail); });
    EXPECT_NE(m.find("length CRC mismatch"), std::string::npos) << m;

    // All-ones length (2^64 - 1) with a valid CRC: no overflow in the bounds check.
    Bytes ones(8, 0xFF);
    Bytes c = ones;
    appendLe(c, referenceMasked(ones), 4);
    writeBytes(liar, c);
    m = runtimeError([&] { io::readTensorBoardFile(liar); });
    EXPECT_NE(m.find("runs past the end"), std::string::npos) << m;
}

TEST(TensorBoardReader, MalformedEventsWithValidCrcsAreRefused) {
    testutil::TempDir dir;
    const std::string path = dir.file("malformed");
    const std::vector<std::pair<Bytes, std::string>> cases = {
        {{0x0A, 0x00}, "wire type"},                 // wall_time as a length-delimited field
        {{0x2A, 0x05, 0x01}, "runs past the end"},   // summary longer than the event
        {{0x10, 0xFF, 0xFF}, "varint"},              // step varint cut off
        {{0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, "10 bytes"},
        {{0x0B}, "wire type"},                       // group start (wire type 3)
        {{0x00}, "field key"},                       // field number 0
        {{0x2A, 0x03, 0x0A, 0x01, 0x15}, "runs past the end"},  // value truncated inside summary
    };
    for (const auto& [data, what] : cases) {
        writeBytes(path, frame(data));
        const std::string m = runtimeError([&] { io::readTensorBoardFile(path); });
        EXPECT_NE(m.find(path + ": offset 0: malformed Event"), std::string::npos) << m;
        EXPECT_NE(m.find(what), std::string::npos) << m;
    }
    // Unknown fields are skipped, as protobuf parsers do: an Event with a
    // graph_def (field 4) and a source_metadata (field 10) reads as empty.
    writeBytes(path, frame({0x22, 0x02, 0x01, 0x02, 0x52, 0x00}));
    EXPECT_EQ(io::readTensorBoardFile(path).records, 1u);
}

// ---- a second opinion from Python's protobuf -------------------------------------

namespace {

// Builds the Event/Summary message classes from a FileDescriptorProto with
// the field numbers of tensorboard's event.proto and summary.proto (no
// protoc needed), checks both CRCs of every record with its own CRC-32C, and
// prints one JSON line per value.
const char* kPythonCheck = R"PY(
import json, struct, sys
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto
def field(msg, name, number, ftype, type_name=None, repeated=False, oneof=None):
    f = msg.field.add(name=name, number=number, type=ftype,
                      label=F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL)
    if type_name: f.type_name = type_name
    if oneof is not None: f.oneof_index = oneof

fd = descriptor_pb2.FileDescriptorProto(name='tb_check.proto', package='tbcheck', syntax='proto3')
ev = fd.message_type.add(name='Event')
ev.oneof_decl.add(name='what')
field(ev, 'wall_time', 1, F.TYPE_DOUBLE)
field(ev, 'step', 2, F.TYPE_INT64)
field(ev, 'file_version', 3, F.TYPE_STRING, oneof=0)
field(ev, 'summary', 5, F.TYPE_MESSAGE, '.tbcheck.Summary', oneof=0)
su = fd.message_type.add(name='Summary')
im = su.nested_type.add(name='Image')
field(im, 'height', 1, F.TYPE_INT32)
field(im, 'width', 2, F.TYPE_INT32)
field(im, 'colorspace', 3, F.TYPE_INT32)
field(im, 'encoded_image_string', 4, F.TYPE_BYTES)
va = su.nested_type.add(name='Value')
va.oneof_decl.add(name='value')
field(va, 'tag', 1, F.TYPE_STRING)
field(va, 'simple_value', 2, F.TYPE_FLOAT, oneof=0)
field(va, 'image', 4, F.TYPE_MESSAGE, '.tbcheck.Summary.Image', oneof=0)
field(su, 'value', 1, F.TYPE_MESSAGE, '.tbcheck.Summary.Value', repeated=True)
pool = descriptor_pool.DescriptorPool()
pool.Add(fd)
desc = pool.FindMessageTypeByName('tbcheck.Event')
if hasattr(message_factory, 'GetMessageClass'):
    Event = message_factory.GetMessageClass(desc)
else:
    Event = message_factory.MessageFactory(pool).GetPrototype(desc)

def crc32c(b):
    c = 0xFFFFFFFF
    for x in b:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
    return c ^ 0xFFFFFFFF
def masked(b):
    c = crc32c(b)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF

data = open(sys.argv[1], 'rb').read()
off = 0
while off < len(data):
    (n,) = struct.unpack_from('<Q', data, off)
    assert masked(data[off:off + 8]) == struct.unpack_from('<I', data, off + 8)[0], 'length crc'
    payload = data[off + 12:off + 12 + n]
    assert masked(payload) == struct.unpack_from('<I', data, off + 12 + n)[0], 'data crc'
    e = Event()
    e.ParseFromString(payload)
    if e.WhichOneof('what') == 'file_version':
        print(json.dumps({'file_version': e.file_version}))
    for v in e.summary.value:
        r = {'tag': v.tag, 'step': e.step, 'wall_time': e.wall_time, 'kind': v.WhichOneof('value')}
        if r['kind'] == 'simple_value':
            r['value'] = v.simple_value
        else:
            r.update(height=v.image.height, width=v.image.width, colorspace=v.image.colorspace,
                     png=v.image.encoded_image_string.hex())
        print(json.dumps(r))
    off += 16 + n
)PY";

constexpr const char* kSystemPython = "/usr/bin/python3";  // Debian's, where python3-protobuf installs

bool pythonHasProtobuf() {
    const std::string cmd = std::string(kSystemPython) + " -c 'import google.protobuf' >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
}

std::vector<nlohmann::json> runPythonCheck(const std::string& script, const std::string& eventFile) {
    const std::string cmd = std::string(kSystemPython) + " " + script + " " + eventFile + " 2>&1";
    std::FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return {};
    std::string out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
    const int status = ::pclose(p);
    EXPECT_EQ(status, 0) << out;
    std::vector<nlohmann::json> lines;
    std::size_t start = 0;
    while (start < out.size()) {
        const std::size_t end = out.find('\n', start);
        const std::string line = out.substr(start, end - start);
        if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
        start = end == std::string::npos ? out.size() : end + 1;
    }
    return lines;
}

std::string hex(const std::vector<std::uint8_t>& b) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (std::uint8_t x : b) s += d[x >> 4], s += d[x & 15];
    return s;
}

}  // namespace

TEST(TensorBoardPython, ProtobufParsesOurFile) {
    if (!pythonHasProtobuf()) SYNTHFORGE_SKIP_OR_FAIL_IN_CI("Debian's python3-protobuf is not installed");
    testutil::TempDir dir;
    const std::string script = dir.file("check.py");
    io::writeFileAtomic(script, std::string(kPythonCheck));
    cv::Mat img(3, 4, CV_8UC3);
    cv::randu(img, 0, 256);
    std::string path;
    {
        io::TensorBoardWriter w(dir.file("logs"));
        w.addScalar("loss/é", 0.75, 0, 1234.5);  // step 0 and a non-ASCII tag
        w.addScalar("neg", -2.0, -3, 1235.0);
        w.addImage("img", img, 9, 1236.0);
        path = w.path();
    }
    const auto lines = runPythonCheck(script, path);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0]["file_version"], "brain.Event:2");
    EXPECT_EQ(lines[1]["tag"], "loss/é");
    EXPECT_EQ(lines[1]["kind"], "simple_value");
    EXPECT_EQ(lines[1]["step"], 0);
    EXPECT_EQ(lines[1]["value"], 0.75);
    EXPECT_EQ(lines[1]["wall_time"], 1234.5);
    EXPECT_EQ(lines[2]["step"], -3);
    EXPECT_EQ(lines[2]["value"], -2.0);
    EXPECT_EQ(lines[3]["kind"], "image");
    EXPECT_EQ(lines[3]["height"], 3);
    EXPECT_EQ(lines[3]["width"], 4);
    EXPECT_EQ(lines[3]["colorspace"], 3);
    const io::TbEventFile ours = io::readTensorBoardFile(path);
    ASSERT_EQ(ours.images.size(), 1u);
    EXPECT_EQ(lines[3]["png"], hex(ours.images[0].encoded));
}
