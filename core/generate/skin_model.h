#pragma once
// Skin colour as chromophores in layers rather than a flat paint.
//
// Light reaching the dermis passes the epidermis twice, so a change in the
// epidermis's melanin, or in the dermis's blood (haemoglobin), multiplies
// the reflectance by exp(-(Δmelanin·μ_mel(λ) + Δblood·μ_hb(λ))) in each
// band (Beer–Lambert along the double pass; the scattering that sets the
// overall tone is in the base colour). The base tone of an identity comes
// from a palette of measured skin colours ordered by melanin (appearance.cpp);
// these shapes give the local and per-identity variation its physical hue:
// melanin (freckles, uneven tone) darkens blue most and red least, blood
// (flushed cheeks and nose, lips, undertone) takes green and blue and leaves
// red, so a flush reddens instead of darkening grey.

#include <Eigen/Core>

namespace synthforge::generate {
using Rgb = Eigen::Vector3f;  ///< linear-light RGB
}  // namespace synthforge::generate

namespace synthforge::generate::skin {

/// Relative absorption of eumelanin in the R, G, B bands, taken at 650, 550
/// and 450 nm from μa ∝ λ^-3.33 (Jacques, "Optical properties of biological
/// tissues", 2013), normalised to 1 at G.
inline Rgb melaninShape() { return {0.573f, 1.0f, 1.95f}; }
/// Relative absorption of whole blood, 75 % oxygenated, at 650, 550 and
/// 450 nm from Prahl's molar extinction tables (HbO2 368 / 43016 / 62816,
/// Hb 3750 / 53412 / 103292 cm⁻¹/M), normalised to 1 at G.
inline Rgb haemoglobinShape() { return {0.027f, 1.0f, 1.6f}; }
/// Relative absorption of β-carotene (peak 450–480 nm; none in red), the
/// yellow of olive undertones.
inline Rgb caroteneShape() { return {0.0f, 0.12f, 1.0f}; }

/// `base` after adding optical depths (at G) of melanin, blood and carotene.
inline Rgb withChromophores(const Rgb& base, float melanin, float blood, float carotene = 0.0f) {
    const Rgb depth = melanin * melaninShape() + blood * haemoglobinShape() + carotene * caroteneShape();
    return base.cwiseProduct(Rgb((-depth.array()).exp()));
}

}  // namespace synthforge::generate::skin
