#pragma once
// LaPa's landmark files, <split>/landmarks/<name>.txt: the point count on the
// first line (106), then one "x y" line per point.
//
// The coordinates are 0-based pixel coordinates: the organisers of the
// 106-point landmark challenges, whose JD-landmark markup LaPa uses, state that
// "the coordinates of the top left corner is [0, 0]", and LaPa loaders such as
// FaRL's use the values directly as OpenCV pixel positions. The centre of the
// first pixel is therefore 0.0, while ours (core/camera/orbit_camera.h) is 0.5:
//     ours = file + 0.5.
// Sources: docs/datasets.md.

#include <string>

#include "core/io/pts_file.h"

namespace synthforge::dataset {

/// Landmark files larger than this are refused unread (a 106-point file is about 2 KiB).
constexpr std::uint64_t kMaxLapaLandmarkFileBytes = 1ull << 20;

/// Parses a LaPa landmark file's text into its points, in the file's 0-based
/// frame. Tolerates CRLF, extra spaces and tabs and blank lines; refuses with
/// std::runtime_error("<source>: line N: ...") a count that is not an integer
/// in 1..io::kMaxPtsPoints, a point line that is not two finite numbers, and
/// more or fewer point lines than the count.
io::Points2f parseLapaLandmarks(const std::string& text, const std::string& source);
io::Points2f readLapaLandmarks(const std::string& path);

/// LaPa's 0-based frame -> ours: adds 0.5.
io::Points2f fromLapaCoordinates(const io::Points2f& lapaPoints);
/// Ours -> LaPa's 0-based frame: subtracts 0.5.
io::Points2f toLapaCoordinates(const io::Points2f& points);

}  // namespace synthforge::dataset
