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
#include <utility>
#include <vector>

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

/// The LaPa-106 points that stand for an iBUG-68 point, as (iBUG, LaPa)
/// index pairs: only those whose meaning the layout fixes, the outer and
/// inner eye corners (66, 70, 75, 79), the nose's midline from the bridge's
/// top to the tip (51-54) and its bottom centre (60), and the mouth corners
/// (84, 90). The layout (mmpose's LaPa keypoint table, whose left/right
/// pairs are the ones lapa106FlipPermutation() uses) names no point, so the
/// brows (33-50, two edges), nose wings and lids are left out rather than
/// guessed. Sources: docs/datasets.md.
const std::vector<std::pair<int, int>>& lapaIbugCorrespondence();

/// 106 LaPa points (any frame) -> 68 iBUG points in the same frame, NaN
/// where lapaIbugCorrespondence() has no counterpart. std::invalid_argument
/// for other than 106 points.
io::Points2f lapaToIbug68(const io::Points2f& lapaPoints);

}  // namespace synthforge::dataset
