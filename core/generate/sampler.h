#pragma once
// What one dataset sample is made of: head parameters, a camera and a latent
// code, drawn from configurable ranges (docs/design.md). Sample
// i depends only on (seed, i): see sample_rng.h.
//
// The sampler config is JSON; every key is optional and takes the default
// below, unknown keys are refused (a typo must not silently fall back):
//
//   {"format": "synthforge-sampler", "version": 1,
//    "camera": {"yaw": [-0.8, 0.8], "pitch": [-0.8, 0.8], "fov_deg": [18, 24],
//               "radius": [2.7, 2.7], "pivot": [0, 0, 0.2]},
//    "head":   {"shape_components": 20, "shape_range": [-2, 2],
//               "expr_components": 10, "expr_range": [-2, 2],
//               "jaw_open": [0, 0.25], "eye_yaw": [-0.25, 0.25], "eye_pitch": [-0.15, 0.15]},
//    "latent": {"dim": 512},
//    "sampler": {"name": "iid"},
//    "assets": {"glasses":  {"frequency": 0.15, "color_min": [0.01, 0.01, 0.01], "color_max": [0.35, 0.25, 0.2],
//                            "lens_opacity": [0.1, 0.45]},
//               "headwear": {"frequency": 0.1, "color_min": [0.02, 0.02, 0.02], "color_max": [0.6, 0.6, 0.6]},
//               "clothing": {"frequency": 0.3, "color_min": [0.02, 0.02, 0.02], "color_max": [0.7, 0.7, 0.7]},
//               "hair":     {"frequency": 0.7, "eumelanin": [0.15, 10], "pheomelanin": [0, 1.2],
//                            "styles": ["cropped", "short", "medium", "long", "tied_back", "curly"]},
//               "beard":    {"frequency": 0.15, "styles": ["moustache", "goatee", "full"]},
//               "facewear": {"frequency": 0.05, "color_min": [0.03, 0.03, 0.03], "color_max": [0.8, 0.8, 0.8]},
//               "eyebrows": {"frequency": 0.8, "thickness": [0.0005, 0.002]},
//               "eyelashes": {"frequency": 0.9, "color_min": [0.01, 0.01, 0.01], "color_max": [0.05, 0.04, 0.035],
//                             "length": [0.006, 0.011]},
//               "stubble":  {"frequency": 0.15, "density": [0.35, 0.9], "length": [0.0003, 0.001],
//                            "darkness": [0.35, 0.8]}},
//    "camera_effects": {"defocus": {"probability": 0, "sigma": [0.5, 2]},
//                       "noise": {"probability": 0, "sigma": [1, 6]},
//                       "jpeg": {"probability": 0, "quality": [40, 95]},
//                       "chromatic_aberration": {"probability": 0, "shift": [0.3, 1.5]}}}
//
// Yaw and pitch are offsets from frontal in radians; pitch is EG3D's
// LookAtPoseSampler vertical parameter (core/camera/orbit_camera.h), so a
// uniform pitch is what SynthForge's sampler draws. Shape and expression
// coefficients are uniform in their range (units of one standard deviation)
// for the first *_components of the model; more components than the model
// has simply means all of them. The jaw opens about the x axis; both eyes
// share one gaze direction.
//
// The "sampler" section picks how (seed, index) becomes a sample: i.i.d.
// (drawSample below, the default) or one of the samplers of
// core/generate/samplers/ (sampling_config.h lists its keys).
// Assets (core/generate/assets/) are on by default at everyday rates
// (glasses 15 %, headwear 10 %, clothing 30 %, hair 70 %, beard 15 %,
// facewear 5 %, eyebrows 80 %, eyelashes 90 %, stubble 15 %); set a
// frequency to 0 to leave a type out. They became the default with the
// procedural generator's version 2, which no version-1 dataset resumes under.
// A frequency is the probability that a sample wears the asset; colours are
// linear RGB drawn per channel between color_min and color_max.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/camera/orbit_camera.h"
#include "core/generate/samplers/sampling_config.h"
#include "core/generate/assets/asset_spec.h"
#include "core/generate/camera_effects.h"
#include "core/head/head_model.h"

