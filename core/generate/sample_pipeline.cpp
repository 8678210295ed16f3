#include "core/generate/sample_pipeline.h"

#include <stdexcept>

#include "core/generate/assets/asset_composite.h"
#include "core/generate/camera_effects_image.h"

namespace synthforge::generate {

namespace {

double secondsSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Asset class ids in the label map's table (before any remap): by name,
/// falling back to the default table's ids for a table without the class.
AssetClassIds assetClassIds(const annotate::UvLabelMap* labels) {
    AssetClassIds ids = defaultAssetClassIds();
    if (labels)
        for (int k = 0; k < kNumAssetClassSlots; ++k)
            if (const auto* e = labels->classes().findByName(assetClassSlotName(k)))
                ids[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(e->id);
    return ids;
}

/// Without a hair asset the generator paints the scalp's hair: drawn brows
/// (a darker shade), beard and stubble take that colour, as drawAssets gives
/// them a hair asset's, so a blond painted scalp never wears black brows.
/// On the spec, so the annotation records the colours used.
void matchPaintedHair(const Generator& generator, SampleSpec& spec) {
    bool hair = false, facial = false;
    for (const AssetSpec& a : spec.assets) {
        hair = hair || a.type == AssetType::Hair;
        facial = facial || a.type == AssetType::Eyebrows || a.type == AssetType::Beard || a.type == AssetType::Stubble;
    }
    if (hair || !facial || spec.z.size() == 0) return;
    const std::optional<Eigen::Vector3f> painted = generator.paintedHairColor(spec.z);
    if (!painted) return;
    for (AssetSpec& a : spec.assets) {
        if (a.type == AssetType::Beard || a.type == AssetType::Stubble) a.material.baseColor = *painted;
        if (a.type == AssetType::Eyebrows) a.material.baseColor = 0.8f * *painted;
    }
}

}  // namespace

const annotate::ClassTable* SamplePipeline::outputClasses() const {
    if (!labels) return nullptr;
    if (segRemap) return &annotate::presetTable(segRemap->target);
    return &labels->classes();
}

RenderedSample SamplePipeline::render(std::uint64_t seed, std::uint64_t index) const {
    if (!model) throw std::invalid_argument("SamplePipeline: no head model");
    const std::shared_ptr<const Sampler> draw = drawer ? drawer : makeSampler(sampler, model);
    SampleSpec spec = draw->draw(seed, index);
    // Drawn colours only: a spec given whole (a scene, an annotation) keeps
    // the colours it names.
    if (generator) matchPaintedHair(*generator, spec);
    return render(spec);
}

RenderedSample SamplePipeline::render(const SampleSpec& spec) const {
    if (!model || !generator) throw std::invalid_argument("SamplePipeline: no head model or generator");
    RenderedSample s;
    s.spec = spec;
    auto t0 = std::chrono::steady_clock::now();
    s.pose = head::forward(*model, spec.params);
    // The generator sees the head it is conditioned on; labels come from the
    // head where the generator actually draws it.
    head::RowMatX3f generatorVertices;
    if (correction) {
        generatorVertices = s.pose.vertices;
        head::transformPose(*correction, s.pose);
    }
    const head::RowMatX3f& conditioning = correction ? generatorVertices : s.pose.vertices;
    s.times.forward = secondsSince(t0);

    // Annotations first: their raster is the ground truth, and a generator
    // that rasterises may reuse it rather than rasterise again.
    const camera::PinholeCamera cam = spec.camera.pinhole();
    t0 = std::chrono::steady_clock::now();
    annotate::AnnotationOptions o = annotation;
    o.segmentation = o.segmentation && labels != nullptr;
    s.annotations = annotate::annotate(*model, s.pose, cam, width, height, labels.get(), o);
    // Assets are composited over the head's maps; the head's raster itself
    // stays as it is, since the generator reuses it as the head's coverage.
    std::optional<SceneLight> light;
    if (!spec.assets.empty()) {
        GeneratorInput lit;
        lit.z = &s.spec.z;
        lit.vertices = &conditioning;
        lit.camera = cam;
        light = generator->sceneLight(lit);
    }
    AssetLayer assets = rasterizeAssets(spec.assets, *model, s.pose, cam, width, height, o.threads, light);
    compositeAnnotations(assets, assetClassIds(labels.get()), o.visibilityTolerance, s.annotations);
    if (segRemap && !s.annotations.segmentation.empty())
        s.annotations.segmentation = annotate::applyRemap(s.annotations.segmentation, *segRemap);
    s.times.rasterize = s.annotations.rasterSeconds;
    s.times.annotate = secondsSince(t0) - s.times.rasterize;

    t0 = std::chrono::steady_clock::now();
    GeneratorInput in;
    in.z = &s.spec.z;
    in.vertices = &conditioning;
    in.camera = cam;
    // The annotations' raster is of the corrected head, not the one the
    // generator draws, so it is no coverage hint then.
    if (!correction) in.coverage = &s.annotations.raster;
    thread_local std::vector<std::uint8_t> paintedOver;
    if (skipPaintedOver) {
        paintedOverMask(assets, width, height, paintedOver);
        if (!paintedOver.empty()) in.paintedOver = &paintedOver;
    }
    s.image = std::move(generator->generate({in}, width, height).at(0));
    compositeImage(assets, s.image.image, s.image.depth);
    recycleAssetLayer(std::move(assets));
    applyCameraEffects(spec.effects, s.image.image);  // the image only: labels keep the ideal camera
    s.times.generate = secondsSince(t0);
    return s;
}

}  // namespace synthforge::generate
