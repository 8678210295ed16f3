#pragma once
// The procedural generator's appearance model.
//
// Identity-specific colours, lighting and background come from the latent z
// through the standard normal CDF: each used dimension k gives a uniform
// u_k = Phi(z_k), mapped onto a palette or a range. Nearby z therefore give
// similar people (a latent grid or interpolation changes smoothly), and the
// same z gives the same person in every pose, expression and camera.
//
// The per-model part (AppearanceAtlas) is built once: soft region masks
// baked into UV space (lips, brows, hair, eyeball, iris, pupil, mouth,
// cheeks), four noise textures for pores and blotches, and per-vertex
// ambient occlusion. A sample's UV-space albedo is then
//   albedo(uv) = mix over regions of the identity's colours, modulated by the
//                identity's blend of the noise textures,
// evaluated per pixel without building a texture per sample.

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include <Eigen/Core>
#include <opencv2/core/mat.hpp>

#include "core/head/head_model.h"

namespace synthforge::generate {

/// Linear-light RGB.
using Rgb = Eigen::Vector3f;

struct DirectionalLight {
    Eigen::Vector3f toLight;  ///< unit, FLAME/world frame (y up, face toward +z)
    Rgb color;                ///< linear radiance
};

struct Appearance {
    Rgb skin, lips, brows, hair, iris, sclera, mouth;
    float cheekRedness = 0;     ///< 0..1
    float poreStrength = 0;     ///< relative albedo variation of fine noise
    float blotchStrength = 0;   ///< relative variation of medium noise
    float browDensity = 0;      ///< 0..1
    float hairDensity = 0;      ///< 0..1, how much scalp is covered by hair colour
    float specular = 0;         ///< skin specular strength
    float shininess = 0;        ///< Blinn-Phong exponent
    std::array<float, 4> noiseWeights{};  ///< blend of the atlas's four noise textures (sum 1)
    std::vector<DirectionalLight> lights;  ///< key and fill
    Rgb ambientSky, ambientGround;         ///< hemisphere ambient
    float exposure = 1.0f;
    std::array<Rgb, 4> background{};       ///< corner colours (display sRGB 0..1)
    float backgroundNoise = 0;             ///< amplitude of the background's blobs
    std::uint64_t backgroundSeed = 0;      ///< pattern of the blobs
};

/// Number of latent dimensions the procedural appearance reads (the rest of
/// z is ignored, but kept so that a GAN's latent can be used unchanged).
constexpr int kAppearanceLatentDims = 40;

/// Appearance of latent `z` (at least kAppearanceLatentDims values).
/// Throws std::invalid_argument for a shorter or non-finite z.
Appearance appearanceFromLatent(const Eigen::VectorXf& z);

/// Region masks of the atlas, in channel order.
enum AtlasChannel : int {
    kMaskLips = 0,
    kMaskBrows,
    kMaskHair,
    kMaskEyeball,
    kMaskIris,
    kMaskPupil,
    kMaskMouth,
    kMaskCheeks,
    kNumAtlasChannels
};

/// The UV-space albedo (linear, >= 0) of identity `a` where the atlas gives
/// `mask` and `noise` (AppearanceAtlas::sample): skin with blotches, pores
/// and cheek flush, then hair, brows, lips, mouth, eyes. One definition for
/// the procedural renderer and the studio's textured viewport, so the two
/// show the same colours. Inline: it runs once per rendered pixel.
inline Rgb albedoAt(const Appearance& a, const float mask[kNumAtlasChannels], const float noise[2]) {
    Rgb albedo = a.skin * (1.0f + a.blotchStrength * noise[1] + a.poreStrength * noise[0]);
    albedo = albedo.cwiseProduct(Rgb(1.0f + 0.22f * a.cheekRedness * mask[kMaskCheeks],
                                     1.0f - 0.12f * a.cheekRedness * mask[kMaskCheeks],
                                     1.0f - 0.1f * a.cheekRedness * mask[kMaskCheeks]));
    const float strands = std::clamp(0.55f + 0.9f * noise[0], 0.0f, 1.0f);
    albedo += (a.hair * (0.8f + 0.4f * strands) - albedo) * (mask[kMaskHair] * a.hairDensity);
    albedo += (a.brows - albedo) * std::clamp(mask[kMaskBrows] * a.browDensity * (0.55f + 0.6f * strands), 0.0f, 1.0f);
    albedo += (a.lips * (1.0f + 0.5f * a.poreStrength * noise[0]) - albedo) * mask[kMaskLips];
    albedo += (a.mouth - albedo) * mask[kMaskMouth];
    albedo += (a.sclera - albedo) * mask[kMaskEyeball];
    albedo += (a.iris * (0.75f + 0.5f * strands) - albedo) * mask[kMaskIris];
    albedo += (Rgb::Constant(0.01f) - albedo) * mask[kMaskPupil];
    return albedo.cwiseMax(0.0f);
}

class AppearanceAtlas {
public:
    /// Bakes the masks for `model` at `size` x `size` texels. `labelMap`
    /// (CV_8UC1, default FaceSynthetics ids, same UV layout; may be empty)
    /// supplies lips, brows, hair and mouth; eyeball, iris and pupil come
    /// from the model's vertex regions when present (the default head has
    /// them); cheeks from the rest-pose landmarks. A model without UVs gets
    /// an empty atlas (plain skin).
    AppearanceAtlas(const head::HeadModel& model, const cv::Mat& labelMap, int size = 512);

    bool hasUv() const { return !texels_.empty(); }
    int size() const { return size_; }
    /// Bilinear mask values (0..1) at (u, v), v up as in the label map, and
    /// the noise there (each channel zero-mean, about unit amplitude) blended
    /// with `weights`: noise[0] fine pores, noise[1] medium blotches. One
    /// lookup for both: masks and noise share a 16-byte texel, so the four
    /// bilinear taps read four cache-friendly records (the renderer's
    /// hottest loop).
    void sample(float u, float v, const std::array<float, 4>& weights, float masks[kNumAtlasChannels],
                float noise[2]) const;
    /// Per-vertex ambient occlusion of the rest mesh, 0 (enclosed) .. 1 (open).
    const std::vector<float>& ambientOcclusion() const { return ao_; }

private:
    int size_ = 0;
    /// Per texel: 8 mask bytes (0..255) then 8 noise bytes (int8, x 40):
    /// textures 0..3, fine and medium each.
    struct Texel {
        std::uint8_t masks[kNumAtlasChannels];
        std::int8_t noise[8];
    };
    static_assert(sizeof(Texel) == 16, "one texel is 16 bytes");
    std::vector<Texel> texels_;
    std::vector<float> ao_;
};

}  // namespace synthforge::generate
