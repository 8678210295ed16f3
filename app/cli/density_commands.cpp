// `synthforge density`: samples the procedural generator's density for one
// sample on a grid around its head, extracts the iso-surface by marching
// cubes and measures it against the posed mesh both ways. Writes
// isosurface.<ext>, mesh.<ext> (the posed head in the same generator-world
// units) and distances.json, and prints a short report.

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/pipeline_options.h"
#include "core/align/density_grid.h"
#include "core/align/marching_cubes.h"
#include "core/align/surface_distance.h"
#include "core/generate/mesh_density.h"
#include "core/generate/procedural_generator.h"
#include "core/generate/samplers/samplers.h"
#include "core/head/default_head/model_source.h"
#include "core/head/lbs.h"
#include "core/io/file_util.h"
#include "core/io/mesh_io.h"
#include "core/jobs/interrupt.h"
#include "core/jobs/terminal_progress.h"

namespace synthforge::cli {

namespace {

namespace fs = std::filesystem;

struct DensityArgs {
    std::string head = "default", samplerConfig, out, format = "obj", progress = "auto";
    std::uint64_t seed = 0, index = 0;
    int resolution = 96, threads = 0;
    float cellSize = 0.0f, margin = 0.05f;
    float level = std::numeric_limits<float>::quiet_NaN();
    bool openBorder = false;
    PipelineOptions generator;  ///< --generator, --device, --psi, --alignment
};

nlohmann::json statsJson(const align::DistanceStats& s, float cell) {
    return {{"count", s.count},  {"mean", s.mean},         {"median", s.median},         {"p95", s.p95},
            {"max", s.max},      {"mean_cells", s.mean / cell}, {"p95_cells", s.p95 / cell}, {"max_cells", s.max / cell}};
}

std::string statsLine(const align::DistanceStats& s, float cell) {
    std::ostringstream o;
    o << std::setprecision(3) << "mean " << s.mean << " (" << s.mean / cell << " cells), median " << s.median
      << ", p95 " << s.p95 << " (" << s.p95 / cell << " cells), max " << s.max << " (" << s.max / cell << " cells)";
    return o.str();
}

int runDensity(const DensityArgs& a) {
    auto model = std::make_shared<head::HeadModel>(head::loadHeadModel(a.head));
    // The density does not depend on appearance, so the generator needs no
    // label map here.
    generate::SamplePipeline p;
    p.model = model;
    p.generator = makeGenerator(a.generator, model, cv::Mat());
    const generate::Generator& generator = *p.generator;
    const generate::GeneratorCapabilities caps = generator.capabilities();
    if (!a.generator.alignment.empty()) applyAlignment(a.generator.alignment, p);
    generate::SamplerConfig config;
    if (!a.samplerConfig.empty()) config = generate::loadSamplerConfig(a.samplerConfig);
    if (!a.generator.procedural()) config.latentDim = caps.latentDim;
    const generate::SampleSpec spec = generate::makeSampler(config, model)->draw(a.seed, a.index);
    const head::HeadPose pose = head::forward(*model, spec.params);
    // The mesh measured against the density: corrected by the fit, if any.
    head::HeadPose aligned = pose;
    if (p.correction) head::transformPose(*p.correction, aligned);

    generate::GeneratorInput in;
    in.z = &spec.z;
    in.vertices = &pose.vertices;
    in.camera = spec.camera.pinhole();

    align::GridSpec grid;
    grid.bounds = align::boundsAround(camera::transformPoints(caps.flameToWorld, aligned.vertices), a.margin);
    grid.resolution = a.resolution;
    grid.cellSize = a.cellSize;
    const float surfaceLevel = caps.densityLevel;
    const float level = std::isnan(a.level) ? surfaceLevel : a.level;

    jobs::CancelToken cancel;
    jobs::ScopedInterruptHandler interrupt(cancel);
    std::unique_ptr<jobs::ProgressSink> sink = jobs::makeCliProgress(a.progress, stderr);
    align::SampleOptions sampling;
    sampling.threads = a.threads;
    sampling.slabsPerCall = 0;  // the procedural density rebuilds its triangle grid per call
    align::ScalarGrid field;
    try {
        field = align::sampleDensity(generator, in, grid, sampling, sink.get(), &cancel);
    } catch (const jobs::Cancelled&) {
        std::cerr << "stopped: nothing written\n";
        return 130;
    }
    align::IsoSurfaceOptions isoOptions;
    isoOptions.closeAtBorder = !a.openBorder;
    const align::IsoSurface iso = align::marchingCubes(field, level, isoOptions);
    if (iso.empty()) throw std::runtime_error("--level: " + iso.message + "; nothing written");

    io::TriMesh mesh;
    mesh.positions = camera::transformPoints(caps.flameToWorld, aligned.vertices);
    mesh.faces = model->faces;
    const align::MeshDistances d = align::meshDistances(mesh, iso.mesh, a.threads);

    fs::create_directories(a.out);
    const std::string isoPath = (fs::path(a.out) / ("isosurface." + a.format)).string();
    const std::string meshPath = (fs::path(a.out) / ("mesh." + a.format)).string();
    const std::string jsonPath = (fs::path(a.out) / "distances.json").string();
    io::exportMesh(isoPath, iso.mesh);
    io::exportMesh(meshPath, mesh);

    const float cell = field.spacing;
    nlohmann::json j;
    j["format"] = "synthforge-density-check";
    j["version"] = 1;
    j["units"] = "generator world";
    j["generator"] = {{"name", caps.name}, {"version", caps.version}};
    j["alignment"] = a.generator.alignment.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.generator.alignment);
    j["head"] = a.head;
    j["seed"] = a.seed;
    j["index"] = a.index;
    j["grid"] = {{"dims", {field.dims.x(), field.dims.y(), field.dims.z()}},
                 {"origin", {field.origin.x(), field.origin.y(), field.origin.z()}},
                 {"cell", cell},
                 {"field_range", {iso.fieldMin, iso.fieldMax}}};
    j["level"] = level;
    j["surface_level"] = surfaceLevel;
    j["isosurface"] = {{"file", fs::path(isoPath).filename().string()},
                       {"vertices", iso.mesh.positions.rows()},
                       {"faces", iso.mesh.faces.rows()},
                       {"closed_at_border", isoOptions.closeAtBorder},
                       {"area", align::meshArea(iso.mesh)},
                       {"volume", align::signedVolume(iso.mesh)}};
    j["mesh"] = {{"file", fs::path(meshPath).filename().string()}, {"vertices", mesh.positions.rows()}};
    j["mesh_to_surface"] = statsJson(d.aToBStats, cell);
    j["mesh_to_surface"]["per_vertex"] = d.aToB;
    j["surface_to_mesh"] = statsJson(d.bToAStats, cell);
    j["chamfer"] = d.chamfer;
    io::writeFileAtomic(jsonPath, j.dump(1) + "\n");

