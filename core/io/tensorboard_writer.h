#pragma once
// TensorBoard event files (scalars and images), written without a protobuf
// library. The file is a sequence of TFRecord frames:
//
//   uint64 length (LE) | uint32 masked CRC32C of those 8 bytes (LE) |
//   data[length]       | uint32 masked CRC32C of data (LE)
//
// masked(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8 (mod 2^32). Each
// data block is one serialised tensorboard.Event; the field numbers below are
// those of tensorboard/compat/proto/event.proto and summary.proto:
//
//   Event   { double wall_time = 1; int64 step = 2;
//             oneof what { string file_version = 3; Summary summary = 5; ... } }
//   Summary { repeated Value value = 1; }
//   Value   { string tag = 1; oneof value { float simple_value = 2; Image image = 4; ... } }
//   Image   { int32 height = 1; int32 width = 2; int32 colorspace = 3;
//             bytes encoded_image_string = 4; }   // colorspace 1 grey, 3 RGB, 4 RGBA
//
// The first record of a file is the Event with file_version "brain.Event:2".
// File names follow TensorBoard's own writer (and PyTorch's SummaryWriter):
// events.out.tfevents.<unix seconds, 10 digits>.<hostname>.<pid>.<n>, with n
// counting writers in this process; TensorBoard picks up any file whose name
// contains "tfevents".

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

namespace synthforge::io {

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as TFRecord uses.
std::uint32_t crc32c(const void* data, std::size_t size);
/// TFRecord's masked CRC-32C of `data`.
std::uint32_t maskedCrc32c(const void* data, std::size_t size);

/// Seconds since the Unix epoch, with sub-second resolution.
double wallTimeNow();

/// The file_version string of the first record.
inline constexpr const char* kTensorBoardFileVersion = "brain.Event:2";

struct TensorBoardWriterOptions {
    /// Appended to the generated file name (PyTorch's filename_suffix).
    std::string filenameSuffix;
    /// When non-empty, the name (no directory part) of an event file inside
    /// the log dir to append to instead of starting a new one: a resumed run
    /// that wants to keep one file passes the old writer's file name. A
    /// missing or empty file first gets the file_version record. By default
    /// every writer starts a new file, as PyTorch's SummaryWriter does, and
    /// TensorBoard merges the files of a directory.
    std::string appendToFile;
};

/// Writes one event file. Each add*() call encodes one Event and hands the
/// whole record to the C stream at once; flush() pushes buffered records to
/// the OS, so a reader in another process sees them. Calls may come from
/// several threads (a lock keeps records whole). Errors: std::runtime_error
/// starting with the path (directory cannot be created, file cannot be
/// opened, a write fails); std::invalid_argument for a bad tag or image.
/// After a failed write the writer refuses further records (the file's tail
/// may hold a partial one). A moved-from writer may only be destroyed or
/// assigned to.
class TensorBoardWriter {
public:
    explicit TensorBoardWriter(const std::string& logDir, const TensorBoardWriterOptions& options = {});
    ~TensorBoardWriter();  ///< flushes and closes; never throws
    TensorBoardWriter(TensorBoardWriter&&) noexcept;
    TensorBoardWriter& operator=(TensorBoardWriter&&) noexcept;
    TensorBoardWriter(const TensorBoardWriter&) = delete;
    TensorBoardWriter& operator=(const TensorBoardWriter&) = delete;

    /// A scalar (stored as float32, TensorBoard's simple_value). NaN and
    /// infinities are written as they are: a diverging loss is worth seeing.
    void addScalar(const std::string& tag, double value, std::int64_t step, double wallTime = wallTimeNow());

    /// An image, PNG-encoded. CV_8UC3 is BGR (OpenCV's order; stored as RGB),
    /// CV_8UC1 grey, CV_8UC4 BGRA (stored as RGBA).
    void addImage(const std::string& tag, const cv::Mat& bgr8, std::int64_t step, double wallTime = wallTimeNow());

    /// Pushes written records to the OS.
    void flush();

    /// The event file's path.
    const std::string& path() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace synthforge::io
