#pragma once
// The round brush and its strokes.
//
// Footprint: a brush of diameter d (1..200 texels) at continuous texel
// position (x, y) first snaps its centre so that its shape is the same
// wherever it lands: for odd d to the centre of the texel holding (x, y)
// (floor(x) + 0.5), for even d to the nearest texel corner (round(x)). It
// then covers every texel whose centre lies in the closed disc of diameter d
// around the snapped centre. So d = 1 is exactly the texel under the cursor,
// d = 2 a 2x2 block, d = 3 a 3x3 block, and every footprint is exactly d
// texels across and symmetric. (Unsnapped discs change shape by a texel or
// two with sub-texel motion, and a d = 1 disc between texel centres would
// cover nothing.) No texel centre lies exactly on a snapped disc's rim, so
// the set is free of rounding ties.
//
// Strokes: a polyline of points in texel coordinates (what the widget gets
// from mouse events after undoing its zoom and pan). Each segment between
// consecutive snapped centres is painted as the swept disc (a capsule: texel
// centres within d/2 of the segment), which is the limit of stamping the
// footprint at zero spacing: no gaps at any mouse speed, and each texel is
// tested once per segment, so a fast stroke costs about the area it covers.
// Membership is decided in exact integer arithmetic.

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "core/annotate/class_table.h"
#include "core/labelmap/label_canvas.h"

namespace synthforge::labelmap {

constexpr int kMinBrushDiameter = 1;
constexpr int kMaxBrushDiameter = 200;

/// The snapped centre of a brush of `diameter` at `p` (see above).
Eigen::Vector2f snapBrushCentre(const Eigen::Vector2f& p, int diameter);

/// Every texel a single stamp covers, sorted by row then column, unclipped
/// (may hold texels outside any canvas). For tests and the cursor outline.
std::vector<Texel> brushTexels(const Eigen::Vector2f& p, int diameter);

/// Paints a stroke into an edit in progress (for tools that combine several
/// shapes into one undo step). An empty `points` paints nothing. Throws
/// std::invalid_argument for a diameter outside 1..200 or a point that is not
/// finite or lies absurdly far (over 4 * kMaxCanvasSide texels) from the map.
void drawStroke(CanvasEdit& edit, const std::vector<Eigen::Vector2f>& points, int diameter, std::uint8_t classId);

/// Paints a stroke as one edit and returns its record (dirty() is the
/// changed rectangle to refresh).
StrokeRecord paintStroke(LabelCanvas& canvas, const std::vector<Eigen::Vector2f>& points, int diameter,
                         std::uint8_t classId);

/// The eraser: paints `eraseTo` (skin unless told otherwise).
StrokeRecord eraseStroke(LabelCanvas& canvas, const std::vector<Eigen::Vector2f>& points, int diameter,
                         std::uint8_t eraseTo = annotate::kSkin);

}  // namespace synthforge::labelmap
