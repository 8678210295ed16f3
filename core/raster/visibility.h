#pragma once
// Whether a point on the rendered surface is visible in a raster result: the
// z-buffer test every landmark overlay and annotation uses.

#include "core/raster/rasterizer.h"

namespace synthforge::raster {

/// Default relative depth tolerance: 0.5% of the depth (about 5 mm of a real
/// head at our camera distance). It absorbs the depth difference between a
/// point and the surface at its pixel centre (up to ~0.7 pixel away) even at
/// grazing angles, yet a cheek or nose in front of a point is 1-4 cm nearer.
constexpr float kDefaultVisibilityTolerance = 0.005f;

/// True when the camera-space point with pixel coordinates (u, v) and depth z
/// is in the image and not hidden: z <= d * (1 + tolerance) for the depth d
/// at its pixel. When its pixel is background (a point on a silhouette whose
/// pixel centre falls just outside the surface), any covered pixel of the
/// 3 x 3 neighbourhood that passes the same test makes it visible.
bool pointVisible(const RasterResult& raster, float u, float v, float z,
                  float tolerance = kDefaultVisibilityTolerance);

}  // namespace synthforge::raster
