#pragma once
// Stubble: a texture of short dark hairs on the skin of the full beard zone
// (beard.cpp's selection), not geometry. It changes the colour image only:
// under it the head's class stays skin, as FaceSynthetics keeps its beard
// class for volumetric hair, and depth and normals are the skin's. The
// pattern is a function of the head's rest-pose surface point, so it moves
// with the face as it turns, talks and changes expression.

#include <vector>

#include <Eigen/Core>

#include "core/generate/assets/asset_spec.h"
#include "core/generate/assets/head_frame.h"

namespace synthforge::generate {

/// Where stubble grows on a head model, per template vertex.
struct StubbleField {
    /// 1 inside the full beard zone fading to 0 over its outer 8 mm, 0 elsewhere.
    std::vector<float> weight;
    /// The rest-pose surface coordinates the hair pattern is laid out in:
    /// arc length around a vertical axis through the head (so the jaw's
    /// sides are not squeezed) and height, metres. Interpolated per pixel.
    std::vector<Eigen::Vector2f> surface;
};

/// Needs the model's landmarks (std::invalid_argument without).
StubbleField stubbleField(const head::HeadModel& model, const AssetHeadFrame& frame);

/// The share 0..1 of the skin at rest-pose surface point `surface` (as in
/// StubbleField) that stubble hairs cover, for a pixel `pixelMetres` across
/// there: hairs on a jittered lattice (a hair per site with probability
/// `density`) running down the face `length` long. Hairs narrower than the
/// pixel are widened to it and weakened in proportion, so that the average
/// darkening does not depend on the image size.
float stubbleCoverage(const StubbleShape& shape, const Eigen::Vector2f& surface, float pixelMetres);

}  // namespace synthforge::generate
