// OUT/predictions.json (core/train/predictor.h, predictionsJson).

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/train/prediction_files.h"
#include "core/train/predictor.h"

namespace synthforge::train {

namespace {

/// The crop as people read it: where its square lies in the image (centre,
/// side in image pixels, rotation) and the exact image -> crop matrix.
nlohmann::ordered_json cropJson(const Similarity2d& crop, int64_t size) {
    nlohmann::ordered_json j;
    const Similarity2d inv = crop.inverse();
    const double s = static_cast<double>(size);
    const Eigen::Vector2d centre = inv.apply(Eigen::Vector2d(0.5 * s, 0.5 * s));
    j["centre"] = {centre.x(), centre.y()};
    j["side"] = s / crop.scale();
    j["angle_deg"] = std::atan2(crop.b, crop.a) * 180.0 / M_PI;
    nlohmann::ordered_json corners = nlohmann::ordered_json::array();
    for (const Eigen::Vector2d& c : {Eigen::Vector2d(0, 0), Eigen::Vector2d(s, 0), Eigen::Vector2d(s, s),
                                    Eigen::Vector2d(0, s)}) {
        const Eigen::Vector2d p = inv.apply(c);
        corners.push_back({p.x(), p.y()});
    }
    j["corners"] = std::move(corners);
    j["image_to_crop"] = {{crop.a, -crop.b, crop.tx}, {crop.b, crop.a, crop.ty}};
    return j;
}

}  // namespace

std::string predictionsJson(const PredictResult& r) {
    nlohmann::ordered_json j;
    j["format"] = "synthforge-predictions";
    j["version"] = 1;
    j["model"] = r.model;
    j["weights"] = r.weights;
    j["stage"] = r.stage;
    if (!r.datasetFormat.empty()) j["dataset_format"] = r.datasetFormat;
    j["size"] = r.size;
    j["num_landmarks"] = r.numLandmarks;
    j["num_classes"] = r.numClasses;
    j["device"] = r.device;
    j["cascade"] = r.cascade;
    j["cascade_tolerance"] = r.tolerance;
    j["landmark_template"] = r.templateSource;
    j["boxes"] = r.boxes;
    j["depth_png_scale"] = kDepthPngScale;
    j["notes"] = r.notes;
    j["succeeded"] = r.succeeded();
    j["failed"] = static_cast<int64_t>(r.images.size()) - r.succeeded();
    nlohmann::ordered_json images = nlohmann::ordered_json::array();
    for (const ImagePrediction& p : r.images) {
        nlohmann::ordered_json e;
        e["input"] = p.input;
        e["name"] = p.name;
        e["status"] = p.ok ? "ok" : "error";
        if (!p.ok) e["error"] = p.error;
        if (p.width > 0) {
            e["width"] = p.width;
            e["height"] = p.height;
        }
        if (p.ok) {
            e["framing"] = p.framing;
            e["crop"] = cropJson(p.crop, r.size);
            e["cascade_iterations"] = p.iterations;
            e["converged"] = p.converged;
            e["crop_motion"] = p.motion;
            e["outputs"] = p.outputs;
        }
        images.push_back(std::move(e));
    }
    j["images"] = std::move(images);
    return j.dump(2) + "\n";
}

}  // namespace synthforge::train