namespace synthforge::generate {

constexpr int kSamplerConfigVersion = 1;
constexpr int kDefaultLatentDim = 512;

struct CameraSamplerConfig {
    Range yaw{-0.8, 0.8};
    Range pitch{-0.8, 0.8};
    Range eg3dFovDeg{18.0, 24.0};
    Range radius{camera::kDefaultRadius, camera::kDefaultRadius};
    Eigen::Vector3f pivot = camera::defaultPivot();
};

struct HeadSamplerConfig {
    int shapeComponents = 20;  ///< leading components: they carry most of the variance
    Range shapeRange{-2.0, 2.0};
    int exprComponents = 10;
    Range exprRange{-2.0, 2.0};
    Range jawOpen{0.0, 0.25};   ///< radians about x
    Range eyeYaw{-0.25, 0.25};  ///< radians about y, both eyes
    Range eyePitch{-0.15, 0.15};
};

struct AssetTypeConfig {
    double frequency = 0.0;  ///< probability per sample, 0..1
    Eigen::Vector3f colorMin{0.02f, 0.02f, 0.02f}, colorMax{0.6f, 0.6f, 0.6f};  ///< linear RGB per channel
    bool operator==(const AssetTypeConfig& o) const {
        return frequency == o.frequency && colorMin == o.colorMin && colorMax == o.colorMax;
    }
};

struct AssetsSamplerConfig {
    AssetTypeConfig glasses{0.15, {0.01f, 0.01f, 0.01f}, {0.35f, 0.25f, 0.2f}};
    AssetTypeConfig headwear{0.1, {0.02f, 0.02f, 0.02f}, {0.6f, 0.6f, 0.6f}};
    AssetTypeConfig clothing{0.3, {0.02f, 0.02f, 0.02f}, {0.7f, 0.7f, 0.7f}};
    AssetTypeConfig hair{0.7, {0.0f, 0.0f, 0.0f}, {1.0f, 1.0f, 1.0f}};      ///< colour from melanin instead
    AssetTypeConfig beard{0.15, {0.0f, 0.0f, 0.0f}, {1.0f, 1.0f, 1.0f}};     ///< colour from melanin instead
    AssetTypeConfig facewear{0.05, {0.03f, 0.03f, 0.03f}, {0.8f, 0.8f, 0.8f}};  ///< cloth masks; surgical ones are pale blue or white
    AssetTypeConfig eyebrows{0.8, {0.0f, 0.0f, 0.0f}, {1.0f, 1.0f, 1.0f}};  ///< colour from melanin instead
    AssetTypeConfig eyelashes{0.9, {0.01f, 0.01f, 0.01f}, {0.05f, 0.04f, 0.035f}};
    AssetTypeConfig stubble{0.15, {0.0f, 0.0f, 0.0f}, {1.0f, 1.0f, 1.0f}};   ///< colour from melanin instead
    Range browThickness{0.0005, 0.002};  ///< eyebrow shell thickness, metres
    Range lashLength{0.006, 0.011};      ///< longest upper lash, metres
    Range stubbleDensity{0.35, 0.9}, stubbleLength{0.0003, 0.001}, stubbleDarkness{0.35, 0.8};
    Range lensOpacity{0.1, 0.45};
    /// Hair and beard colour: eumelanin concentration (log-uniform) and
    /// pheomelanin (uniform), mapped to reflectance by hairColorFromMelanin.
    Range eumelanin{0.15, 10.0}, pheomelanin{0.0, 1.2};
    /// Bit k set: style k may be drawn (HairStyle / BeardStyle order).
    std::uint32_t hairStyles = (1u << kNumHairStyles) - 1, beardStyles = (1u << kNumBeardStyles) - 1;

    const AssetTypeConfig& of(AssetType t) const;
    AssetTypeConfig& of(AssetType t);
    /// True when every field has its default (the manifest then omits the section).
    bool isDefault() const;
    /// The defaults with every type's frequency 0: nothing is worn.
    static AssetsSamplerConfig none();
};

struct SamplerConfig {
    CameraSamplerConfig camera;
    HeadSamplerConfig head;
    int latentDim = kDefaultLatentDim;
    SamplingConfig sampling;  ///< which sampler draws (seed, index)
    AssetsSamplerConfig assets;
    CameraEffectsConfig cameraEffects;  ///< image-only effects (camera_effects.h)

    /// Throws std::invalid_argument naming the field ("camera.yaw: ...") for
    /// an inverted or non-finite range, FOV outside (0, 180), a radius that
    /// puts the camera at or inside the pivot, negative component counts or
    /// a latent dimension outside 1..65536, or bad sampler settings
    /// (SamplingConfig::validate).
    void validate() const;
};

/// Parses sampler config JSON (see the header comment). Errors are
/// std::runtime_error "<source>: <field>: <what>".
SamplerConfig parseSamplerConfigJson(const std::string& text, const std::string& source);
SamplerConfig loadSamplerConfig(const std::string& path);
/// Complete JSON of a config (every key), as recorded in a dataset manifest;
/// parses back to an equal config. The "sampler" section is left out for
/// the default i.i.d. sampler and the "assets" section when it holds the
/// defaults, so that manifests of plain datasets stay byte-identical to those
/// written before either existed (resume compares them).
std::string samplerConfigToJson(const SamplerConfig& config);

/// One drawn sample.
struct SampleSpec {
    std::uint64_t index = 0;
    head::HeadParams params;
    camera::OrbitCamera camera;
    Eigen::VectorXf z;  ///< latent code, standard normal, latentDim values
    std::optional<std::uint64_t> identity;  ///< set by the identity sampler
    std::vector<AssetSpec> assets;  ///< worn assets, in AssetType order
    CameraEffects effects;          ///< applied to the image only
};

/// Linear RGB reflectance of hair with these melanin concentrations: the
/// absorption of eumelanin (0.419, 0.697, 1.37) and pheomelanin
/// (0.187, 0.4, 1.05) per unit (d'Eon et al. 2011, Chiang et al. 2016),
/// through exp(-2 sigma_a): about 0.2 gives blond, 1-2 brown, 8+ black.
Eigen::Vector3f hairColorFromMelanin(double eumelanin, double pheomelanin);

/// Draws the assets of sample `index` (its own random stream: asset settings
/// never shift the head, camera or latent draws). Every type draws the same
/// number of values whether present or not, so changing one frequency does
/// not change another type's shape or colour.
std::vector<AssetSpec> drawAssets(const AssetsSamplerConfig& config, std::uint64_t seed, std::uint64_t index);

/// Draws sample `index` of the run with `seed` for `model`. Deterministic in
/// (config, model's basis sizes, seed, index).
SampleSpec drawSample(const SamplerConfig& config, const head::HeadModel& model, std::uint64_t seed,
                      std::uint64_t index);

}  // namespace synthforge::generate
