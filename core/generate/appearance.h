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
// cheeks), four pairs of noise fields for pores (UV white noise) and
// blotches (solid noise of the rest position), the skin's relief (pore and
// wrinkle height gradients) and T-zone, and per-vertex ambient occlusion.
// A sample's UV-space albedo is then
//   albedo(uv) = mix over regions of the identity's colours, the skin's
//                melanin varied by the identity's blend of the noise,
// evaluated per pixel without building a texture per sample.

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include <Eigen/Core>
#include <opencv2/core/mat.hpp>

#include "core/generate/environment_light.h"
#include "core/generate/skin_model.h"
#include "core/head/head_model.h"
#include "core/raster/rasterizer.h"

namespace synthforge::generate {

/// Linear-light RGB.
using Rgb = Eigen::Vector3f;

/// A distant light: the sun, a window or softbox, a rim light.
struct DirectionalLight {
    Eigen::Vector3f toLight;  ///< unit, FLAME/world frame (y up, face toward +z)
    Rgb color;                ///< linear radiance
    /// Angular radius in radians: ~0.005 for the sun, 0.15-0.5 for a window
    /// or softbox. Larger lights wrap further round the terminator, spread
    /// their highlight and soften their shadow.
    float radius = 0.0f;
};

struct Appearance {
    Rgb skin, lips, brows, hair, iris, sclera, mouth;
    /// Skin where blood gathers (cheeks, nose): `skin` with more haemoglobin
    /// (skin_model.h), blended in by the atlas's cheek mask.
    Rgb skinFlushed;
    float poreStrength = 0;     ///< melanin variation of fine noise (optical depth at G)
    float blotchStrength = 0;   ///< melanin variation of medium noise: uneven tone, freckles
    float browDensity = 0;      ///< 0..1
    float hairDensity = 0;      ///< 0..1, how much scalp is covered by hair colour
    float specular = 0;         ///< skin specular strength
    float shininess = 0;        ///< Blinn-Phong exponent
    float oiliness = 0;         ///< extra specular on the forehead and nose (the T-zone), relative
    float poreDepth = 0;        ///< height of the pore relief, metres (FLAME units)
    float wrinkleDepth = 0;     ///< height of the fine wrinkles' relief, metres
    /// Per-channel wrap of diffuse light past the terminator: light scattered
    /// under the skin reaches further in red than in blue (a wrap-lighting
    /// approximation of subsurface scattering).
    Rgb scatterWrap{0.0f, 0.0f, 0.0f};
    std::array<float, 4> noiseWeights{};  ///< blend of the atlas's four noise textures (sum 1)
    /// lights[0] is the key (the sun or the main window) and casts shadows;
    /// then the fill, and a rim light behind the head when there is one.
    std::vector<DirectionalLight> lights;
    EnvironmentSh environment;             ///< the dome's diffuse light (sky, walls, ground)
    float exposure = 1.0f;
    std::array<Rgb, 4> background{};       ///< corner colours (display sRGB 0..1)
    float backgroundNoise = 0;             ///< amplitude of the background's blobs
    std::uint64_t backgroundSeed = 0;      ///< pattern of the blobs
};

/// Number of latent dimensions the procedural appearance reads (the rest of
/// z is ignored, but kept so that a GAN's latent can be used unchanged).
///   0..20   identity: skin tone and undertone, flush, pores, tone, hair,
///           brows, lips, eyes, mouth, specular, noise blend;
///   21..39  scene: key, fill and ambient light, exposure, background;
///   40..42  identity: blood (haemoglobin), wrinkles, oiliness;
///   43..49  scene: environment kind and dome, key size, rim light.
constexpr int kAppearanceLatentDims = 50;

/// Whether latent dimension k describes the scene (light, background) rather
/// than the person: samplers that keep an identity across samples redraw
/// only these (and what z does not read stays the identity's).
constexpr bool isSceneLatentDim(int k) { return (k >= 21 && k < 40) || (k >= 43 && k < kAppearanceLatentDims); }

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
    // Uneven melanin (blotches, freckles, pores) darkens with melanin's hue:
    // exp(-d * shape) to first order, which is exact enough for |d| < 0.2.
    const float melanin = a.blotchStrength * noise[1] + a.poreStrength * noise[0];
    Rgb albedo = (a.skin + (a.skinFlushed - a.skin) * mask[kMaskCheeks])
                     .cwiseProduct((Rgb::Ones() - melanin * skin::melaninShape()).cwiseMax(0.2f));
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

/// The skin's fine structure at one point of the atlas.
struct SkinDetail {
    /// Gradients of the pore and wrinkle height fields with respect to the
    /// UV coordinates (height units per UV unit; the heights are unit-free
    /// and scaled by Appearance::poreDepth / wrinkleDepth).
    float poreDu = 0, poreDv = 0, wrinkleDu = 0, wrinkleDv = 0;
    float oil = 0;  ///< 0..1: the T-zone (forehead, nose), where skin is shinier
};

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
    /// lookup for both: masks and noise share a texel record, so the four
    /// bilinear taps read four cache-friendly records (the renderer's
    /// hottest loop). `detail`, when given, receives the skin's relief and
    /// oiliness from the same taps.
    void sample(float u, float v, const std::array<float, 4>& weights, float masks[kNumAtlasChannels],
                float noise[2], SkinDetail* detail = nullptr) const;
    /// Per-vertex ambient occlusion of the rest mesh, 0 (enclosed) .. 1 (open).
    const std::vector<float>& ambientOcclusion() const { return ao_; }

private:
    int size_ = 0;
    /// Per texel: 8 mask bytes (0..255), 8 noise bytes (int8, x 40):
    /// textures 0..3, fine (white, in UV) and medium (solid noise of the
    /// rest position, so it is continuous across UV seams) each; the relief's gradients (int8,
    /// x kReliefScale, height units per texel): pores d/dx, d/dy, wrinkles
    /// d/dx, d/dy (x right, y down the atlas image); the T-zone's weight.
    struct Texel {
        std::uint8_t masks[kNumAtlasChannels];
        std::int8_t noise[8];
        std::int8_t relief[4];
        std::uint8_t oil;
        std::uint8_t unused[3];
    };
    static_assert(sizeof(Texel) == 24, "one texel is 24 bytes");
    std::vector<Texel> texels_;
    static constexpr float kReliefScale = 40.0f;
    void bakeRelief(const head::HeadModel& model, const raster::RasterResult& uvRaster,
                    const std::vector<Eigen::Vector3f>& restPositions);
    std::vector<float> ao_;
};

}  // namespace synthforge::generate
