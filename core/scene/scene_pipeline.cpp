#include "core/scene/scene_pipeline.h"

#include <memory>
#include <stdexcept>

#include "core/annotate/class_table.h"
#include "core/generate/procedural_generator.h"
#include "core/head/default_head/default_head.h"
#include "core/head/default_head/model_source.h"
#include "core/head/head_model_io.h"
#include "core/scene/scene.h"

namespace synthforge::scene {

generate::SamplePipeline buildScenePipeline(const std::string& headModel, const std::string& generator, int width,
                                            int height) {
    if (generator != "procedural")
        throw std::invalid_argument("generator: \"" + generator + "\" is not available here (only \"procedural\")");
    if (width < kMinImageSize || width > kMaxImageSize || height < kMinImageSize || height > kMaxImageSize)
        throw std::invalid_argument("size: " + std::to_string(width) + "x" + std::to_string(height) + " outside 16..4096");
    generate::SamplePipeline p;
    auto model = std::make_shared<head::HeadModel>(head::loadHeadModel(headModel));
    p.model = model;
    p.width = width;
    p.height = height;
    // Normals are cheap next to the generator and the studio shows them.
    p.annotation.normals = true;
    cv::Mat appearance;
    if (headModel == "default") {
        // Same label map and appearance as the CLI's default pipeline, so a
        // scene opened from a dataset re-renders the stored image.
        const cv::Mat ids = head::loadDefaultLabelMap(*model, 1024);
        p.labels = std::make_shared<annotate::UvLabelMap>(ids, annotate::ClassTable::defaultTable(), "default label map");
        appearance = ids;
    } else {
        p.annotation.segmentation = false;  // a FLAME file has no label map of its own
    }
    p.generator = std::make_shared<generate::ProceduralGenerator>(model, appearance);
    return p;
}

}  // namespace synthforge::scene
