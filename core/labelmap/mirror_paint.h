#pragma once
// Mirror painting: a stroke and its left/right mirror image in one undo
// step, the mirror painted with the flip partner class (left_brow ->
// right_brow; ClassTable::flipMap()).

#include <array>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "core/labelmap/label_canvas.h"
#include "core/labelmap/mirror_map.h"

namespace synthforge::labelmap {

/// The mirror image of a stroke in texel coordinates of a canvas of side
/// canvasSize: the stroke resampled every max(0.5, diameter / 4) texels,
/// each point mirrored, split into pieces where a point falls off the atlas
/// or the mirror jumps across a seam (consecutive mirrored points more than
/// max(4, diameter) texels apart), so a piece never smears across the gutter.
std::vector<std::vector<Eigen::Vector2f>> mirrorStroke(const MirrorMap& mirror,
                                                       const std::vector<Eigen::Vector2f>& points, int diameter,
                                                       int canvasSize);

/// Paints `points` with classId and the mirrored stroke with flip[classId]
/// as one edit. Where the two overlap (a stroke across the midline) the
/// mirrored one is painted last and wins.
StrokeRecord paintStrokeMirrored(LabelCanvas& canvas, const MirrorMap& mirror,
                                 const std::vector<Eigen::Vector2f>& points, int diameter, std::uint8_t classId,
                                 const std::array<std::uint8_t, 256>& flip);

}  // namespace synthforge::labelmap