    std::cout << std::setprecision(4) << "density grid " << field.dims.x() << " x " << field.dims.y() << " x "
              << field.dims.z() << " points, cell " << cell << " generator units; values " << iso.fieldMin << " .. "
              << iso.fieldMax << "\n"
              << "level " << level << (std::isnan(a.level) ? " (the generator's surface level)" : "") << "\n"
              << "iso-surface: " << iso.mesh.positions.rows() << " vertices, " << iso.mesh.faces.rows()
              << " triangles -> " << isoPath << "\n"
              << "mesh -> iso-surface: " << statsLine(d.aToBStats, cell) << "\n"
              << "iso-surface -> mesh: " << statsLine(d.bToAStats, cell) << "\n"
              << "chamfer " << d.chamfer << " (" << d.chamfer / cell << " cells); wrote " << meshPath << " and "
              << jsonPath << "\n";
    return 0;
}

}  // namespace

void registerDensityCommands(CLI::App& app) {
    auto a = std::make_shared<DensityArgs>();
    CLI::App* cmd = app.add_subcommand(
        "density", "Sample the generator's density around a sample's head, extract its iso-surface and measure it against the mesh");
    cmd->add_option("--out", a->out, "Output folder (isosurface.<format>, mesh.<format>, distances.json)")
        ->required()
        ->type_name("DIR");
    cmd->add_option("--head", a->head, "Head model: 'default', a FLAME .pkl/.npz or our .safetensors")
        ->capture_default_str()
        ->type_name("FILE");
    cmd->add_option("--sampler-config", a->samplerConfig, "Sampler config JSON (camera, head and latent ranges)")
        ->type_name("FILE");
    cmd->add_option("--seed", a->seed, "Seed of the run the sample belongs to")->capture_default_str();
    cmd->add_option("--generator", a->generator.generator, "'procedural' or a TorchScript generator (.pt)")->capture_default_str();
    cmd->add_option("--device", a->generator.device, "cpu, cuda or auto")->capture_default_str();
    cmd->add_option("--psi", a->generator.psi, "Truncation psi of a TorchScript generator")->capture_default_str()
        ->check(CLI::Range(0.01f, 2.0f));
    cmd->add_option("--alignment", a->generator.alignment, "Fit directory of `synthforge align`: measure the corrected mesh")
        ->type_name("DIR");
    cmd->add_option("--index", a->index, "Sample index")->capture_default_str();
    cmd->add_option("--resolution", a->resolution, "Grid cells along the head box's longest side")
        ->capture_default_str()
        ->check(CLI::Range(2, align::kMaxCellsPerAxis));
    cmd->add_option("--cell-size", a->cellSize, "Grid cell edge in generator units (overrides --resolution)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--margin", a->margin, "Space around the head's box, in generator units")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--level", a->level, "Iso-level of the density (default: the surface density 1/(2 beta))");
    cmd->add_option("--format", a->format, "Mesh file format")
        ->capture_default_str()
        ->check(CLI::IsMember({"obj", "ply", "gltf", "glb"}));
    cmd->add_flag("--open-border", a->openBorder, "Leave the surface open where it meets the grid's border (default: capped)");
    cmd->add_option("--threads", a->threads, "Threads for sampling and distances (0: all cores)")
        ->capture_default_str()
        ->check(CLI::Range(0, 256));
    cmd->add_option("--progress", a->progress, "auto, bar, json or none")->capture_default_str();
    cmd->callback([a] {
        const int rc = runDensity(*a);
        if (rc != 0) std::exit(rc);  // 130: stopped by Ctrl+C, as `generate`
    });
}

}  // namespace synthforge::cli
