#pragma once
// The face box file of `synthforge predict --boxes` (docs/predict.md): one
// JSON object mapping an image's file name (as it appears in the input
// folder, e.g. "photo1.jpg") to its face box [x, y, w, h] in continuous
// pixels of that image (top-left corner x, y; width and height), the box
// of the face's landmarks as 300-W and LaPa draw it:
//
//   {"photo1.jpg": [412.5, 300, 220, 260], "photo2.png": [10, 12, 80, 96]}
//
// Torch-free.

#include <cstdint>
#include <map>
#include <string>

namespace synthforge::train {

struct FaceBox {
    double x = 0, y = 0, w = 0, h = 0;
};

/// Box files larger than this are refused unread (a box is ~40 bytes).
constexpr std::uint64_t kMaxBoxFileBytes = 64u << 20;
/// Coordinates beyond this many pixels are not from a real image.
constexpr double kMaxBoxCoordinate = 1e6;

/// Parses box-file text; `path` names it in errors. std::runtime_error
/// "<path>: ..." for text that is not a JSON object (a truncated file says
/// where it ends), an empty or duplicated name, a value that is not an array
/// of four finite numbers, w or h not positive, or a coordinate beyond
/// ±kMaxBoxCoordinate.
std::map<std::string, FaceBox> parseFaceBoxes(const std::string& text, const std::string& path);

/// Reads and parses a box file: missing, unreadable or larger than
/// kMaxBoxFileBytes is a std::runtime_error naming it.
std::map<std::string, FaceBox> readFaceBoxes(const std::string& path);

}  // namespace synthforge::train
