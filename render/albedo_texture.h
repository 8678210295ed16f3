#pragma once
// The procedural generator's albedo for one latent z as a UV-space image,
// for the viewport's textured mode. The generator evaluates the albedo per
// pixel from its AppearanceAtlas (core/generate/appearance.h) and never
// builds a texture; the viewport needs one, so this bakes it per texel with
// the same formula (generate::albedoAt).

#include <QImage>

#include "core/generate/appearance.h"

namespace synthforge::render {

/// Linear light (0..1) -> display byte with the plain 2.2 gamma (no exposure
/// or highlight shoulder: the texture shows the surface colour, not a render).
unsigned char albedoToDisplay(float linear);

/// size x size RGB888 image, row 0 at v = 1 (the UV label map's convention);
/// texel (x, y) is sampled at its centre u = (x + 0.5) / size,
/// v = 1 - (y + 0.5) / size. A null image when the atlas has no UVs.
QImage bakeAlbedoTexture(const generate::AppearanceAtlas& atlas, const generate::Appearance& appearance,
                         int size = 1024);

}  // namespace synthforge::render
