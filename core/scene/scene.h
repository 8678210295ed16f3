#pragma once
// A studio scene: everything that decides one generated sample (head model,
// head parameters, camera, latent code, image size, generator). Its JSON uses
// the same keys as a dataset sample's annotation (core/generate/dataset_layout.h),
// so any `annotations/000123.json` of a generated dataset opens as a scene:
//
//   {"format": "synthforge-scene", "version": 1, "head_model": "default",
//    "generator": "procedural", "z_seed": 7, "z": [...] (optional), "camera_params": [25],
//    "flame_shape": [...], "flame_exp": [...], "flame_pose": [15 or 6],
//    "yaw": 0, "pitch": 0, "fov_deg": 18, "radius": 2.7, "width": 512, "height": 512}
//
// Every key is optional when reading (an annotation has no "format"); unknown
// keys are ignored because annotations carry many (2d_kps, face_box, ...).
// The camera comes from yaw/pitch/fov_deg/radius when yaw and pitch are
// present, otherwise from camera_params through OrbitCamera::fromVector25.

#include <cstdint>
#include <string>

#include <Eigen/Core>

#include "core/camera/orbit_camera.h"
#include "core/generate/sampler.h"
#include "core/head/head_model.h"

namespace synthforge::scene {

constexpr int kSceneFormatVersion = 1;
constexpr int kMaxLatentDim = 65536;
constexpr int kMaxCoefficients = 10000;  ///< per flame_shape / flame_exp; FLAME has 300 + 100
constexpr int kMinImageSize = 16, kMaxImageSize = 4096;  ///< the CLI's --size range

struct Scene {
    std::string headModel = "default";  ///< "default" or a head model file
    std::string generator = "procedural";
    head::HeadParams params;
    camera::OrbitCamera camera;
    /// The latent code. Empty means "draw it from zSeed" (latent()), which
    /// keeps scene files small and lets the latent panel pick codes by number.
    Eigen::VectorXf z;
    std::uint64_t zSeed = 0;
    int width = 512, height = 512;
    /// Worn assets (docs/assets.md), in type order; "assets" in the file,
    /// the same objects a sample's annotation JSON lists.
    std::vector<generate::AssetSpec> assets;

    /// z when set, otherwise `dim` standard normals drawn exactly as the
    /// dataset sampler draws the latent of sample 0 of a run with seed zSeed.
    Eigen::VectorXf latent(int dim) const;
    /// The sampler's description of this scene, ready for SamplePipeline::render.
    generate::SampleSpec toSampleSpec(int latentDim) const;

    bool operator==(const Scene& o) const;
    bool operator!=(const Scene& o) const { return !(*this == o); }
};

/// Parses scene or annotation JSON. `source` names the origin in errors:
/// std::runtime_error "<source>: <field>: <what>" for malformed JSON, wrong
/// types, non-finite numbers, arrays of the wrong length or over the limits
/// above, sizes outside kMinImageSize..kMaxImageSize, an unknown format or
/// a newer version, and a camera_params that is not an orbit camera.
Scene parseSceneJson(const std::string& text, const std::string& source);
Scene loadScene(const std::string& path);
/// Pretty JSON with every key; parses back to an equal scene.
std::string sceneToJson(const Scene& scene);
/// Writes sceneToJson atomically (temporary file, then rename).
void saveScene(const Scene& scene, const std::string& path);

}  // namespace synthforge::scene
