// `synthforge explore`: look at the space a dataset is sampled from.
//   explore grid --rows AXIS:FROM:TO:N --cols AXIS:FROM:TO:N --out grid.png
//   explore interp A.json B.json --frames N --out DIR
//   explore coverage DATASET [DATASET2] --out DIR
// (core/generate/explore/latent_grid.h, core/scene/interpolation_export.h,
// core/dataset/coverage.h; docs/explore.md)

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <cstdio>
#include <iostream>
#include <memory>
#include <numeric>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "app/cli/commands.h"
#include "app/cli/pipeline_options.h"
#include "core/annotate/class_table.h"
#include "core/dataset/coverage.h"
#include "core/dataset/coverage_heatmap.h"
#include "core/dataset/folder_coverage.h"
#include "core/dataset/dataset_manifest.h"
#include "core/dataset/folder_layout.h"
#include "core/head/default_head/model_source.h"
#include "core/generate/dataset_layout.h"
#include "core/generate/explore/latent_grid.h"
#include "core/io/file_util.h"
#include "core/io/png_writer.h"
#include "core/jobs/terminal_progress.h"
#include "core/scene/scene.h"
#include "core/scene/interpolation_export.h"

namespace synthforge::cli {

namespace {

namespace fs = std::filesystem;

struct GridArgs {
    PipelineOptions pipeline;
    std::string rows, cols, out, overlay = "none", progress = "auto";
    std::uint64_t seed = 0, index = 0;
    int workers = 0;
};

void runGrid(const GridArgs& a) {
    generate::GridRequest g;
    g.rows = generate::GridAxis::parse(a.rows, "--rows");
    g.cols = generate::GridAxis::parse(a.cols, "--cols");
    g.seed = a.seed;
    g.index = a.index;
    g.overlay = a.overlay;
    std::string notes;
    const generate::SamplePipeline p = a.pipeline.build(&notes);
    std::cerr << notes;
    std::unique_ptr<jobs::ProgressSink> sink = jobs::makeCliProgress(a.progress, stderr);
    const generate::GridCells cells = generate::renderGrid(p, g, a.workers, sink.get());
    io::writePngFile(a.out, generate::gridSheet(p, g, cells));
    std::cout << "wrote " << a.out << " (" << cells.rows << " x " << cells.cols << " cells of " << p.width << " px: rows "
              << g.rows.name() << ", columns " << g.cols.name() << ")\n";
}

// ------------------------------------------------------------------ interp

struct InterpArgs {
    std::string from, to, out, video, progress = "auto";
    int frames = 16;
    double fps = 24;
};

void runInterp(const InterpArgs& a) {
    scene::InterpolationExport o;
    o.frames = a.frames;
    o.outDir = a.out;
    o.video = a.video;
    o.fps = a.fps;
    std::unique_ptr<jobs::ProgressSink> sink = jobs::makeCliProgress(a.progress, stderr);
    scene::exportInterpolation(scene::loadScene(a.from), scene::loadScene(a.to), o, sink.get());
    std::cout << "wrote " << a.frames << " frames (frame_NNNN.png and .json) to " << a.out << "\n";
    if (!a.video.empty()) std::cout << "wrote " << a.video << " (" << a.fps << " fps)\n";
}

// ---------------------------------------------------------------- coverage

constexpr int kCell = 24;  // heat-map pixels per pose bin

cv::Mat posePlot(const std::vector<dataset::Coverage>& all, const dataset::CoverageOptions& o) {
    const int margin = 40, gap = 20;
    const int w = all[0].yawBins * kCell, h = all[0].pitchBins * kCell;
    cv::Mat plot(h + 2 * margin, static_cast<int>(all.size()) * (w + gap) - gap + 2 * margin, CV_8UC3,
                 cv::Scalar(255, 255, 255));
    for (std::size_t i = 0; i < all.size(); ++i) {
        const int x0 = margin + static_cast<int>(i) * (w + gap);
        dataset::coverageHeatMap(all[i], kCell).copyTo(plot(cv::Rect(x0, margin, w, h)));
        cv::putText(plot, fs::path(all[i].dataset).filename().string() + " (" + std::to_string(all[i].samples) + ")",
                    {x0, margin - 12}, cv::FONT_HERSHEY_SIMPLEX, 0.45, {0, 0, 0}, 1, cv::LINE_AA);
        std::ostringstream axes;
        axes << "yaw " << -o.yawRangeDeg << ".." << o.yawRangeDeg << " (right), pitch " << -o.pitchRangeDeg << ".."
             << o.pitchRangeDeg << " (up), degrees";
        cv::putText(plot, axes.str(), {x0, margin + h + 18}, cv::FONT_HERSHEY_SIMPLEX, 0.4, {0, 0, 0}, 1, cv::LINE_AA);
        // The zero lines.
        cv::line(plot, {x0 + w / 2, margin}, {x0 + w / 2, margin + h}, {255, 255, 255}, 1);
        cv::line(plot, {x0, margin + h / 2}, {x0 + w, margin + h / 2}, {255, 255, 255}, 1);
    }
    return plot;
}

/// The first two coefficients of every sample, one colour per dataset, +-3 on both axes.
cv::Mat scatterPlot(const std::vector<dataset::Coverage>& all, bool shape) {
    const int size = 400, margin = 30;
    cv::Mat plot(size + 2 * margin, size + 2 * margin, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::rectangle(plot, {margin, margin}, {margin + size, margin + size}, {160, 160, 160});
    cv::line(plot, {margin + size / 2, margin}, {margin + size / 2, margin + size}, {210, 210, 210});
    cv::line(plot, {margin, margin + size / 2}, {margin + size, margin + size / 2}, {210, 210, 210});
    const cv::Scalar colours[] = {{200, 90, 30}, {40, 60, 220}};
    for (std::size_t i = 0; i < all.size(); ++i)
        for (const auto& p : shape ? all[i].shapeScatter : all[i].exprScatter) {
            if (p.size() < 2) continue;
            const int x = margin + static_cast<int>((p[0] + 3.0) / 6.0 * size);
            const int y = margin + size - static_cast<int>((p[1] + 3.0) / 6.0 * size);
            if (x >= margin && x <= margin + size && y >= margin && y <= margin + size)
                cv::circle(plot, {x, y}, 2, colours[i % 2], cv::FILLED, cv::LINE_AA);
        }
    const std::string what = shape ? "shape" : "expression";
    cv::putText(plot, what + " coefficient 0 (x) and 1 (y), -3..3", {margin, margin - 10}, cv::FONT_HERSHEY_SIMPLEX, 0.45,
                {0, 0, 0}, 1, cv::LINE_AA);
    return plot;
}

struct CoverageArgs {
    std::vector<std::string> datasets;
    std::string out, progress = "auto", head = "default";
    dataset::CoverageOptions options;
};

void runCoverage(const CoverageArgs& a) {
    if (a.datasets.empty() || a.datasets.size() > 2) throw std::invalid_argument("DATASET: give one or two dataset folders");
    std::vector<dataset::Coverage> all;
    std::unique_ptr<jobs::ProgressSink> sink = jobs::makeCliProgress(a.progress, stderr);
    std::shared_ptr<const head::HeadModel> model;
    auto headModel = [&]() -> const head::HeadModel& {
        if (!model) model = std::make_shared<head::HeadModel>(head::loadHeadModel(a.head));
        return *model;
    };
    std::vector<dataset::FolderLayout> layouts;
    for (const std::string& d : a.datasets) {
        layouts.push_back(dataset::detectFolderLayout(d));
        all.push_back(dataset::computeFolderCoverage(d, headModel, a.options, sink.get()));
    }
    fs::create_directories(a.out);
    const fs::path out(a.out);
    for (std::size_t i = 0; i < all.size(); ++i)
        io::writeFileAtomic((out / ("coverage" + std::string(i ? "_2" : "") + ".json")).string(),
                            dataset::coverageJson(all[i], a.options));
    // CSV: one row per pose bin (lower edges in degrees), one count column per dataset.
    std::ostringstream pose;
    pose << "yaw_deg,pitch_deg";
    for (std::size_t i = 0; i < all.size(); ++i) pose << ",count" << (i ? "_2" : "");
    pose << "\n";
    for (int y = 0; y < all[0].pitchBins; ++y)
        for (int x = 0; x < all[0].yawBins; ++x) {
            pose << -a.options.yawRangeDeg + x * a.options.binDeg << ',' << -a.options.pitchRangeDeg + y * a.options.binDeg;
            for (const auto& c : all) pose << ',' << c.yawPitch[static_cast<std::size_t>(y) * c.yawBins + x];
            pose << "\n";
        }
    io::writeFileAtomic((out / "yaw_pitch.csv").string(), pose.str());
    std::ostringstream classes;
    // Benchmarks' classes are counted under our default ids.
    const std::shared_ptr<const annotate::ClassTable> manifestClasses =
        layouts[0] == dataset::FolderLayout::SynthForge ? dataset::readDatasetManifest(a.datasets[0]).classes : nullptr;
    const annotate::ClassTable& table = manifestClasses ? *manifestClasses : annotate::ClassTable::defaultTable();
    classes << "id,name";
    for (std::size_t i = 0; i < all.size(); ++i) classes << ",share" << (i ? "_2" : "");
    classes << "\n";
    std::vector<std::uint64_t> totals;
    for (const auto& c : all) totals.push_back(std::accumulate(c.classPixels.begin(), c.classPixels.end(), std::uint64_t{0}));
    for (int k = 0; k < 256; ++k) {
        bool any = false;
        for (const auto& c : all) any = any || c.classPixels[static_cast<std::size_t>(k)] > 0;
        if (!any) continue;
        const annotate::ClassEntry* e = table.findById(k);
        classes << k << ',' << (e ? e->name : "class_" + std::to_string(k));
        for (std::size_t i = 0; i < all.size(); ++i)
            classes << ',' << std::setprecision(6)
                    << (totals[i] ? double(all[i].classPixels[static_cast<std::size_t>(k)]) / totals[i] : 0.0);
        classes << "\n";
    }
    io::writeFileAtomic((out / "classes.csv").string(), classes.str());
    io::writePngFile((out / "yaw_pitch.png").string(), posePlot(all, a.options));
    io::writePngFile((out / "shape.png").string(), scatterPlot(all, true));
    io::writePngFile((out / "expression.png").string(), scatterPlot(all, false));
    std::cout << "wrote coverage of " << all[0].samples << " samples";
    if (all.size() == 2) std::cout << " and " << all[1].samples;
    std::cout << " to " << a.out << " (coverage*.json, yaw_pitch.csv/.png, classes.csv, shape.png, expression.png)\n";
}

}  // namespace

void registerExploreCommands(CLI::App& app) {
    CLI::App* explore = app.add_subcommand("explore", "Look at the sampled space: grids of renders, dataset coverage");
    explore->require_subcommand(1);

    auto g = std::make_shared<GridArgs>();
    CLI::App* grid = explore->add_subcommand("grid", "A grid of renders sweeping two parameters of one sample");
    grid->add_option("--rows", g->rows, "Row axis AXIS:FROM:TO:N (yaw, pitch, jaw in radians; fov in degrees; shape:K, expr:K; seed)")
        ->required();
    grid->add_option("--cols", g->cols, "Column axis AXIS:FROM:TO:N")->required();
    grid->add_option("--out", g->out, "Contact sheet PNG")->required()->type_name("FILE");
    grid->add_option("--seed", g->seed, "Seed of the base sample")->capture_default_str();
    grid->add_option("--index", g->index, "Index of the base sample")->capture_default_str();
    grid->add_option("--overlay", g->overlay, "none, landmarks or segmentation")
        ->capture_default_str()
        ->check(CLI::IsMember({"none", "landmarks", "segmentation"}));
    grid->add_option("--workers", g->workers, "Render threads (0: all cores)")->capture_default_str()->check(CLI::Range(0, 256));
    grid->add_option("--progress", g->progress, "auto, bar, json or none")->capture_default_str();
    g->pipeline.size = 256;
    g->pipeline.addTo(*grid);
    grid->callback([g] { runGrid(*g); });

    auto in = std::make_shared<InterpArgs>();
    CLI::App* interp = explore->add_subcommand(
        "interp", "Frames between two scenes: slerp of the latent code, lerp of FLAME parameters and camera");
    interp->add_option("A", in->from, "First scene (a scene file or any sample's annotation JSON)")->required()->check(CLI::ExistingFile);
    interp->add_option("B", in->to, "Last scene")->required()->check(CLI::ExistingFile);
    interp->add_option("--frames", in->frames, "Frames, both ends included")->capture_default_str()->check(CLI::Range(1, 10000));
    interp->add_option("--out", in->out, "Folder for frame_NNNN.png and .json")->required()->type_name("DIR");
    interp->add_option("--video", in->video, "Also write the frames as a video (.mp4: H.264, .avi: Motion JPEG)")
        ->type_name("FILE");
    interp->add_option("--fps", in->fps, "Video frame rate")->capture_default_str()->check(CLI::Range(0.1, 240.0));
    interp->add_option("--progress", in->progress, "auto, bar, json or none")->capture_default_str();
    interp->callback([in] { runInterp(*in); });

    auto c = std::make_shared<CoverageArgs>();
    CLI::App* coverage = explore->add_subcommand("coverage", "What a dataset covers: pose, FLAME parameters, classes, landmarks");
    coverage->add_option("DATASET", c->datasets,
                         "One dataset folder, or two to compare (ours, a 300-W-layout benchmark, LaPa or "
                         "CelebAMask-HQ; the layout is detected)")
        ->required()->expected(1, 2);
    coverage->add_option("--out", c->out, "Folder for the plots, CSV and JSON")->required()->type_name("DIR");
    coverage->add_option("--bin", c->options.binDeg, "Pose bin size, degrees")->capture_default_str()->check(CLI::PositiveNumber);
    coverage->add_option("--yaw-range", c->options.yawRangeDeg, "Pose histogram yaw span +-degrees")->capture_default_str()->check(CLI::PositiveNumber);
    coverage->add_option("--pitch-range", c->options.pitchRangeDeg, "Pose histogram pitch span +-degrees")->capture_default_str()->check(CLI::PositiveNumber);
    coverage->add_option("--head", c->head, "Head model whose landmarks fit a benchmark's pose: 'default' or a file")
        ->capture_default_str()->type_name("FILE");
    coverage->add_option("--progress", c->progress, "auto, bar, json or none")->capture_default_str();
    coverage->callback([c] { runCoverage(*c); });
}

}  // namespace synthforge::cli
