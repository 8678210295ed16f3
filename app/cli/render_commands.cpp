// `synthforge head render`: a shaded preview of a posed head through an orbit
// camera, with optional landmark and wireframe overlays.

#include <cmath>
#include <initializer_list>
#include <iomanip>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "app/cli/commands.h"
#include "core/camera/orbit_camera.h"
#include "core/head/default_head/model_source.h"
#include "core/head/head_model_io.h"
#include "core/head/head_params_io.h"
#include "app/cli/param_options.h"
#include "core/head/lbs.h"
#include "core/io/file_util.h"
#include "core/raster/shaded_render.h"

namespace synthforge::cli {

namespace {

constexpr float kDegToRad = 3.14159265358979323846f / 180.0f;

struct RenderArgs {
    std::string model, out;
    ParamOptions params;
    float yawDeg = 0.0f, pitchDeg = 0.0f, fovDeg = camera::kDefaultEg3dFovDeg, radius = camera::kDefaultRadius;
    int size = 512;
    int threads = 0;
    bool landmarks = false, wireframe = false, flat = false, regions = false;
};

/// Per-vertex colours from the model's named regions (FLAME_masks names and
/// the default head's), so eyes, lips and brows can be seen in a render
/// without a texture. Later entries win: broad regions first.
raster::Vertices regionColors(const head::HeadModel& model) {
    static const std::pair<const char*, Eigen::Vector3f> kPalette[] = {
        {"mouth_interior", {0.35f, 0.05f, 0.06f}}, {"lips", {0.62f, 0.22f, 0.22f}},
        {"left_eyeball", {0.92f, 0.90f, 0.86f}},   {"right_eyeball", {0.92f, 0.90f, 0.86f}},
        {"left_iris", {0.25f, 0.42f, 0.55f}},      {"right_iris", {0.25f, 0.42f, 0.55f}},
        {"left_pupil", {0.02f, 0.02f, 0.02f}},     {"right_pupil", {0.02f, 0.02f, 0.02f}},
    };
    const raster::ShadedRenderOptions defaults;
    raster::Vertices colors = defaults.albedo.transpose().replicate(model.numVertices(), 1);
    for (const auto& [name, color] : kPalette) {
        auto it = model.regions.find(name);
        if (it == model.regions.end()) continue;
        for (std::int32_t v : it->second) colors.row(v) = color.transpose();
    }
    return colors;
}

void runRender(const RenderArgs& a) {
    const std::initializer_list<std::pair<float, const char*>> numbers = {
        {a.yawDeg, "--yaw"}, {a.pitchDeg, "--pitch"}, {a.fovDeg, "--fov"}, {a.radius, "--radius"}};
    for (const auto& [v, name] : numbers)
        if (!std::isfinite(v)) throw std::invalid_argument(std::string(name) + ": not a finite number");
    if (!(a.fovDeg > 0.0f && a.fovDeg < 180.0f)) throw std::invalid_argument("--fov: must be within (0, 180) degrees");
    if (!(a.radius > 0.0f)) throw std::invalid_argument("--radius: must be positive");

    const head::HeadModel model = head::loadHeadModel(a.model);
    head::ForwardOptions fo;
    fo.landmarks = a.landmarks;
    const head::HeadPose posed = head::forward(model, a.params.resolve(), fo);

    camera::OrbitCamera cam;
    cam.yaw = a.yawDeg * kDegToRad;
    cam.pitch = a.pitchDeg * kDegToRad;
    cam.eg3dFovDeg = a.fovDeg;
    cam.radius = a.radius;

    raster::ShadedRenderOptions ro;
    ro.width = ro.height = a.size;
    ro.wireframe = a.wireframe;
    ro.smoothNormals = !a.flat;
    ro.threads = a.threads;
    if (a.regions) ro.vertexColors = regionColors(model);
    if (a.landmarks) {
        if (posed.landmarks.rows() == 0)
            throw std::runtime_error(a.model + ": landmarks: the model has no landmark embedding "
                                     "(attach one with `head convert --landmarks`)");
        ro.landmarks = posed.landmarks;
    }
    const raster::ShadedRender r = raster::renderShaded(posed.vertices, model.faces, cam, ro);

    std::vector<unsigned char> png;
    if (!cv::imencode(".png", r.image, png)) throw std::runtime_error(a.out + ": PNG encoding failed");
    io::writeFileAtomic(a.out, png.data(), png.size());

    int covered = 0;
    for (const auto id : r.raster.triangleId) covered += id >= 0;
    std::cout << "wrote " << a.out << " (" << a.size << "x" << a.size << ", " << covered << " head pixels)\n"
              << std::fixed << std::setprecision(2) << "  camera yaw " << a.yawDeg << " deg, pitch " << a.pitchDeg
              << " deg, EG3D fov " << a.fovDeg << " deg (true vertical " << cam.verticalFovDeg() << " deg), radius "
              << a.radius << "\n";
    if (a.landmarks) {
        int visible = 0;
        for (bool v : r.landmarkVisible) visible += v;
        std::cout << "  landmarks " << r.landmarkVisible.size() << " (" << visible << " visible)\n";
    }
}

}  // namespace

void registerRenderCommands(CLI::App& app) {
    CLI::App* headCmd = headGroup(app);

    auto a = std::make_shared<RenderArgs>();
    CLI::App* render = headCmd->add_subcommand("render", "Render a posed head through an orbit camera to a shaded PNG");
    render->add_option("MODEL", a->model, "Head model: .safetensors, FLAME .pkl/.npz, or 'default'")->required();
    render->add_option("-o,--output", a->out, "Output PNG")->required();
    a->params.addTo(render);
    render->add_option("--yaw", a->yawDeg, "Camera yaw offset from frontal in degrees (> 0: toward the subject's left)")
        ->capture_default_str();
    render->add_option("--pitch", a->pitchDeg, "Camera pitch offset from frontal in degrees, EG3D convention (> 0: from below)")
        ->capture_default_str();
    render->add_option("--fov", a->fovDeg, "EG3D field of view in degrees")->capture_default_str();
    render->add_option("--radius", a->radius, "Camera distance from the generator-world origin")->capture_default_str();
    render->add_option("--size", a->size, "Image width and height in pixels")->check(CLI::Range(16, 8192))->capture_default_str();
    render->add_option("--threads", a->threads, "Rasteriser threads (0: all cores)")->check(CLI::NonNegativeNumber);
    render->add_flag("--landmarks", a->landmarks, "Overlay the 68 landmarks with their indices (green visible, red hidden)");
    render->add_flag("--wireframe", a->wireframe, "Overlay the visible triangle edges");
    render->add_flag("--flat", a->flat, "Flat (per-face) shading instead of smooth normals");
    render->add_flag("--regions", a->regions, "Colour named regions (eyes with iris and pupil, lips, mouth)");
    render->callback([a] { runRender(*a); });
}

}  // namespace synthforge::cli
