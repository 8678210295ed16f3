#pragma once
// Reading the images and label PNGs of real benchmark datasets, with errors
// that name the file. Shared by the dataset readers in this folder.
//
// Before decoding, the image header's width and height are checked, so a
// damaged or hostile file that claims 100000 x 100000 pixels is refused
// instead of making OpenCV allocate tens of gigabytes.

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

namespace synthforge::dataset {

/// Image files larger than this are refused unread.
constexpr std::uint64_t kMaxImageFileBytes = 256ull << 20;
/// Images wider or taller than this are refused before decoding.
constexpr int kMaxImageSide = 16384;

/// Reads a PNG or JPEG (or anything else OpenCV decodes) as 8-bit BGR,
/// CV_8UC3: greyscale is expanded, alpha dropped, 16-bit scaled down.
cv::Mat readBgrImage(const std::string& path);

/// Reads a PNG exactly as stored (cv::IMREAD_UNCHANGED), for label maps and
/// masks. Anything that is not a PNG is refused: JPEG artefacts would turn
/// class ids into other class ids.
cv::Mat readPngUnchanged(const std::string& path);

/// "8-bit, 3 channels" and the like, for error messages.
std::string describeMatType(int type);

}  // namespace synthforge::dataset
