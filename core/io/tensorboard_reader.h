#pragma once
// Reads TensorBoard event files (the format of tensorboard_writer.h): every
// record's two CRCs are checked and the Events are decoded for scalars
// (simple_value) and images. Used by our tests and by the studio's run
// monitor, which reads files that a training run is still writing.
//
// Scalars that TF2's tf.summary writes as tensors (Value.tensor) are not
// decoded; other Event kinds (graphs, session logs, histograms) are skipped.

#include <cstdint>
#include <string>
#include <vector>

namespace synthforge::io {

struct TbScalar {
    std::string tag;
    std::int64_t step = 0;
    double wallTime = 0.0;
    float value = 0.0f;
};

struct TbImage {
    std::string tag;
    std::int64_t step = 0;
    double wallTime = 0.0;
    int height = 0;
    int width = 0;
    int colorspace = 0;                 ///< 1 grey, 3 RGB, 4 RGBA
    std::vector<std::uint8_t> encoded;  ///< the encoded image (PNG from our writer)
};

struct TbReadOptions {
    /// Return the complete records before an incomplete last one instead of
    /// failing: a running writer may be part-way through a record. A CRC
    /// mismatch is corruption and fails either way.
    bool allowTruncatedTail = false;
    /// Byte offset of the first record to read: the end of the last complete
    /// record of an earlier read (TbEventFile::completeBytes), so that a
    /// follower reads only what was appended. Offsets in errors and
    /// completeBytes stay absolute. An offset past the end of the file is an
    /// error (the file was cut since).
    std::uint64_t startOffset = 0;
    /// Do not keep images (their encoded bytes): a scalar view need not hold
    /// every prediction grid of a run in memory.
    bool skipImages = false;
    /// On a CRC mismatch or a malformed Event, keep the records before it and
    /// describe the problem in TbEventFile::error instead of throwing.
    bool stopAtCorruption = false;
};

struct TbEventFile {
    std::string fileVersion;        ///< from the file_version record; empty if none
    std::vector<TbScalar> scalars;  ///< in file order
    std::vector<TbImage> images;    ///< in file order
    std::uint64_t completeBytes = 0;  ///< end of the last complete record (the file size unless a tail was cut)
    std::uint64_t records = 0;        ///< complete records read
    /// With stopAtCorruption: the corruption that ended the read ("<path>:
    /// offset <n>: ..."), completeBytes being that offset; empty otherwise.
    std::string error;
};

/// Reads an event file from options.startOffset to its end. Throws
/// std::runtime_error naming the file and the byte offset of the bad record
/// when a frame is truncated (unless allowed), a CRC does not match or an
/// Event is malformed (unless stopAtCorruption), or the file cannot be read.
TbEventFile readTensorBoardFile(const std::string& path, const TbReadOptions& options = {});

/// The scalars of readTensorBoardFile (tag, step, wall time, value).
std::vector<TbScalar> readTensorBoardScalars(const std::string& path, const TbReadOptions& options = {});

}  // namespace synthforge::io
