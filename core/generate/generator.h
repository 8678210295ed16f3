#pragma once
// The pluggable image generator: head geometry, a camera and a latent code
// in, an RGB image and a depth map out (docs/design.md, core/generate).
//
// Built for a 3D-aware GAN such as Next3D exported to TorchScript as much as
// for the procedural default: calls take batches, a generator runs on a
// device, and capability flags say what it can do (density queries, CUDA,
// concurrent calls). Public headers stay free of torch; a TorchScript
// generator keeps its tensors in its .cpp.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <opencv2/core/mat.hpp>

#include "core/camera/orbit_camera.h"
#include "core/head/head_model.h"
#include "core/raster/rasterizer.h"

namespace synthforge::generate {

enum class Device { Cpu, Cuda };

/// Parses "cpu", "cuda" or "auto" ("auto": CUDA when `cudaAvailable`).
/// Throws std::invalid_argument naming the accepted values otherwise.
Device parseDevice(const std::string& text, bool cudaAvailable);
std::string deviceName(Device d);

struct GeneratorCapabilities {
    std::string name;           ///< e.g. "procedural" or "next3d-torchscript"
    std::string version;        ///< changes whenever the same inputs would give other pixels
    int latentDim = 512;        ///< length of z
    int preferredBatch = 1;     ///< batch size that uses the device well
    bool density = false;       ///< answers density()
    float densityLevel = 0.0f;  ///< sigma on the surface (the iso-level alignment uses); 0 without density
    /// The generator's own FLAME metres -> world map, before any fitted
    /// correction (a TorchScript generator's metadata; docs/design.md's map otherwise).
    Eigen::Matrix4f flameToWorld = camera::flameToWorldMatrix();
    bool threadSafe = false;    ///< generate() may run on several threads at once
    std::vector<Device> devices{Device::Cpu};
};

/// One item of a batch. Pointers must stay valid during the call.
struct GeneratorInput {
    const Eigen::VectorXf* z = nullptr;          ///< latent code, latentDim values
    const head::RowMatX3f* vertices = nullptr;   ///< posed head, FLAME metres (HeadPose::vertices)
    camera::PinholeCamera camera;                ///< generator-world camera (docs/design.md)
    /// Optional: a raster of exactly these vertices, camera and output size
    /// (the annotations' raster). Generators that rasterise the mesh may
    /// reuse it instead of rasterising again; others ignore it.
    const raster::RasterResult* coverage = nullptr;
    /// Optional, width x height row-major: 1 where the image will be painted
    /// over afterwards (opaque assets). A generator may skip shading those
    /// pixels; others ignore it.
    const std::vector<std::uint8_t>* paintedOver = nullptr;
};

struct GeneratorOutput {
    cv::Mat image;  ///< CV_8UC3, BGR (OpenCV order), width x height
    cv::Mat depth;  ///< CV_32FC1 camera z in generator units, 0 = background (may be empty)
};

/// The light a generator rendered one input with, so that what is
/// composited over its image (assets) can be lit the same way. Linear RGB
/// with the generator's exposure applied; directions in the camera's axes
/// (OpenCV: x right, y down, z forward).
struct SceneLight {
    Eigen::Vector3f toKey{0.0f, 0.0f, -1.0f};  ///< unit, toward the key light
    Eigen::Vector3f keyColor{1.0f, 1.0f, 1.0f};
    Eigen::Vector3f ambient{0.3f, 0.3f, 0.3f};  ///< the surroundings' light on a surface facing the camera
};

class Generator {
public:
    virtual ~Generator() = default;
    virtual GeneratorCapabilities capabilities() const = 0;
    /// Renders every input at width x height. Throws std::invalid_argument
    /// for a z of the wrong length, vertices that do not fit the generator's
    /// head model, or a bad size.
    virtual std::vector<GeneratorOutput> generate(const std::vector<GeneratorInput>& batch, int width,
                                                  int height) const = 0;
    /// Volume density sigma at generator-world points for one input's head
    /// and latent (the field the mesh is aligned against). The default
    /// throws std::logic_error: check capabilities().density first.
    virtual std::vector<float> density(const GeneratorInput& input,
                                       const Eigen::Ref<const camera::Points3f>& worldPoints) const;
    /// The light generate() uses for `input`, or nothing for a generator
    /// whose light is implicit (a GAN): compositing then keeps its own.
    virtual std::optional<SceneLight> sceneLight(const GeneratorInput& input) const;
    /// The hair colour the generator itself paints on a bald scalp for latent
    /// `z` (linear RGB), or nothing: without a hair asset, brows, beard and
    /// stubble take it, so they match the scalp.
    virtual std::optional<Eigen::Vector3f> paintedHairColor(const Eigen::VectorXf& z) const;
};

}  // namespace synthforge::generate
