#include "core/labelmap/recovery.h"

#include <zlib.h>

#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/io/file_util.h"
#include "core/io/png_writer.h"
#include "core/labelmap/label_file.h"

namespace synthforge::labelmap {

namespace {

constexpr char kMagic[8] = {'S', 'F', 'L', 'A', 'B', 'R', 'E', 'C'};
constexpr const char* kFormat = "synthforge-label-recovery";
constexpr int kVersion = 1;

// zlib's CRC-32 (the one PNG uses), linked through libpng already.
std::uint32_t crc32(const std::uint8_t* p, std::size_t n) {
    return static_cast<std::uint32_t>(::crc32_z(::crc32_z(0L, Z_NULL, 0), p, n));
}

void putLe(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes) {
    for (int k = 0; k < bytes; ++k) out.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
}

std::uint64_t getLe(const std::uint8_t* p, int bytes) {
    std::uint64_t v = 0;
    for (int k = 0; k < bytes; ++k) v |= static_cast<std::uint64_t>(p[k]) << (8 * k);
    return v;
}

}  // namespace

std::string recoveryPathFor(const std::string& documentPath) { return documentPath + ".recovery"; }

std::vector<std::uint8_t> encodeRecovery(const cv::Mat& ids, const annotate::ClassTable& classes,
                                         const std::string& document, std::uint64_t sequence) {
    if (ids.empty() || ids.type() != CV_8UC1 || ids.rows != ids.cols)
        throw std::invalid_argument("ids: a recovery map must be a non-empty square CV_8UC1 map");
    nlohmann::json meta;
    meta["format"] = kFormat;
    meta["version"] = kVersion;
    meta["document"] = document;
    meta["sequence"] = sequence;
    meta["written_at_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
    meta["size"] = ids.rows;
    meta["classes"] = nlohmann::json::parse(annotate::classTableToJson(classes));
    const std::string json = meta.dump();
    // Fast settings: autosave runs often; the map compresses well anyway.
    const std::vector<std::uint8_t> png = io::encodePng(ids, {1, io::PngFilter::Up, true});
    std::vector<std::uint8_t> out(kMagic, kMagic + 8);
    out.reserve(8 + 4 + json.size() + 8 + png.size() + 4);
    putLe(out, json.size(), 4);
    out.insert(out.end(), json.begin(), json.end());
    putLe(out, png.size(), 8);
    out.insert(out.end(), png.begin(), png.end());
    putLe(out, crc32(out.data(), out.size()), 4);
    return out;
}

void writeRecovery(const std::string& path, const cv::Mat& ids, const annotate::ClassTable& classes,
                   const std::string& document, std::uint64_t sequence) {
    const std::vector<std::uint8_t> bytes = encodeRecovery(ids, classes, document, sequence);
    io::writeFileAtomic(path, bytes.data(), bytes.size());
}

void writeRecovery(const std::string& path, const LabelCanvas& canvas, const annotate::ClassTable& classes,
                   const std::string& document, std::uint64_t sequence) {
    writeRecovery(path, canvas.toMat(), classes, document, sequence);
}

RecoveryState loadRecovery(const std::string& path) {
    const std::vector<std::uint8_t> b = io::readFileBytes(path, 2ull << 30);
    auto fail = [&](const std::string& field, const std::string& what) -> void {
        throw std::runtime_error(path + ": " + field + ": " + what);
    };
    if (b.size() < 8 + 4 + 8 + 4 || std::memcmp(b.data(), kMagic, 8) != 0)
        fail("header", "not a SynthForge label recovery file (bad magic or too short)");
    const std::uint64_t jsonLen = getLe(&b[8], 4);
    if (jsonLen > b.size() - 24) fail("header", "truncated: the metadata runs past the end of the file");
    const std::size_t pngAt = 12 + static_cast<std::size_t>(jsonLen) + 8;
    const std::uint64_t pngLen = getLe(&b[pngAt - 8], 8);
    if (pngLen != b.size() - pngAt - 4) fail("header", "truncated or padded: the map length does not match the file size");
    if (crc32(b.data(), b.size() - 4) != getLe(&b[b.size() - 4], 4)) fail("crc", "checksum mismatch (corrupt file)");

    nlohmann::json meta;
    try {
        meta = nlohmann::json::parse(b.begin() + 12, b.begin() + 12 + static_cast<std::ptrdiff_t>(jsonLen));
    } catch (const nlohmann::json::exception& e) {
        fail("metadata", std::string("invalid JSON: ") + e.what());
    }
    RecoveryState st;
    try {
        if (meta.value("format", "") != kFormat) fail("format", "expected \"" + std::string(kFormat) + "\"");
        if (meta.value("version", 0) != kVersion) fail("version", "unsupported (expected 1)");
        st.document = meta.at("document").get<std::string>();
        st.sequence = meta.at("sequence").get<std::uint64_t>();
        st.writtenAtMs = meta.at("written_at_ms").get<std::int64_t>();
        const int size = meta.at("size").get<int>();
        st.classes = annotate::parseClassTableJson(meta.at("classes").dump(), path + ": classes");
        const std::vector<std::uint8_t> png(b.begin() + static_cast<std::ptrdiff_t>(pngAt), b.end() - 4);
        cv::Mat ids;
        try {
            ids = cv::imdecode(png, cv::IMREAD_UNCHANGED);
        } catch (const cv::Exception& e) {
            fail("map", std::string("corrupt PNG: ") + e.what());
        }
        if (ids.empty() || ids.type() != CV_8UC1) fail("map", "not an 8-bit greyscale PNG");
        if (ids.rows != size || ids.cols != size) fail("size", "the map is not " + std::to_string(size) + " square");
        checkIdsInTable(ids, st.classes, path);
        st.canvas = LabelCanvas::fromMat(ids);
    } catch (const nlohmann::json::exception& e) {
        fail("metadata", e.what());
    }
    return st;
}

bool hasNewerRecovery(const std::string& recoveryPath, const std::string& savedPath) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_regular_file(recoveryPath, ec)) return false;
    if (!fs::exists(savedPath, ec)) return true;
    const auto r = fs::last_write_time(recoveryPath, ec);
    if (ec) return false;
    const auto s = fs::last_write_time(savedPath, ec);
    return ec || r > s;
}

void discardRecovery(const std::string& recoveryPath) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::remove(recoveryPath, ec);
    // A process killed inside io::writeFileAtomic leaves its temporary
    // sibling "<name>.tmp<digits>" behind; sweep those too.
    const fs::path target(recoveryPath);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const std::string prefix = target.filename().string() + ".tmp";
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
            name.find_first_not_of("0123456789", prefix.size()) == std::string::npos)
            fs::remove(it->path(), ec);
    }
}

}  // namespace synthforge::labelmap
