#pragma once
// MXNet RecordIO, the container of InsightFace's face-recognition training
// sets (`train.rec` + `train.idx`: MS1M, Glint360K, WebFace, CASIA):
//
// - a record: uint32 magic 0xced7230a, uint32 lrec = (cflag << 29) | length,
//   then `length` bytes padded with zeros to a multiple of 4. cflag 0 is a
//   whole record; a record whose data held the magic word is written in
//   parts (1 first, 2 middle, 3 last) and read back joined with the magic
//   word between the parts.
// - the image record inside (MXNet's IRHeader, little-endian): uint32 flag,
//   float32 label, uint64 id, uint64 id2; when flag > 0, `flag` float32
//   labels follow and replace `label`; the rest is the encoded image.
// - `train.idx`: text lines "<key>\t<byte offset of the record>".
//
// Everything is checked: a wrong magic, a length past the end, a part
// sequence out of order, a malformed index line. Errors name the file and
// the byte offset or line.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace synthforge::io {
class MappedFile;
}

namespace synthforge::dataset {

inline constexpr std::uint32_t kRecordIoMagic = 0xced7230a;

struct RecordIoIndexEntry {
    std::uint64_t key = 0;
    std::uint64_t offset = 0;
};

/// Reads a `.idx` file; keys must be unique. std::runtime_error "<path>: line N: ...".
std::vector<RecordIoIndexEntry> readRecordIoIndex(const std::string& path);

/// A `.rec` file, mapped; records are read at their offsets.
class RecordIoFile {
public:
    /// std::runtime_error naming the file when it cannot be opened.
    explicit RecordIoFile(const std::string& path);
    ~RecordIoFile();
    RecordIoFile(RecordIoFile&&) noexcept;
    RecordIoFile& operator=(RecordIoFile&&) noexcept;

    const std::string& path() const { return path_; }
    std::uint64_t size() const;
    /// The record starting at `offset` (its parts joined), at most its first
    /// `maxBytes` bytes (every part's framing is still checked: listing a
    /// multi-GB set reads headers, not images). Sets `next` (when given) to
    /// the offset after it. std::runtime_error "<path>: offset N: ...".
    std::vector<std::uint8_t> recordAt(std::uint64_t offset, std::uint64_t* next = nullptr,
                                       std::size_t maxBytes = SIZE_MAX) const;
    /// Every record in file order (for files without an index).
    std::vector<std::uint64_t> scanOffsets() const;

private:
    std::string path_;
    std::unique_ptr<io::MappedFile> file_;
};

struct ImageRecord {
    std::uint32_t flag = 0;
    std::vector<float> labels;  ///< {label} when flag is 0, else the flag labels
    std::uint64_t id = 0, id2 = 0;
    std::vector<std::uint8_t> payload;  ///< the encoded image (JPEG/PNG), or nothing in InsightFace's header record
};

/// Parses an image record; `source` names it in errors ("train.rec: offset 96").
ImageRecord parseImageRecord(const std::vector<std::uint8_t>& record, const std::string& source);

}  // namespace synthforge::dataset
