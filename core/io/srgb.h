#pragma once
// The sRGB transfer function (IEC 61966-2-1) between linear light and
// encoded values, both in 0..1: the one definition the renderer, the asset
// compositor, the camera effects, the colour import and the studio's colour
// swatches share.

#include <algorithm>
#include <cmath>

namespace synthforge::io {

/// Linear 0..1 (clamped) to an sRGB-encoded value 0..1.
inline float srgbEncode(float linear) {
    const float c = std::clamp(linear, 0.0f, 1.0f);
    return c <= 0.0031308f ? 12.92f * c : 1.055f * std::pow(c, 1.0f / 2.4f) - 0.055f;
}

/// An sRGB-encoded value 0..1 to linear light.
inline float srgbDecode(float encoded) {
    return encoded <= 0.04045f ? encoded / 12.92f : std::pow((encoded + 0.055f) / 1.055f, 2.4f);
}

}  // namespace synthforge::io
