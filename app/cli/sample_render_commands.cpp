// `synthforge render`: one sample (or a few) of a would-be dataset to PNG
// files with overlays, for a quick look: the image, landmarks with indices,
// the colourised segmentation blended over the image, a depth colour map,
// normals, the annotation JSON, and with --count > 1 a contact sheet.
// With --scene it renders that one scene instead of sampling, and also writes
// the raw maps (class ids, float depth) so that a viewer can draw its own
// overlays: the studio's Generator tab does so for TorchScript generators,
// which it runs through this command to keep LibTorch out of its process.

#include <iostream>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "app/cli/commands.h"
#include "app/cli/pipeline_options.h"
#include "core/annotate/overlays.h"
#include "core/generate/dataset_layout.h"
#include "core/io/file_util.h"
#include "core/scene/scene.h"

namespace synthforge::cli {

namespace {

struct RenderArgs {
    PipelineOptions pipeline;
    std::string out;
    std::string scene;  ///< a scene file to render instead of sampling (empty: sample)
    std::uint64_t seed = 0, index = 0;
    int count = 1, columns = 4, tile = 256;
};

void writePng(const std::string& path, const cv::Mat& image) {
    std::vector<std::uint8_t> png;
    if (!cv::imencode(".png", image, png)) throw std::runtime_error(path + ": PNG encoding failed");
    io::writeFileAtomic(path, png.data(), png.size());
}

void writeRaw(const std::string& path, const cv::Mat& image, const char* ext) {
    std::vector<std::uint8_t> bytes;
    if (!cv::imencode(ext, image, bytes)) throw std::runtime_error(path + ": encoding failed");
    io::writeFileAtomic(path, bytes.data(), bytes.size());
}

void runRender(const RenderArgs& a) {
    std::string notes;
    generate::SamplePipeline p = a.pipeline.build(&notes);
    p.annotation.normals = true;
    std::cerr << notes;
    std::optional<generate::SampleSpec> sceneSpec;
    if (!a.scene.empty()) {
        if (a.count != 1) throw std::invalid_argument("--count: must be 1 with --scene (one scene, one sample)");
        // The scene decides the image size; its head model and generator
        // fields do not override --head / --generator.
        const scene::Scene sc = scene::loadScene(a.scene);
        sc.params.validateFor(*p.model);
        p.width = sc.width;
        p.height = sc.height;
        sceneSpec = sc.toSampleSpec(p.generator->capabilities().latentDim);
    }
    std::filesystem::create_directories(a.out);
    std::vector<cv::Mat> sheet, overlaySheet;
    std::vector<std::string> captions, overlayCaptions;
    for (int k = 0; k < a.count; ++k) {
        const std::uint64_t i = a.index + static_cast<std::uint64_t>(k);
        const generate::RenderedSample s = sceneSpec ? p.render(*sceneSpec) : p.render(a.seed, i);
        const std::string base = (std::filesystem::path(a.out) / generate::indexName(i, 6)).string();
        const annotate::Annotations& an = s.annotations;
        annotate::LandmarkStyle style;
        style.indices = true;
        const cv::Mat landmarks = annotate::drawLandmarks(s.image.image, an.landmarks2d, an.landmarkVisible, style);
        const cv::Mat depth = annotate::depthColormap(an.depth);
        writePng(base + "_image.png", s.image.image);
        writePng(base + "_landmarks.png", landmarks);
        writePng(base + "_depth.png", depth);
        writePng(base + "_normals.png", annotate::normalsToBgr(an.normals));
        cv::Mat seg;
        if (p.labels) {
            seg = annotate::blendSegmentation(s.image.image, an.segmentation, *p.outputClasses(), 0.5f);
            writePng(base + "_seg.png", seg);
        }
        if (sceneSpec) {
            if (!an.segmentation.empty()) writeRaw(base + "_segmentation.png", an.segmentation, ".png");
            writeRaw(base + "_depth.tiff", an.depth, ".tiff");
        }
        io::writeFileAtomic(base + ".json", generate::sampleAnnotationJson(s, a.seed, p.width, p.height));
        std::cout << "wrote " << base << "_{image,landmarks,seg,depth,normals}.png and .json\n";
        if (a.count > 1) {
            annotate::LandmarkStyle plain;
            sheet.push_back(s.image.image);
            captions.push_back("#" + std::to_string(i));
            overlaySheet.push_back(annotate::drawLandmarks(s.image.image, an.landmarks2d, an.landmarkVisible, plain));
            overlaySheet.push_back(seg.empty() ? s.image.image : seg);
            overlaySheet.push_back(depth);
            for (const char* c : {"landmarks", "segmentation", "depth"}) overlayCaptions.push_back("#" + std::to_string(i) + " " + c);
        }
    }
    if (a.count > 1) {
        const std::string sheetPath = (std::filesystem::path(a.out) / "contact_sheet.png").string();
        writePng(sheetPath, annotate::contactSheet(sheet, a.columns, a.tile, captions));
        const std::string overlayPath = (std::filesystem::path(a.out) / "contact_sheet_overlays.png").string();
        writePng(overlayPath, annotate::contactSheet(overlaySheet, 3 * std::max(1, a.columns / 2), a.tile, overlayCaptions));
        std::cout << "wrote " << sheetPath << " and " << overlayPath << "\n";
    }
}

}  // namespace

void registerSampleRenderCommands(CLI::App& app) {
    auto args = std::make_shared<RenderArgs>();
    CLI::App* cmd = app.add_subcommand("render", "Render samples with overlays (landmarks, segmentation, depth) to PNG files");
    cmd->add_option("--out", args->out, "Output folder")->required();
    cmd->add_option("--scene", args->scene,
                    "Render this scene file (docs/design.md) instead of sampling; also writes "
                    "_segmentation.png (class ids) and _depth.tiff (float32)")
        ->type_name("FILE")
        ->check(CLI::ExistingFile);
    cmd->add_option("--seed", args->seed, "Seed of the run the samples belong to")->capture_default_str();
    cmd->add_option("--index", args->index, "First sample index")->capture_default_str();
    cmd->add_option("--count", args->count, "Number of samples (> 1 adds contact sheets)")->capture_default_str()->check(CLI::Range(1, 1000));
    cmd->add_option("--columns", args->columns, "Contact sheet columns")->capture_default_str()->check(CLI::Range(1, 64));
    cmd->add_option("--tile", args->tile, "Contact sheet tile size in pixels")->capture_default_str()->check(CLI::Range(32, 2048));
    args->pipeline.addTo(*cmd);
    cmd->callback([args] { runRender(*args); });
}

}  // namespace synthforge::cli
