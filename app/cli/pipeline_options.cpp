#include "app/cli/pipeline_options.h"

#include <memory>
#include <stdexcept>

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
}

generate::SamplePipeline PipelineOptions::build(std::string* notes) const {
    // The procedural generator runs on the CPU; a CUDA generator (TorchScript
    // Next3D) is a separate generator. Refuse an explicit cuda rather than
    // silently running on the CPU.
    if (generate::parseDevice(device, false) == generate::Device::Cuda)
        throw std::invalid_argument("--device cuda: the procedural generator runs on the CPU only; use --device cpu or auto");
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
    p.generator = std::make_shared<generate::ProceduralGenerator>(model, appearance);
    return p;
}

}  // namespace synthforge::cli
