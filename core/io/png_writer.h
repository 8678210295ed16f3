#pragma once
// Fast PNG encoding for dataset writing, through libpng directly.
//
// OpenCV's PNG writer lets libpng try all five row filters on every row
// ("adaptive" filtering), which costs more than compressing: ~13 ms for a
// 512 x 512 RGB render here. Dataset images are smooth renders, for which
// the Up filter alone compresses almost as well at a fraction of the time
// (docs/performance.md). The output is a standard PNG any reader opens.

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace synthforge::io {

enum class PngFilter { None, Sub, Up, Paeth, Adaptive };

struct PngOptions {
    int compression = 1;          ///< zlib level 0..9
    PngFilter filter = PngFilter::Up;
    bool rle = true;              ///< zlib's Z_RLE strategy: as fast, smaller for renders and label maps
};

/// Encodes CV_8UC1 (grey), CV_8UC3 (BGR, stored as RGB) or CV_8UC4 (BGRA,
/// stored as RGBA). Throws std::invalid_argument for other types or an
/// empty image, std::runtime_error when libpng fails.
std::vector<std::uint8_t> encodePng(const cv::Mat& image, const PngOptions& options = {});

/// encodePng, written to `path` atomically (file_util.h's writeFileAtomic).
void writePngFile(const std::string& path, const cv::Mat& image, const PngOptions& options = {});

}  // namespace synthforge::io
