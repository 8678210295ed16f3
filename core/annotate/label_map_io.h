#pragma once
// UV label maps as files and images: one 8-bit class id (not a colour) per
// texel of a head's UV atlas, for any head (the default head's own map is
// built in core/head/default_head/label_map.h).
//
// Texel convention: the map is `size` x `size`; texel (x, y) (row y from the
// top of the image) covers u in [x, x+1) / size and v in (size-y-1, size-y] /
// size, and is sampled at its centre u = (x + 0.5) / size,
// v = 1 - (y + 0.5) / size. So v points up, as in OBJ files and OpenGL
// textures, and the face island shows upright in the PNG. A texel belongs to
// the UV triangle that covers its centre (the CPU rasteriser's top-left rule);
// texels no triangle covers are 0 (background).

#include <string>

#include <opencv2/core/mat.hpp>

#include "core/annotate/class_table.h"
#include "core/head/head_model.h"
#include "core/raster/rasterizer.h"

namespace synthforge::annotate {

/// Smallest and largest accepted label map side (the rasteriser's image limit).
constexpr int kMinLabelMapSize = 16;
constexpr int kMaxLabelMapSize = raster::kMaxImageSide;

/// Rasterises a UV atlas at size x size with the convention above: per
/// texel, the face index (-1 where uncovered) and the barycentrics of the
/// face's corners (faces(f, 0..2) and uvFaces(f, 0..2) alike). Maps texels
/// back to 3D: p = b0 * V[faces(f,0)] + b1 * V[faces(f,1)] + b2 * V[faces(f,2)].
/// `size` must be kMinLabelMapSize..kMaxLabelMapSize (std::invalid_argument).
raster::RasterResult rasterizeUvAtlas(const head::RowMatX2f& uv, const head::RowMatX3i& uvFaces, int size);

/// Writes a label map (CV_8UC1) as a lossless 8-bit greyscale PNG,
/// atomically. Throws std::invalid_argument for another Mat type or an empty
/// map, std::runtime_error naming the file when encoding or writing fails.
void saveLabelMap(const std::string& pngPath, const cv::Mat& ids);

/// Reads a label map PNG. Refuses, with std::runtime_error naming the file:
/// a missing or unreadable file, anything not a PNG (JPEG is lossy and would
/// corrupt ids), a colour, grey+alpha or 16-bit PNG, a truncated or corrupt
/// file, a map larger than kMaxLabelMapSize. Returns CV_8UC1.
cv::Mat loadLabelMap(const std::string& path);

/// Colour preview (CV_8UC3, BGR as OpenCV writes it) of a label map: each id
/// gets its class colour; ids not in the table are magenta.
cv::Mat colorizeLabels(const cv::Mat& ids, const ClassTable& table);

/// Grows every class into background texels within `texels` steps (each
/// step takes a background texel's most frequent non-background 8-neighbour,
/// lowest id on ties): a gutter so that nearest or bilinear lookups just
/// inside an island border never read background.
cv::Mat padLabelMap(const cv::Mat& ids, int texels);

}  // namespace synthforge::annotate
