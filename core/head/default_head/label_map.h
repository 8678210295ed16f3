#pragma once
// The default head's UV label map: one 8-bit class id (the default
// FaceSynthetics table, not colours) per texel of its UV atlas. The texel
// convention, file I/O and padding are every label map's
// (core/annotate/label_map_io.h); this file only decides the classes.
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

#include <opencv2/core/mat.hpp>

#include "core/head/default_head/neutral_mesh.h"
#include "core/head/head_model.h"

namespace synthforge::head::default_head {

/// The default label map of the default head (CV_8UC1 class ids). `model`
/// must be the default head (loadHeadModel("default")): its faces, UVs and
/// vertex count are checked against the neutral mesh, whose parts, islands
/// and anchors the labelling needs; anything else is std::invalid_argument.
/// `size` is the map's width and height, 16..32768. Deterministic.
cv::Mat buildDefaultLabelMap(const HeadModel& model, int size = 1024);
/// The same, straight from the neutral mesh.
cv::Mat buildDefaultLabelMap(const NeutralHead& head, int size = 1024);

}  // namespace synthforge::head::default_head
