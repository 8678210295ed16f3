#pragma once
// The default head's UV label map: one 8-bit class id (DESIGN §3's default
// FaceSynthetics table, not colours) per texel of its UV atlas, plus PNG I/O
// and a colour preview.
//
// Texel convention: the map is `size` x `size`; texel (x, y) (row y from the
// top of the image) covers u in [x, x+1) / size and v in (size-y-1, size-y] /
// size, and is sampled at its centre u = (x + 0.5) / size,
// v = 1 - (y + 0.5) / size. So v points up, as in OBJ files and OpenGL
// textures, and the face island shows upright in the PNG. A texel belongs to
// the UV triangle that covers its centre (the CPU rasteriser's top-left rule);
// texels no triangle covers are 0 (background).
//
// How each covered texel gets its class: the triangle's part/UV island first
// (eyeball -> right_eye/left_eye, ear -> right_ear/left_ear, mouth bag ->
// mouth_interior, neck and neck cap -> neck, eye sockets -> skin), then, on
// the face and scalp, by the texel's 3D point on the neutral mesh (the
// triangle's corners interpolated with the texel's barycentrics):
//  - nose: the "nose" region, its vertex indicator smoothed over the mesh and
//    interpolated (a smooth outline through the region's border edges);
//  - top_lip / bottom_lip: between the lip slit (read from the mesh's mouth
//    rim) and a vermilion border with a Cupid's bow, tapering to the mouth
//    corners; the triangle's side of the slit decides top or bottom;
//  - right_brow / left_brow: a tapered band (~9 mm at the head, ~4 mm at the
//    tail) around the quadratic through the brow_inner/peak/outer anchors;
//  - hair: above a smooth hairline ~6 cm above the brows at the front, down
//    the temples to sideburns, around the ears and down to the nape;
//  - skin: everything else.
// "Right" and "left" are the subject's: left_eye (4) at +x.

#include <string>

#include <opencv2/core/mat.hpp>

#include "core/annotate/class_table.h"
#include "core/head/default_head/neutral_mesh.h"
#include "core/head/head_model.h"
#include "core/raster/rasterizer.h"

namespace synthforge::head::default_head {

/// Largest accepted label map side (the rasteriser's image limit).
constexpr int kMaxLabelMapSize = raster::kMaxImageSide;

/// The default label map of the default head (CV_8UC1 class ids). `model`
/// must be the default head (loadHeadModel("default")): its faces, UVs and
/// vertex count are checked against the neutral mesh, whose parts, islands
/// and anchors the labelling needs; anything else is std::invalid_argument.
/// `size` is the map's width and height, 16..32768. Deterministic.
cv::Mat buildDefaultLabelMap(const HeadModel& model, int size = 1024);
/// The same, straight from the neutral mesh.
cv::Mat buildDefaultLabelMap(const NeutralHead& head, int size = 1024);

/// Rasterises a UV atlas at size x size with the convention above: per
/// texel, the face index (-1 where uncovered) and the barycentrics of the
/// face's corners (faces(f, 0..2) and uvFaces(f, 0..2) alike). Maps texels
/// back to 3D: p = b0 * V[faces(f,0)] + b1 * V[faces(f,1)] + b2 * V[faces(f,2)].
raster::RasterResult rasterizeUvAtlas(const RowMatX2f& uv, const RowMatX3i& uvFaces, int size);

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
cv::Mat colorizeLabels(const cv::Mat& ids, const annotate::ClassTable& table);

/// Grows every class into background texels within `texels` steps (each
/// step takes a background texel's most frequent non-background 8-neighbour,
/// lowest id on ties): a gutter so that nearest or bilinear lookups just
/// inside an island border never read background. Islands of the default
/// atlas are at least 10 texels apart at size 1024.
cv::Mat padLabelMap(const cv::Mat& ids, int texels);

}  // namespace synthforge::head::default_head
