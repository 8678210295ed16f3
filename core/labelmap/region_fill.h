#pragma once
// Fill tools: flood fill of a class region, fill within a UV island, and
// polygon (lasso) fill. Each returns the StrokeRecord of one undo step;
// record.dirty() is the changed rectangle. The eyedropper is LabelCanvas::at.

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "core/labelmap/label_canvas.h"
#include "core/labelmap/uv_islands.h"

namespace synthforge::labelmap {

/// Paints the 4-connected region of texels holding the same id as (x, y).
/// (x, y) outside the map or a region already of `classId` changes nothing.
StrokeRecord floodFillRegion(LabelCanvas& canvas, int x, int y, std::uint8_t classId);

enum class IslandFill {
    /// Every texel of the clicked island: "this whole ear is left_ear".
    WholeIsland,
    /// The clicked texel's 4-connected class region, stopped at the island's
    /// border: a region fill that cannot leak through the gutter between
    /// islands or into a neighbouring island of the same class.
    ClassRegionInIsland,
};

/// Fills within the UV island under (x, y). `islands` must have the
/// canvas's size (std::invalid_argument otherwise). A texel that no UV
/// triangle covers (x, y outside every island) changes nothing.
StrokeRecord fillIsland(LabelCanvas& canvas, const UvIslandMap& islands, int x, int y, std::uint8_t classId,
                        IslandFill mode = IslandFill::WholeIsland);

/// Paints every texel whose centre lies inside the polygon by the even-odd
/// rule (self-intersecting lassos get holes where loops overlap twice). A
/// centre exactly on an edge counts as inside when the edge is the polygon's
/// left boundary on that row (half-open spans [x_in, x_out)), so two
/// polygons sharing an edge never both paint a texel. The polygon is closed
/// implicitly; fewer than 3 points paint nothing. Points are texel
/// coordinates; non-finite or absurdly far points are std::invalid_argument.
StrokeRecord fillPolygon(LabelCanvas& canvas, const std::vector<Eigen::Vector2f>& polygon, std::uint8_t classId);

/// Polygon fill into an edit in progress.
void drawPolygon(CanvasEdit& edit, const std::vector<Eigen::Vector2f>& polygon, std::uint8_t classId);

}  // namespace synthforge::labelmap
