#pragma once
// Saving and loading the editor's map: an 8-bit greyscale PNG of class ids
// plus the class table JSON (docs/design.md), and the colour preview export.
//
// Loading builds a new canvas and table and hands them back only when every
// check passed, so a failed load never touches the map being edited: the
// caller swaps the result in (and clears its undo history) on success.

#include <string>

#include <opencv2/core/mat.hpp>

#include "core/annotate/class_table.h"
#include "core/labelmap/label_canvas.h"

namespace synthforge::labelmap {

struct LabelMapFiles {
    LabelCanvas canvas;
    annotate::ClassTable classes;
};

/// Throws std::runtime_error "<source>: class ids: not in the class table:
/// 7 (first at x=12 y=40), 9 (...)" when `ids` (CV_8UC1) holds ids the table
/// lacks, naming one texel per missing id.
void checkIdsInTable(const cv::Mat& ids, const annotate::ClassTable& classes, const std::string& source);

/// Reads the class table, then the map PNG, and checks them together. Errors
/// are std::runtime_error naming the file and field: anything
/// annotate::loadLabelMap refuses (missing, not a PNG, JPEG, RGB or
/// grey+alpha or 16-bit PNG, truncated or corrupt), a corrupt table JSON, a
/// map that is not square or (expectedSize > 0) not expectedSize wide, ids
/// missing from the table.
LabelMapFiles loadLabelMapFiles(const std::string& pngPath, const std::string& tablePath, int expectedSize = 0);

/// Writes the class table, then the map, each atomically (temporary file,
/// then rename): either file is always a complete old or new version.
/// Throws std::invalid_argument when the canvas is empty or holds ids the
/// table lacks (such a pair could not be loaded back), std::runtime_error
/// naming the file when writing fails.
void saveLabelMapFiles(const std::string& pngPath, const std::string& tablePath, const LabelCanvas& canvas,
                       const annotate::ClassTable& classes);

/// RGB preview of the map in class colours (CV_8UC3, BGR as OpenCV holds
/// it); ids not in the table are magenta.
cv::Mat colorPreview(const LabelCanvas& canvas, const annotate::ClassTable& classes);
/// Writes the preview as an RGB PNG, atomically.
void saveColorPreview(const std::string& pngPath, const LabelCanvas& canvas, const annotate::ClassTable& classes);

}  // namespace synthforge::labelmap
