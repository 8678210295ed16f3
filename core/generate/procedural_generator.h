#pragma once
// The built-in default generator: renders the head on the CPU with an
// appearance driven by z (appearance.h): skin from melanin and blood
// (skin_model.h), per-identity noise, brows, lips, eyes and hair colour
// baked as soft UV masks; pores and fine wrinkles as bump relief; a
// procedural environment (environment_light.h: a dome as spherical
// harmonics, plus a key with soft self-shadows, a fill and sometimes a rim
// light) with per-vertex ambient occlusion, per-channel wrapped diffuse (light
// scattered under the skin), Blinn-Phong highlights broadened by the
// light's size and a Fresnel sheen; a random smooth background; supersampled
// anti-aliasing. Fast, deterministic, and needs no licence or GPU.
//
// Its density field is derived from the mesh (mesh_density.h), so that
// mesh-to-density alignment has something to align against.

#include <memory>

#include "core/generate/appearance.h"
#include "core/generate/generator.h"

namespace synthforge::generate {

struct ProceduralGeneratorOptions {
    /// Samples per pixel side, 1..4. 1 (the default, fast) shades one sample
    /// per pixel and softens geometric edges; 2..4 supersample (4x..16x the
    /// shading work) and box-filter down.
    int supersample = 1;
    int atlasSize = 512;   ///< texels per side of the baked appearance masks
    int threads = 1;       ///< rasteriser threads per call (dataset workers use 1 each)
    float densityBeta = 0.01f;  ///< sharpness of the density (generator units)
    bool shadows = true;     ///< the key light's soft shadows of the head on itself
    bool skinDetail = true;  ///< pores, fine wrinkles and the T-zone's shine
};

class ProceduralGenerator : public Generator {
public:
    /// `appearanceLabels`: a UV label map in the default (FaceSynthetics)
    /// ids for the model's UV layout, or empty (plain skin). Building bakes
    /// the atlas and ambient occlusion (~0.3 s).
    ProceduralGenerator(std::shared_ptr<const head::HeadModel> model, const cv::Mat& appearanceLabels,
                        ProceduralGeneratorOptions options = {});

    GeneratorCapabilities capabilities() const override;
    std::vector<GeneratorOutput> generate(const std::vector<GeneratorInput>& batch, int width,
                                          int height) const override;
    std::vector<float> density(const GeneratorInput& input,
                               const Eigen::Ref<const camera::Points3f>& worldPoints) const override;

    /// The key light and the dome's light toward the camera, exposed as the
    /// image is.
    std::optional<SceneLight> sceneLight(const GeneratorInput& input) const override;
    /// Appearance::hair, the colour painted on the scalp's hair region.
    std::optional<Eigen::Vector3f> paintedHairColor(const Eigen::VectorXf& z) const override;

    /// One image (what generate() does per item).
    GeneratorOutput render(const GeneratorInput& input, int width, int height) const;
    const head::HeadModel& model() const { return *model_; }

private:
    std::shared_ptr<const head::HeadModel> model_;
    ProceduralGeneratorOptions options_;
    AppearanceAtlas atlas_;
};

}  // namespace synthforge::generate
