#include "core/generate/dataset_layout.h"

#include <cstdio>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/generate/assets/asset_json.h"

namespace synthforge::generate {

using nlohmann::ordered_json;

DatasetFormats DatasetFormats::parse(const std::string& list) {
    DatasetFormats f;
    f.synthforge = false;
    std::stringstream ss(list);
    std::string item;
    bool any = false;
    while (std::getline(ss, item, ',')) {
        if (item == "synthforge") f.synthforge = true;
        else if (item == "facesynthetics") f.faceSynthetics = true;
        else if (item == "300w") f.w300 = true;
        else
            throw std::invalid_argument("--formats: unknown format \"" + item +
                                        "\" (known: synthforge, facesynthetics, 300w)");
        any = true;
    }
    if (!any) throw std::invalid_argument("--formats: empty list");
    // Our layout holds the completion markers that make resuming safe, so it
    // is always written; the exports come in addition.
    f.synthforge = true;
    return f;
}

std::vector<std::string> DatasetFormats::names() const {
    std::vector<std::string> n{"synthforge"};
    if (faceSynthetics) n.push_back("facesynthetics");
    if (w300) n.push_back("300w");
    return n;
}

namespace {

template <typename M>
ordered_json rows(const M& m) {
    ordered_json a = ordered_json::array();
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
        ordered_json row = ordered_json::array();
        for (Eigen::Index c = 0; c < m.cols(); ++c) row.push_back(m(r, c));
        a.push_back(std::move(row));
    }
    return a;
}

template <typename V>
ordered_json values(const V& v) {
    ordered_json a = ordered_json::array();
    for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(v[i]);
    return a;
}

/// Projected centre of a named vertex region, or of a joint when absent.
Eigen::Vector2f pupil(const RenderedSample& s, const head::HeadModel& model, const char* region, int joint) {
    Eigen::Vector3f p = s.pose.joints.row(joint).transpose();
    auto it = model.regions.find(region);
    if (it != model.regions.end() && !it->second.empty()) {
        p.setZero();
        for (std::int32_t v : it->second) p += s.pose.vertices.row(v).transpose();
        p /= static_cast<float>(it->second.size());
    }
    const camera::Projection pr = s.spec.camera.project(camera::flameToWorld(p), s.annotations.width,
                                                        s.annotations.height);
    return pr.pixel;
}

}  // namespace

std::string sampleAnnotationJson(const RenderedSample& s, std::uint64_t seed, int width, int height) {
    const annotate::Annotations& a = s.annotations;
    ordered_json j;
    j["z"] = values(s.spec.z);
    j["camera_params"] = values(s.spec.camera.toVector25());
    j["flame_shape"] = values(s.spec.params.shape);
    j["flame_exp"] = values(s.spec.params.expr);
    j["flame_pose"] = values(s.spec.params.pose);
    j["2d_kps"] = rows(a.landmarks2d);
    j["3d_kps"] = rows(a.landmarks3d);
    ordered_json vis = ordered_json::array();
    for (auto v : a.landmarkVisible) vis.push_back(static_cast<int>(v));
    j["kps_visible"] = vis;
    j["face_box"] = {a.faceBox.x0, a.faceBox.y0, a.faceBox.x1, a.faceBox.y1};
    j["yaw"] = s.spec.camera.yaw;
    j["pitch"] = s.spec.camera.pitch;
    j["fov_deg"] = s.spec.camera.eg3dFovDeg;
    j["radius"] = s.spec.camera.radius;
    j["contour_bin"] = a.contourBin;
    j["seed"] = seed;
    j["index"] = s.spec.index;
    if (s.spec.identity) j["identity"] = *s.spec.identity;
    j["width"] = width;
    j["height"] = height;
    // Only samples that wear assets carry the key, so runs without assets
    // write the same bytes as before assets existed.
    if (!s.spec.assets.empty()) j["assets"] = assetsJson(s.spec.assets);
    if (s.spec.effects.any()) {
        // Only the effects applied, with the strength drawn.
        const CameraEffects& e = s.spec.effects;
        ordered_json fx = ordered_json::object();
        if (e.defocusSigma > 0.0f) fx["defocus_sigma"] = e.defocusSigma;
        if (e.noiseSigma > 0.0f) fx["noise_sigma"] = e.noiseSigma;
        if (e.jpegQuality > 0) fx["jpeg_quality"] = e.jpegQuality;
        if (e.aberration > 0.0f) fx["chromatic_aberration"] = e.aberration;
        if (e.exposureEv != 0.0f) fx["exposure_ev"] = e.exposureEv;
        if (e.whiteBalance != 0.0f) fx["white_balance"] = e.whiteBalance;
        j["camera_effects"] = fx;
    }
    return j.dump();
}

std::string faceSyntheticsLandmarks(const RenderedSample& s, const head::HeadModel& model) {
    std::string out;
    char line[64];
    auto add = [&](float x, float y) {
        std::snprintf(line, sizeof line, "%.3f %.3f\n", x - 0.5f, y - 0.5f);
        out += line;
    };
    for (Eigen::Index i = 0; i < s.annotations.landmarks2d.rows(); ++i)
        add(s.annotations.landmarks2d(i, 0), s.annotations.landmarks2d(i, 1));
    const Eigen::Vector2f r = pupil(s, model, "right_pupil", head::kRightEye);
    const Eigen::Vector2f l = pupil(s, model, "left_pupil", head::kLeftEye);
    add(r.x(), r.y());
    add(l.x(), l.y());
    return out;
}

}  // namespace synthforge::generate
