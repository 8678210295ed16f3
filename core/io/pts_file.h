#pragma once
// The iBUG / 300-W landmark format (.pts):
//
//     version: 1
//     n_points:  68
//     {
//     x y
//     ...
//     }
//
// Coordinates in a .pts file are 1-based (Matlab convention): the centre of
// the first pixel is (1.0, 1.0) and the last pixel of a W-wide image is at W.
// iBUG's own library, menpo, reads .pts as "landmarks on a 480x480 image are in
// the range [1-480]" and subtracts 1 to reach its 0-based frame (see
// docs/datasets.md for the sources). Our frame (core/camera/orbit_camera.h)
// puts the centre of pixel i at i + 0.5, so
//     ours = file - 0.5,   file = ours + 0.5.
// readPts/parsePts/writePts move coordinates unchanged; fromPtsCoordinates and
// toPtsCoordinates convert between the two frames.
//
// The reader tolerates CRLF line ends, extra spaces and tabs, and blank lines;
// everything else that is not exactly the layout above is refused with a
// std::runtime_error that starts with the file path, then the field or line.

#include <cstdint>
#include <string>

#include <Eigen/Core>

namespace synthforge::io {

/// N points, one (x, y) per row.
using Points2f = Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor>;

/// Files larger than this are refused before they are read (a 68-point file is about 1 KiB).
constexpr std::uint64_t kMaxPtsFileBytes = 16ull << 20;
/// n_points above this is refused as absurd (dense face meshes stay far below it).
constexpr int kMaxPtsPoints = 100000;

/// The contents of one .pts file.
struct PtsFile {
    Points2f points;  ///< in the file's 1-based frame, as written
};

/// Reads and validates a .pts file.
PtsFile readPts(const std::string& path);
/// Parses .pts text; `source` names it in error messages (usually the path).
PtsFile parsePts(const std::string& text, const std::string& source);
/// The .pts text for `points` (1-based frame), written so that parsePts gives
/// back the same floats bit for bit. Throws std::invalid_argument when there
/// are no points, more than kMaxPtsPoints, or a non-finite value.
std::string formatPts(const Points2f& points);
/// Writes formatPts(points) to `path` atomically (temporary file, then rename).
void writePts(const std::string& path, const Points2f& points);

/// .pts (1-based, first pixel centre at 1.0) -> ours (first pixel centre at 0.5): subtracts 0.5.
Points2f fromPtsCoordinates(const Points2f& ptsPoints);
/// Ours -> .pts: adds 0.5.
Points2f toPtsCoordinates(const Points2f& points);

}  // namespace synthforge::io
