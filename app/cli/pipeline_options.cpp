#include "app/cli/pipeline_options.h"

#include <memory>
#include <stdexcept>

#include "app/cli/guided_sampler_hook.h"
#include "core/align/alignment_fit.h"
#include "core/annotate/class_presets.h"
#include "core/annotate/class_table.h"
#include "core/generate/procedural_generator.h"
#include "core/head/default_head/default_head.h"
#include "core/head/default_head/model_source.h"
#include "core/head/head_model_io.h"

namespace synthforge::cli {

void PipelineOptions::addTo(CLI::App& cmd) {
    cmd.add_option("--head", head, "Head model: 'default', a FLAME .pkl/.npz or our .safetensors")->capture_default_str()->type_name("FILE");
    cmd.add_option("--labels", labels, "UV label map PNG (8-bit class ids) for segmentation")->type_name("FILE");
    cmd.add_option("--classes", classes, "Class table JSON for --labels (default: the FaceSynthetics table)")->type_name("FILE");
    cmd.add_option("--seg-classes", segClasses,
                   "Write segmentation in a preset's ids: facesynthetics, synthforge, lapa, celebamask-hq");
    cmd.add_option("--sampler-config", samplerConfig, "Sampler config JSON (camera, head and latent ranges)")->type_name("FILE");
    cmd.add_option("--size", size, "Image width and height in pixels")->capture_default_str()->check(CLI::Range(16, 4096));
    cmd.add_option("--device", device, "cpu, cuda or auto")->capture_default_str();
    cmd.add_option("--generator", generator,
                   "'procedural' or a TorchScript generator file (.pt, docs/generator.md)")->capture_default_str();
    cmd.add_option("--psi", psi, "Truncation psi of a TorchScript generator (1 = none)")->capture_default_str()
        ->check(CLI::Range(0.01f, 2.0f));
    cmd.add_option("--alignment", alignment, "Fit directory of `synthforge align`: labels use the fitted map")
        ->type_name("DIR");
}

SampleCheckFactory& sampleCheckFactory() {
    static SampleCheckFactory factory;
    return factory;
}

TorchGeneratorFactory& torchGeneratorFactory() {
    static TorchGeneratorFactory factory;
    return factory;
}

std::shared_ptr<const generate::Generator> makeGenerator(const PipelineOptions& o,
                                                         std::shared_ptr<const head::HeadModel> model,
                                                         const cv::Mat& appearance) {
    if (o.procedural()) {
        // The procedural generator runs on the CPU; refuse an explicit cuda
        // rather than silently running on the CPU.
        if (generate::parseDevice(o.device, false) == generate::Device::Cuda)
            throw std::invalid_argument("--device cuda: the procedural generator runs on the CPU only; use --device cpu "
                                        "or auto, or a TorchScript generator (--generator FILE.pt)");
        return std::make_shared<generate::ProceduralGenerator>(model, appearance);
    }
    if (!torchGeneratorFactory()) {
        // The generator needs LibTorch: run this command in synthforge-torch.
        if (!guidedSamplerFallback())
            throw std::runtime_error("--generator " + o.generator + ": this executable cannot run TorchScript");
        guidedSamplerFallback()();
    }
    return torchGeneratorFactory()(o.generator, std::move(model), o.device, o.psi);
}

void applyAlignment(const std::string& fitDir, generate::SamplePipeline& p) {
    const align::AlignmentFit fit = align::loadAlignmentFit(fitDir);
    const generate::GeneratorCapabilities caps = p.generator->capabilities();
    if (fit.vertexCount != p.model->numVertices())
        throw std::runtime_error(fitDir + ": head.vertex_count: the fit is for a head of " +
                                 std::to_string(fit.vertexCount) + " vertices, this one has " +
                                 std::to_string(p.model->numVertices()));
    // psi is part of the version string but not of the geometry: compare the
    // generator's name and the model version before it.
    const auto base = [](const std::string& v) { return v.substr(0, v.find(";psi=")); };
    if (fit.generatorName != caps.name || base(fit.generatorVersion) != base(caps.version))
        throw std::runtime_error(fitDir + ": generator: the fit is for " + fit.generatorName + " version " +
                                 fit.generatorVersion + ", this run uses " + caps.name + " version " + caps.version +
                                 " (fit it again with synthforge align)");
    p.correction = fit.correction;
}

generate::SamplePipeline PipelineOptions::build(std::string* notes) const {
    generate::SamplePipeline p;
    auto model = std::make_shared<head::HeadModel>(head::loadHeadModel(head));
    p.model = model;
    p.width = p.height = size;
    if (!samplerConfig.empty()) p.sampler = generate::loadSamplerConfig(samplerConfig);

    const annotate::ClassTable table =
        classes.empty() ? annotate::ClassTable::defaultTable() : annotate::loadClassTable(classes);
    if (!classes.empty() && labels.empty())
        throw std::invalid_argument("--classes: given without --labels (the class table describes a label map)");
    const bool defaultHead = head == "default";
    cv::Mat appearance;
    if (!labels.empty()) {
        if (!model->hasUv()) throw std::runtime_error(head + ": uv: the head model has no UV layout for --labels");
        auto map = std::make_shared<annotate::UvLabelMap>(annotate::UvLabelMap::load(labels, table));
        p.labels = map;
        if (table == annotate::ClassTable::defaultTable()) appearance = map->original();
    } else if (defaultHead) {
        const cv::Mat ids = head::loadDefaultLabelMap(*model, 1024);
        p.labels = std::make_shared<annotate::UvLabelMap>(ids, table, "default label map");
        appearance = ids;
    } else if (notes) {
        *notes += "note: no --labels for " + head + ": segmentation is not written\n";
    }
    if (!segClasses.empty()) {
        if (!p.labels) throw std::invalid_argument("--seg-classes: there is no segmentation to remap (no --labels)");
        if (p.labels->classes() != annotate::ClassTable::defaultTable())
            throw std::invalid_argument("--seg-classes: remaps start from the default (FaceSynthetics) class table; "
                                        "--classes gives another one");
        p.segRemap = std::make_shared<annotate::ClassRemap>(
            annotate::remapFromDefault(annotate::parseClassPreset(segClasses)));
    }
    if (defaultHead && appearance.empty()) appearance = head::loadDefaultLabelMap(*model, 1024);
    p.generator = makeGenerator(*this, model, appearance);
    // A generator's latent has its own length; the sampler draws that many.
    if (!procedural()) p.sampler.latentDim = p.generator->capabilities().latentDim;
    if (!alignment.empty()) applyAlignment(alignment, p);
    return p;
}

}  // namespace synthforge::cli
