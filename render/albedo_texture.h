#pragma once
// The procedural generator's albedo for one latent z as a UV-space image,
// for the viewport's textured mode. The generator evaluates the albedo per
// pixel from its AppearanceAtlas (core/generate/appearance.h) and never
// builds a texture; the viewport needs one, so this bakes it per texel.
//
// proceduralAlbedo() must stay the generator's formula
// (ProceduralGenerator::render, "Albedo: skin with blotches ..."): it is
// written out here because core keeps it inline. Moving it into core
// (generate::albedoAt in appearance.h, used by both) is the proper fix.

#include <QImage>

#include "core/generate/appearance.h"

namespace synthforge::render {

/// Linear-light albedo from the atlas masks and noise at one UV point.
generate::Rgb proceduralAlbedo(const generate::Appearance& a, const float masks[generate::kNumAtlasChannels],
                               const float noise[2]);

/// Linear light (0..1) -> display byte with the plain 2.2 gamma (no exposure
/// or highlight shoulder: the texture shows the surface colour, not a render).
unsigned char albedoToDisplay(float linear);

/// size x size RGB888 image, row 0 at v = 1 (the UV label map's convention);
/// texel (x, y) is sampled at its centre u = (x + 0.5) / size,
/// v = 1 - (y + 0.5) / size. A null image when the atlas has no UVs.
QImage bakeAlbedoTexture(const generate::AppearanceAtlas& atlas, const generate::Appearance& appearance,
                         int size = 1024);

}  // namespace synthforge::render
