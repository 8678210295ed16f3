#pragma once
// Camera effects on the colour image only: exposure and white balance (in
// linear light), chromatic aberration and defocus (the lens), sensor noise,
// and JPEG compression (the file), each drawn per
// sample with its own probability from the sampler config's
// "camera_effects" section. The annotation buffers never see them: labels
// stay those of the ideal pinhole camera. Drawn from their own random
// stream, so turning them on changes no other draw of a sample. Applying
// them to pixels: camera_effects_image.h.

#include <cstdint>
#include <string>


namespace synthforge::generate {

/// One effect's probability per sample and the range its strength is drawn from (uniform).
struct CameraEffectRange {
    double probability = 0.0;
    double lo = 0.0, hi = 0.0;
    bool operator==(const CameraEffectRange& o) const { return probability == o.probability && lo == o.lo && hi == o.hi; }
};

struct CameraEffectsConfig {
    CameraEffectRange defocus{0.0, 0.5, 2.0};      ///< Gaussian sigma, pixels at 512 (scaled with the image)
    CameraEffectRange noise{0.0, 1.0, 6.0};        ///< Gaussian sigma, 8-bit levels
    CameraEffectRange jpeg{0.0, 40.0, 95.0};       ///< quality 1..100
    CameraEffectRange aberration{0.0, 0.3, 1.5};   ///< red/blue shift at the corners, pixels at 512
    CameraEffectRange exposure{0.0, -1.0, 1.0};     ///< stops (EV): linear light times 2^ev
    CameraEffectRange whiteBalance{0.0, -0.15, 0.15};  ///< warm (+) / cool (-): red x (1+t), blue x (1-t), linear

    bool isDefault() const;
    /// std::invalid_argument naming the field ("camera_effects.jpeg.quality: ...").
    void validate() const;
};

/// What one sample got: zero (or 0 quality) means the effect is off.
struct CameraEffects {
    float defocusSigma = 0.0f;   ///< pixels at 512
    float noiseSigma = 0.0f;     ///< 8-bit levels
    int jpegQuality = 0;         ///< 0: no compression
    float aberration = 0.0f;     ///< pixels at 512, at the image corners
    float exposureEv = 0.0f;     ///< stops; 0: unchanged
    float whiteBalance = 0.0f;   ///< 0: neutral
    std::uint64_t noiseSeed = 0;

    bool any() const {
        return defocusSigma > 0.0f || noiseSigma > 0.0f || jpegQuality > 0 || aberration > 0.0f || exposureEv != 0.0f ||
               whiteBalance != 0.0f;
    }
};

/// Draws sample `index`'s effects (stream RngStream::CameraEffects). Every
/// effect draws the same values whether on or not.
CameraEffects drawCameraEffects(const CameraEffectsConfig& config, std::uint64_t seed, std::uint64_t index);

}  // namespace synthforge::generate
