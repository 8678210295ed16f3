#include "core/dataset/image_files.h"

#include <cstring>
#include <optional>
#include <stdexcept>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "core/io/file_util.h"

namespace synthforge::dataset {

namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}
std::uint32_t be16(const std::uint8_t* p) { return (std::uint32_t(p[0]) << 8) | p[1]; }

bool isPng(const Bytes& b) { return b.size() >= 8 && std::memcmp(b.data(), kPngSignature, 8) == 0; }
bool isJpeg(const Bytes& b) { return b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF; }

struct Size2 {
    std::uint32_t width = 0, height = 0;
};

/// Width and height from a PNG's IHDR chunk, which the format requires first.
std::optional<Size2> pngSize(const Bytes& b) {
    if (b.size() < 24 || std::memcmp(&b[12], "IHDR", 4) != 0) return std::nullopt;
    return Size2{be32(&b[16]), be32(&b[20])};
}

/// Width and height from a JPEG's first start-of-frame segment.
std::optional<Size2> jpegSize(const Bytes& b) {
    std::size_t pos = 2;
    while (pos + 4 <= b.size()) {
        if (b[pos] != 0xFF) return std::nullopt;
        const std::uint8_t marker = b[pos + 1];
        if (marker == 0xFF) {  // fill byte
            ++pos;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length field
            pos += 2;
            continue;
        }
        const std::size_t len = be16(&b[pos + 2]);
        const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof && len >= 7 && pos + 2 + len <= b.size()) return Size2{be16(&b[pos + 7]), be16(&b[pos + 5])};
        if (marker == 0xDA || len < 2) return std::nullopt;  // scan data before any frame header
        pos += 2 + len;
    }
    return std::nullopt;
}

void checkHeaderSize(const Bytes& b, const std::string& path) {
    std::optional<Size2> size;
    if (isPng(b)) size = pngSize(b);
    else if (isJpeg(b)) size = jpegSize(b);
    if (!size) return;  // left to the decoder, which fails cleanly on what it cannot read
    const auto limit = static_cast<std::uint32_t>(kMaxImageSide);
    if (size->width > limit || size->height > limit)
        throw std::runtime_error(path + ": image header: size " + std::to_string(size->width) + "x" +
                                 std::to_string(size->height) + " exceeds the limit of " + std::to_string(limit) +
                                 " pixels per side");
}

cv::Mat decode(const Bytes& bytes, int flags, const std::string& path) {
    cv::Mat m;
    try {
        m = cv::imdecode(bytes, flags);
    } catch (const cv::Exception& e) {
        throw std::runtime_error(path + ": corrupt image: " + e.what());
    }
    if (m.empty()) throw std::runtime_error(path + ": corrupt or unsupported image: it could not be decoded");
    return m;
}

}  // namespace

cv::Mat readBgrImage(const std::string& path) {
    const Bytes bytes = io::readFileBytes(path, kMaxImageFileBytes);
    if (bytes.empty()) throw std::runtime_error(path + ": empty file, expected an image");
    checkHeaderSize(bytes, path);
    cv::Mat m = decode(bytes, cv::IMREAD_COLOR, path);
    if (m.type() != CV_8UC3)
        throw std::runtime_error(path + ": decoded as " + describeMatType(m.type()) + ", expected 8-bit BGR");
    return m;
}

cv::Mat readPngUnchanged(const std::string& path) {
    const Bytes bytes = io::readFileBytes(path, kMaxImageFileBytes);
    if (isJpeg(bytes))
        throw std::runtime_error(path + ": is a JPEG; label maps and masks must be lossless PNG");
    if (!isPng(bytes)) throw std::runtime_error(path + ": not a PNG file (bad signature)");
    checkHeaderSize(bytes, path);
    return decode(bytes, cv::IMREAD_UNCHANGED, path);
}

std::string describeMatType(int type) {
    const int depth = CV_MAT_DEPTH(type);
    const char* name = depth == CV_8U    ? "8-bit"
                       : depth == CV_8S  ? "signed 8-bit"
                       : depth == CV_16U ? "16-bit"
                       : depth == CV_16S ? "signed 16-bit"
                       : depth == CV_32S ? "32-bit integer"
                       : depth == CV_32F ? "32-bit float"
                       : depth == CV_64F ? "64-bit float"
                                         : "unknown depth";
    const int ch = CV_MAT_CN(type);
    return std::string(name) + ", " + std::to_string(ch) + (ch == 1 ? " channel" : " channels");
}

}  // namespace synthforge::dataset
