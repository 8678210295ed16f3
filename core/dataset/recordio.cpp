#include "core/dataset/recordio.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>
#include <stdexcept>

#include "core/io/mapped_file.h"

namespace synthforge::dataset {

namespace {

constexpr std::uint64_t kMaxRecordBytes = 256ull << 20;  // far above any face image
constexpr std::size_t kMaxParts = 1u << 16;

std::uint32_t le32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

std::uint64_t le64(const std::uint8_t* p) {
    return std::uint64_t(le32(p)) | std::uint64_t(le32(p + 4)) << 32;
}

float leFloat(const std::uint8_t* p) {
    const std::uint32_t bits = le32(p);
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

[[noreturn]] void fail(const std::string& path, std::uint64_t offset, const std::string& why) {
    throw std::runtime_error(path + ": offset " + std::to_string(offset) + ": " + why);
}

}  // namespace

std::vector<RecordIoIndexEntry> readRecordIoIndex(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot be opened");
    std::vector<RecordIoIndexEntry> out;
    std::set<std::uint64_t> keys;
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        const auto tab = line.find('\t');
        const auto bad = [&](const std::string& why) {
            throw std::runtime_error(path + ": line " + std::to_string(n) + ": " + why);
        };
        if (tab == std::string::npos || line.find('\t', tab + 1) != std::string::npos)
            bad("expected \"<key>\\t<offset>\"");
        const std::string a = line.substr(0, tab), b = line.substr(tab + 1);
        for (const std::string* s : {&a, &b})
            if (s->empty() || s->size() > 19 || s->find_first_not_of("0123456789") != std::string::npos)
                bad("'" + *s + "' is not a non-negative integer");
        RecordIoIndexEntry e{std::stoull(a), std::stoull(b)};
        if (!keys.insert(e.key).second) bad("key " + a + " appears twice");
        out.push_back(e);
    }
    return out;
}

RecordIoFile::RecordIoFile(const std::string& path)
    : path_(path), file_(std::make_unique<io::MappedFile>(path)) {}
RecordIoFile::~RecordIoFile() = default;
RecordIoFile::RecordIoFile(RecordIoFile&&) noexcept = default;
RecordIoFile& RecordIoFile::operator=(RecordIoFile&&) noexcept = default;

std::uint64_t RecordIoFile::size() const { return file_->size(); }

std::vector<std::uint8_t> RecordIoFile::recordAt(std::uint64_t offset, std::uint64_t* next, std::size_t maxBytes) const {
    const std::uint64_t size = file_->size();
    const std::uint8_t* data = file_->data();
    std::vector<std::uint8_t> out;
    std::uint64_t at = offset, total = 0;
    for (std::size_t part = 0;; ++part) {
        if (part >= kMaxParts) fail(path_, offset, "more than " + std::to_string(kMaxParts) + " parts");
        if (at % 4 != 0) fail(path_, at, "records start at multiples of 4");
        if (at > size || size - at < 8) fail(path_, at, "truncated record header");
        if (le32(data + at) != kRecordIoMagic) fail(path_, at, "not a record (bad magic number)");
        const std::uint32_t lrec = le32(data + at + 4);
        const std::uint32_t cflag = lrec >> 29, length = lrec & ((1u << 29) - 1);
        const std::uint64_t padded = (std::uint64_t(length) + 3) / 4 * 4;
        if (size - at - 8 < padded) fail(path_, at, "record of " + std::to_string(length) + " bytes runs past the end");
        // Parts: a lone record (0), or first (1), middles (2) and a last (3).
        if ((part == 0 && cflag > 1) || (part > 0 && cflag < 2))
            fail(path_, at, "part flag " + std::to_string(cflag) + " out of sequence");
        total += length;
        if (total > kMaxRecordBytes) fail(path_, offset, "record larger than 256 MiB");
        const std::size_t room = maxBytes - std::min(maxBytes, out.size());
        out.insert(out.end(), data + at + 8, data + at + 8 + std::min<std::size_t>(length, room));
        at += 8 + padded;
        if (cflag == 0 || cflag == 3) break;
        const std::uint8_t magic[4] = {0x0a, 0x23, 0xd7, 0xce};  // kRecordIoMagic, little-endian
        out.insert(out.end(), magic, magic + std::min<std::size_t>(4, maxBytes - std::min(maxBytes, out.size())));
        total += 4;
    }
    if (next) *next = at;
    return out;
}

std::vector<std::uint64_t> RecordIoFile::scanOffsets() const {
    std::vector<std::uint64_t> offsets;
    for (std::uint64_t at = 0; at < file_->size();) {
        offsets.push_back(at);
        recordAt(at, &at, 0);  // framing only
    }
    return offsets;
}

ImageRecord parseImageRecord(const std::vector<std::uint8_t>& record, const std::string& source) {
    if (record.size() < 24)
        throw std::runtime_error(source + ": image record of " + std::to_string(record.size()) +
                                 " bytes is shorter than its 24-byte header");
    ImageRecord r;
    r.flag = le32(record.data());
    r.id = le64(record.data() + 8);
    r.id2 = le64(record.data() + 16);
    std::size_t at = 24;
    if (r.flag == 0) {
        r.labels = {leFloat(record.data() + 4)};
    } else {
        if ((record.size() - 24) / 4 < r.flag)
            throw std::runtime_error(source + ": header: flag " + std::to_string(r.flag) +
                                     " labels do not fit in the record");
        for (std::uint32_t k = 0; k < r.flag; ++k) r.labels.push_back(leFloat(record.data() + 24 + 4 * k));
        at += 4ull * r.flag;
    }
    r.payload.assign(record.begin() + static_cast<std::ptrdiff_t>(at), record.end());
    return r;
}

}  // namespace synthforge::dataset
