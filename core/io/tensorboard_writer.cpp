#include "core/io/tensorboard_writer.h"

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <opencv2/imgcodecs.hpp>

namespace synthforge::io {

namespace {

// ---- CRC-32C ---------------------------------------------------------------

constexpr std::uint32_t kCrc32cPoly = 0x82F63B78u;  // Castagnoli, bit-reflected
constexpr std::uint32_t kCrcMaskDelta = 0xa282ead8u;

constexpr std::array<std::uint32_t, 256> makeCrcTable() {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int b = 0; b < 8; ++b) c = (c & 1u) ? (c >> 1) ^ kCrc32cPoly : c >> 1;
        t[i] = c;
    }
    return t;
}
constexpr std::array<std::uint32_t, 256> kCrcTable = makeCrcTable();

// ---- protobuf wire format ----------------------------------------------------
// Only what the four messages need: varints, 64/32-bit fixed values and
// length-delimited fields. Bytes go into a std::string.

enum WireType : std::uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

void putVarint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>(static_cast<std::uint8_t>(v) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

void putKey(std::string& out, std::uint32_t field, WireType type) { putVarint(out, (field << 3) | type); }

template <typename T>
void putLittleEndian(std::string& out, T value) {
    // Copy the bits, then emit low byte first: independent of host order.
    std::uint64_t bits = 0;
    static_assert(sizeof(T) <= sizeof(bits));
    if constexpr (sizeof(T) == 8) {
        std::memcpy(&bits, &value, 8);
    } else {
        std::uint32_t b32 = 0;
        std::memcpy(&b32, &value, sizeof(T));
        bits = b32;
    }
    for (std::size_t i = 0; i < sizeof(T); ++i) out += static_cast<char>((bits >> (8 * i)) & 0xFF);
}

void putDouble(std::string& out, std::uint32_t field, double v) {
    putKey(out, field, kFixed64);
    putLittleEndian(out, v);
}

void putFloat(std::string& out, std::uint32_t field, float v) {
    putKey(out, field, kFixed32);
    putLittleEndian(out, v);
}

void putInt(std::string& out, std::uint32_t field, std::int64_t v) {
    putKey(out, field, kVarint);
    putVarint(out, static_cast<std::uint64_t>(v));  // negative int32/int64: 10-byte two's complement
}

void putBytes(std::string& out, std::uint32_t field, const void* data, std::size_t size) {
    putKey(out, field, kLengthDelimited);
    putVarint(out, size);
    out.append(static_cast<const char*>(data), size);
}

void putBytes(std::string& out, std::uint32_t field, const std::string& s) { putBytes(out, field, s.data(), s.size()); }

/// Event { wall_time = 1; step = 2; summary = 5 { value = 1 { <value> } } }.
/// wall_time and step are written even when zero (proto3 would omit them;
/// parsers accept both), the value always: it is a oneof member.
std::string summaryEvent(double wallTime, std::int64_t step, const std::string& value) {
    std::string summary;
    putBytes(summary, 1, value);
    std::string event;
    putDouble(event, 1, wallTime);
    putInt(event, 2, step);
    putBytes(event, 5, summary);
    return event;
}

/// proto3 string fields must be valid UTF-8: Python's protobuf refuses to
/// parse an event whose tag is not, which would hide the whole record.
bool isValidUtf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<std::uint8_t>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0, min = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;  // truncated sequence
        for (std::size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<std::uint8_t>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += n + 1;
    }
    return true;
}

void checkTag(const std::string& tag, const char* caller) {
    if (tag.empty()) throw std::invalid_argument(std::string("TensorBoardWriter::") + caller + ": empty tag");
    if (!isValidUtf8(tag))
        throw std::invalid_argument(std::string("TensorBoardWriter::") + caller + ": tag is not valid UTF-8");
}

std::string hostName() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "localhost";
    std::string h(buf);
    for (char& c : h)
        if (c == '/') c = '_';
    return h;
}

std::atomic<int> gWriterCount{0};

std::string errnoText() { return std::strerror(errno); }

}  // namespace

