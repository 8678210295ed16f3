// `synthforge align`: fits the FLAME -> generator-world correction against a
// generator's density (core/align/alignment_solver.h) and writes the fit
// directory (docs/alignment.md): alignment.json, alignment.safetensors and
// losses.csv, the last one row per step as it goes (the studio plots it).

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>

#include "app/cli/app_main.h"
#include "app/cli/commands.h"
#include "app/cli/pipeline_options.h"
#include "core/align/alignment_solver.h"
#include "core/generate/samplers/samplers.h"
#include "core/head/default_head/model_source.h"
#include "core/jobs/interrupt.h"
#include "core/jobs/terminal_progress.h"
#include "core/train/image_landmarks.h"

namespace synthforge::cli {

namespace {

namespace fs = std::filesystem;

struct AlignArgs {
    PipelineOptions pipeline;
    align::AlignmentOptions solver;
    std::string out, landmarkModel, progress = "auto";
};

int runAlign(const AlignArgs& a) {
    align::AlignmentOptions o = a.solver;
    generate::SamplePipeline p;
    auto model = std::make_shared<head::HeadModel>(head::loadHeadModel(a.pipeline.head));
    p.model = model;
    if (!a.pipeline.samplerConfig.empty()) p.sampler = generate::loadSamplerConfig(a.pipeline.samplerConfig);
    // The density does not depend on appearance: no label map needed.
    p.generator = makeGenerator(a.pipeline, model, cv::Mat());
    if (!a.pipeline.procedural()) p.sampler.latentDim = p.generator->capabilities().latentDim;
    if (!a.landmarkModel.empty()) {
        o.landmarks = train::makeImageLandmarkPredictor(a.landmarkModel, a.pipeline.device);
        if (o.weights.landmarks == 0.0) o.weights.landmarks = 0.2;
    }
    o.device = a.pipeline.device;
    if (!p.generator->capabilities().density)
        throw std::invalid_argument("--generator: " + p.generator->capabilities().name + " has no density to align against");
    if (a.pipeline.procedural())
        std::cerr << "note: the procedural generator's density is the mesh itself, so the fit should stay near the "
                     "identity; its density has no torch gradient, so the density term is off\n";

    fs::create_directories(a.out);
    const fs::path lossesPath = fs::path(a.out) / align::kAlignmentLosses;
    std::ofstream losses(lossesPath, std::ios::trunc);
    if (!losses) throw std::runtime_error(lossesPath.string() + ": cannot write");
    losses << "step,total,chamfer,density,depth,landmarks\n" << std::flush;

    std::unique_ptr<jobs::ProgressSink> sink = jobs::makeCliProgress(a.progress, stderr);
    jobs::CancelToken cancel;
    jobs::ScopedInterruptHandler interrupt(cancel);
    align::AlignmentFit fit;
    try {
        fit = align::solveAlignment(
            p, o,
            [&](const align::AlignmentStep& s) {
                losses << s.step << ',' << s.total << ',' << s.chamfer << ',' << s.density << ',' << s.depth << ','
                       << s.landmarks << '\n'
                       << std::flush;
            },
            sink.get(), &cancel);
    } catch (const jobs::Cancelled&) {
        std::cerr << "stopped: no fit written (" << lossesPath.string() << " holds the steps so far)\n";
        return 130;
    }
    fit.headName = a.pipeline.head;
    fit.generatorFile = a.pipeline.procedural() ? "" : fs::absolute(a.pipeline.generator).string();
    align::saveAlignmentFit(a.out, fit);

    std::cout << std::setprecision(5) << "fitted " << fit.generatorName << " on " << fit.samples << " samples in "
              << fit.steps << " steps; final loss " << fit.final.at("total") << " (chamfer " << fit.final.at("chamfer")
              << ", density " << fit.final.at("density") << ", depth " << fit.final.at("depth") << ", landmarks "
              << fit.final.at("landmarks") << ")\ncorrection (FLAME metres):\n";
    for (int r = 0; r < 3; ++r)
        std::cout << "  " << fit.correction(r, 0) << ' ' << fit.correction(r, 1) << ' ' << fit.correction(r, 2) << ' '
                  << fit.correction(r, 3) << '\n';
    for (const align::SampleResidual& r : fit.perSample)
        std::cout << "sample " << r.index << ": refinement moved landmarks " << r.residualPx << " px, vertices "
                  << r.vertexShiftMm << " mm\n";
    std::cout << "wrote " << (fs::path(a.out) / align::kAlignmentJson).string() << "\n";
    return 0;
}

}  // namespace

void registerAlignCommands(CLI::App& app) {
    auto a = std::make_shared<AlignArgs>();
    CLI::App* cmd = app.add_subcommand("align", torchCommandDescription("align"));
    cmd->add_option("--generator", a->pipeline.generator, "'procedural' or a TorchScript generator (.pt)")->capture_default_str();
    cmd->add_option("--head", a->pipeline.head, "Head model: 'default', a FLAME .pkl/.npz or our .safetensors")->capture_default_str();
    cmd->add_option("--sampler-config", a->pipeline.samplerConfig, "Sampler config JSON for the samples' heads and cameras")->type_name("FILE");
    cmd->add_option("--psi", a->pipeline.psi, "Truncation psi of a TorchScript generator")->capture_default_str()->check(CLI::Range(0.01f, 2.0f));
    cmd->add_option("--device", a->pipeline.device, "cpu, cuda or auto")->capture_default_str();
    cmd->add_option("--out", a->out, "Fit directory to write")->required()->type_name("DIR");
    cmd->add_option("--samples", a->solver.samples, "Samples drawn (seed, 0..N-1)")->capture_default_str()->check(CLI::Range(1, 10000));
    cmd->add_option("--seed", a->solver.seed, "Seed of the samples' draws")->capture_default_str();
    cmd->add_option("--steps", a->solver.steps, "Adam steps of the shared affine fit")->capture_default_str()->check(CLI::Range(0, 100000));
    cmd->add_option("--lr", a->solver.lr, "Adam step size (cosine decay to 1/20)")->capture_default_str();
    cmd->add_flag("--per-sample", a->solver.perSample, "Also refine each sample's shape and expression, with a residual report");
    cmd->add_option("--per-sample-steps", a->solver.perSampleSteps, "Adam steps per sample")->capture_default_str()->check(CLI::Range(0, 100000));
    cmd->add_option("--grid", a->solver.gridResolution, "Cells along the head box's longest side for the density's iso-surface")
        ->capture_default_str()->check(CLI::Range(8, 512));
    cmd->add_option("--w-chamfer", a->solver.weights.chamfer, "Weight: mesh -> iso-surface distance")->capture_default_str();
    cmd->add_option("--w-density", a->solver.weights.density, "Weight: vertices on the density's iso-level")->capture_default_str();
    cmd->add_option("--w-depth", a->solver.weights.depth, "Weight: our z-buffer against the generator's depth")->capture_default_str();
    cmd->add_option("--w-landmarks", a->solver.weights.landmarks, "Weight: projected vs predicted landmarks, per pixel (0.2 with --landmark-model)")->capture_default_str();
    cmd->add_option("--landmark-model", a->landmarkModel, "A trained run whose predicted landmarks the projections are compared with")->type_name("RUN");
    cmd->add_option("--progress", a->progress, "auto, bar, json or none")->capture_default_str();
    cmd->callback([a] {
        const int rc = runAlign(*a);
        if (rc != 0) std::exit(rc);
    });
}

}  // namespace synthforge::cli
