#include "core/generate/assets/head_frame.h"

#include <cmath>

#include "core/head/lbs.h"
#include "core/raster/mesh_normals.h"

namespace synthforge::generate {

namespace {

bool nameHas(const std::string& name, std::initializer_list<const char*> parts) {
    for (const char* p : parts)
        if (name.find(p) != std::string::npos) return true;
    return false;
}

std::vector<std::int32_t> region(const head::HeadModel& m, const char* name) {
    auto it = m.regions.find(name);
    return it == m.regions.end() ? std::vector<std::int32_t>{} : it->second;
}

}  // namespace

AssetHeadFrame assetHeadFrame(const head::HeadModel& model) {
    AssetHeadFrame f;
    const head::RowMatX3f joints = model.jRegressor * model.vTemplate;
    f.leftEye = joints.row(head::kLeftEye).transpose();
    f.rightEye = joints.row(head::kRightEye).transpose();
    f.jaw = joints.row(head::kJaw).transpose();
    f.normals = raster::vertexNormals(model.vTemplate, model.faces);

    // Regions named like FLAME's masks and the default head's: "left_eyeball",
    // "right_eye_socket", "mouth_interior", "upper_lip", "left_brow", ...
    const int nv = model.numVertices();
    std::vector<std::uint8_t> hidden(static_cast<std::size_t>(nv), 0), moving(static_cast<std::size_t>(nv), 0);
    for (const auto& [name, verts] : model.regions) {
        const bool isHidden = nameHas(name, {"eyeball", "iris", "pupil", "socket", "mouth"});
        const bool isMoving = nameHas(name, {"eyelid", "brow", "lip"});
        for (std::int32_t v : verts) {
            if (v < 0 || v >= nv) continue;
            if (isHidden) hidden[static_cast<std::size_t>(v)] = 1;
            if (isMoving) moving[static_cast<std::size_t>(v)] = 1;
        }
    }
    for (int v = 0; v < nv; ++v) {
        // Eyeballs by their skinning too, for models without named regions
        // (a FLAME file without its masks): an asset bound to an eyeball
        // would move with the gaze.
        const bool onEye = model.weights.rows() == nv &&
                           model.weights(v, head::kLeftEye) + model.weights(v, head::kRightEye) > 0.5f;
        if (hidden[static_cast<std::size_t>(v)] || onEye) continue;
        f.skin.push_back(v);
        if (!moving[static_cast<std::size_t>(v)]) f.steadySkin.push_back(v);
    }
    f.neck = region(model, "neck");
    f.leftEar = region(model, "left_ear");
    f.rightEar = region(model, "right_ear");
    const Eigen::Vector3f eyes = 0.5f * (f.leftEye + f.rightEye);
    f.ear = Eigen::Vector3f(0.075f, eyes.y() - 0.015f, eyes.z() - 0.085f);
    if (!f.leftEar.empty() || !f.rightEar.empty()) {
        Eigen::Vector3f sum = Eigen::Vector3f::Zero();
        for (const auto* e : {&f.leftEar, &f.rightEar})
            for (std::int32_t v : *e)
                sum += Eigen::Vector3f(std::abs(model.vTemplate(v, 0)), model.vTemplate(v, 1), model.vTemplate(v, 2));
        f.ear = sum / static_cast<float>(f.leftEar.size() + f.rightEar.size());
    }

    if (model.landmarks.count() == head::kNumLandmarks) {
        // Bin 0 of a dynamic contour is the frontal one (yaw 0).
        const head::RowMatX3f lm = head::placeLandmarks(model, model.vTemplate, 0);
        for (Eigen::Index k = 0; k < lm.rows(); ++k) f.landmarks.emplace_back(lm.row(k).transpose());
    }
    return f;
}

}  // namespace synthforge::generate