std::uint32_t crc32c(const void* data, std::size_t size) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < size; ++i) c = kCrcTable[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

std::uint32_t maskedCrc32c(const void* data, std::size_t size) {
    const std::uint32_t c = crc32c(data, size);
    // TFRecord masks CRCs so that a CRC of data that itself holds CRCs stays
    // well distributed (the trick LevelDB introduced).
    return ((c >> 15) | (c << 17)) + kCrcMaskDelta;
}

double wallTimeNow() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

struct TensorBoardWriter::Impl {
    std::string path;
    std::FILE* file = nullptr;
    std::mutex mutex;
    bool broken = false;  ///< a write failed part-way: the file's tail may hold a partial record

    ~Impl() {
        if (file) {
            std::fflush(file);
            std::fclose(file);
        }
    }

    /// Frames `data` as one record and writes it with a single fwrite.
    void writeRecord(const std::string& data) {
        std::string rec;
        rec.reserve(data.size() + 16);
        putLittleEndian(rec, static_cast<std::uint64_t>(data.size()));
        putLittleEndian(rec, maskedCrc32c(rec.data(), 8));
        rec += data;
        putLittleEndian(rec, maskedCrc32c(data.data(), data.size()));
        std::lock_guard<std::mutex> lock(mutex);
        if (broken) throw std::runtime_error(path + ": an earlier write failed, refusing to append after it");
        if (std::fwrite(rec.data(), 1, rec.size(), file) != rec.size()) {
            broken = true;
            throw std::runtime_error(path + ": write failed (" + errnoText() + ")");
        }
    }
};

TensorBoardWriter::TensorBoardWriter(const std::string& logDir, const TensorBoardWriterOptions& options)
    : impl_(std::make_unique<Impl>()) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(logDir, ec);
    if (ec || !fs::is_directory(logDir))
        throw std::runtime_error(logDir + ": cannot create log directory (" +
                                 (ec ? ec.message() : std::string("not a directory")) + ")");
    int fd = -1;
    if (!options.appendToFile.empty()) {
        if (options.appendToFile.find('/') != std::string::npos || options.appendToFile == "." ||
            options.appendToFile == "..")
            throw std::invalid_argument("TensorBoardWriter: appendToFile must be a file name inside the log dir, got '" +
                                        options.appendToFile + "'");
        impl_->path = (fs::path(logDir) / options.appendToFile).string();
        fd = ::open(impl_->path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    } else {
        // O_EXCL: never append to a file some other writer owns, even one with
        // the same pid from an earlier boot; a clash just takes the next n.
        const auto seconds = static_cast<long long>(std::floor(wallTimeNow()));
        const std::string host = hostName();
        for (int attempt = 0; attempt < 1000 && fd < 0; ++attempt) {
            char stamp[32];
            std::snprintf(stamp, sizeof(stamp), "%010lld", seconds);
            impl_->path = (fs::path(logDir) / ("events.out.tfevents." + std::string(stamp) + "." + host + "." +
                                               std::to_string(::getpid()) + "." + std::to_string(gWriterCount++) +
                                               options.filenameSuffix))
                              .string();
            fd = ::open(impl_->path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
            if (fd < 0 && errno != EEXIST) break;
        }
    }
    if (fd < 0) throw std::runtime_error(impl_->path + ": cannot open event file (" + errnoText() + ")");
    struct stat st {};
    const bool empty = ::fstat(fd, &st) == 0 && st.st_size == 0;
    impl_->file = ::fdopen(fd, "ab");
    if (!impl_->file) {
        const std::string why = errnoText();
        ::close(fd);
        throw std::runtime_error(impl_->path + ": cannot open event file (" + why + ")");
    }
    if (empty) {
        std::string event;
        putDouble(event, 1, wallTimeNow());
        putBytes(event, 3, std::string(kTensorBoardFileVersion));
        impl_->writeRecord(event);
        flush();  // the header is on disk before the first value, as TensorBoard's writer does
    }
}

TensorBoardWriter::~TensorBoardWriter() = default;
TensorBoardWriter::TensorBoardWriter(TensorBoardWriter&&) noexcept = default;
TensorBoardWriter& TensorBoardWriter::operator=(TensorBoardWriter&&) noexcept = default;

void TensorBoardWriter::addScalar(const std::string& tag, double value, std::int64_t step, double wallTime) {
    checkTag(tag, "addScalar");
    std::string v;
    putBytes(v, 1, tag);
    putFloat(v, 2, static_cast<float>(value));
    impl_->writeRecord(summaryEvent(wallTime, step, v));
}

void TensorBoardWriter::addImage(const std::string& tag, const cv::Mat& bgr8, std::int64_t step, double wallTime) {
    checkTag(tag, "addImage");
    if (bgr8.empty()) throw std::invalid_argument("TensorBoardWriter::addImage: tag '" + tag + "': empty image");
    int colorspace = 0;
    switch (bgr8.type()) {
        case CV_8UC1: colorspace = 1; break;
        case CV_8UC3: colorspace = 3; break;
        case CV_8UC4: colorspace = 4; break;
        default:
            throw std::invalid_argument("TensorBoardWriter::addImage: tag '" + tag +
                                        "': expected CV_8UC1, CV_8UC3 or CV_8UC4, got " +
                                        cv::typeToString(bgr8.type()));
    }
    std::vector<std::uint8_t> png;
    if (!cv::imencode(".png", bgr8, png))
        throw std::runtime_error(impl_->path + ": PNG encoding failed for tag '" + tag + "'");
    std::string image;
    putInt(image, 1, bgr8.rows);
    putInt(image, 2, bgr8.cols);
    putInt(image, 3, colorspace);
    putBytes(image, 4, png.data(), png.size());
    std::string v;
    putBytes(v, 1, tag);
    putBytes(v, 4, image);
    impl_->writeRecord(summaryEvent(wallTime, step, v));
}

void TensorBoardWriter::flush() {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    if (std::fflush(impl_->file) != 0) {
        impl_->broken = true;
        throw std::runtime_error(impl_->path + ": flush failed (" + errnoText() + ")");
    }
}

const std::string& TensorBoardWriter::path() const { return impl_->path; }

}  // namespace synthforge::io
