// `synthforge head info|pose|convert`.

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/param_options.h"
#include "core/head/default_head/model_source.h"
#include "core/head/head_model_io.h"
#include "core/head/head_params_io.h"
#include "core/head/lbs.h"
#include "core/head/posed_mesh.h"
#include "core/io/file_util.h"
#include "core/io/mesh_io.h"

namespace synthforge::cli {

namespace {

using head::HeadModel;
using nlohmann::json;

HeadModel loadModelArg(const std::string& arg) { return head::loadHeadModel(arg); }

json modelSummary(const HeadModel& m, const std::string& path) {
    json j;
    j["path"] = path;
    j["name"] = m.name;
    j["licence"] = m.licence;
    j["vertices"] = m.numVertices();
    j["faces"] = m.numFaces();
    j["shape_components"] = m.numShape();
    j["expression_components"] = m.numExpr();
    j["pose_correctives"] = m.posedirs.size() != 0;
    j["joints"] = {"global", "neck", "jaw", "left_eye", "right_eye"};
    j["parents"] = m.parents;
    j["uv_coords"] = m.uv.rows();
    j["landmarks"] = m.landmarks.count();
    j["landmark_layout"] = m.landmarks.empty() ? "none"
                           : m.landmarks.hasDynamicContour()
                               ? "static 51 + dynamic 17 (" + std::to_string(m.landmarks.dynamicFaces.rows()) + " bins)"
                               : "static 68";
    json regions = json::object();
    for (const auto& [name, idx] : m.regions) regions[name] = idx.size();
    j["regions"] = regions;
    j["expression_names"] = m.exprNames;
    return j;
}

void printInfo(const json& j) {
    std::cout << j["name"].get<std::string>() << "  (" << j["path"].get<std::string>() << ")\n"
              << "  vertices            " << j["vertices"] << "\n"
              << "  faces               " << j["faces"] << "\n"
              << "  shape components    " << j["shape_components"] << "\n"
              << "  expression comps    " << j["expression_components"] << "\n"
              << "  pose correctives    " << (j["pose_correctives"].get<bool>() ? "yes" : "no") << "\n"
              << "  uv coordinates      " << j["uv_coords"] << "\n"
              << "  landmarks           " << j["landmarks"] << " (" << j["landmark_layout"].get<std::string>() << ")\n"
              << "  regions             ";
    if (j["regions"].empty()) std::cout << "none";
    bool first = true;
    for (auto it = j["regions"].begin(); it != j["regions"].end(); ++it, first = false)
        std::cout << (first ? "" : ", ") << it.key() << " (" << it.value() << ")";
    std::cout << "\n";
    if (!j["expression_names"].empty()) {
        std::cout << "  expressions         ";
        for (std::size_t i = 0; i < j["expression_names"].size(); ++i)
            std::cout << (i ? ", " : "") << i << ":" << j["expression_names"][i].get<std::string>();
        std::cout << "\n";
    }
    if (!j["licence"].get<std::string>().empty()) std::cout << "  licence             " << j["licence"].get<std::string>() << "\n";
}

json matrixJson(const Eigen::Ref<const Eigen::Matrix<float, Eigen::Dynamic, 3, Eigen::RowMajor>>& m) {
    json a = json::array();
    for (Eigen::Index r = 0; r < m.rows(); ++r) a.push_back({m(r, 0), m(r, 1), m(r, 2)});
    return a;
}

struct PoseArgs {
    std::string model, out, summary;
    ParamOptions params;
    bool noCorrectives = false;
};

void runPose(const PoseArgs& a) {
    HeadModel model = loadModelArg(a.model);
    const head::HeadParams params = a.params.resolve();
    head::ForwardOptions opts;
    opts.poseCorrectives = !a.noCorrectives;
    const head::HeadPose posed = head::forward(model, params, opts);

    io::exportMesh(a.out, head::meshWithModelLayout(model, posed.vertices));

    json s;
    s["model"] = modelSummary(model, a.model);
    s["mesh"] = a.out;
    s["params"] = json::parse(head::headParamsToJson(params));
    s["joints"] = matrixJson(posed.joints);
    s["landmarks"] = matrixJson(posed.landmarks);
    s["contour_bin"] = posed.contourBin;
    const Eigen::RowVector3f lo = posed.vertices.colwise().minCoeff(), hi = posed.vertices.colwise().maxCoeff();
    s["bbox_min"] = {lo[0], lo[1], lo[2]};
    s["bbox_max"] = {hi[0], hi[1], hi[2]};
    const std::string summaryPath = a.summary.empty() ? a.out + ".json" : a.summary;
    io::writeFileAtomic(summaryPath, s.dump(2) + "\n");
    std::cout << "wrote " << a.out << " (" << model.numVertices() << " vertices, " << model.numFaces()
              << " faces" << (model.hasUv() ? ", with UVs" : "") << ") and " << summaryPath << "\n"
              << std::fixed << std::setprecision(4) << "  bbox " << lo << "  ->  " << hi << " m\n"
              << "  landmarks " << posed.landmarks.rows()
              << (posed.contourBin >= 0 ? ", contour bin " + std::to_string(posed.contourBin) : std::string()) << "\n";
}

struct ConvertArgs {
    std::string model, out, uv, masks;
    std::vector<std::string> landmarks;
    bool full68 = false;
    std::string name;
};

void runConvert(const ConvertArgs& a) {
    HeadModel model = head::loadHeadModel(a.model);
    for (const auto& lm : a.landmarks) head::attachLandmarkFile(model, lm, a.full68);
    if (!a.masks.empty()) head::attachFlameMasks(model, a.masks);
    if (!a.uv.empty()) head::attachUvTemplate(model, a.uv);
    if (!a.name.empty()) model.name = a.name;
    if (!model.landmarks.empty() && model.landmarks.count() == 0)
        throw std::runtime_error("landmark embedding incomplete");
    head::saveHeadModel(a.out, model);
    std::cout << "wrote " << a.out << "\n";
    printInfo(modelSummary(model, a.out));
}

}  // namespace

CLI::App* headGroup(CLI::App& app) {
    try {
        return app.get_subcommand("head");
    } catch (const CLI::OptionNotFound&) {
        CLI::App* group = app.add_subcommand("head", "Inspect, pose, convert, render and label head models");
        group->require_subcommand(1);
        return group;
    }
}

void registerHeadCommands(CLI::App& app) {
    CLI::App* headCmd = headGroup(app);

    {
        auto model = std::make_shared<std::string>();
        auto asJson = std::make_shared<bool>(false);
        CLI::App* info = headCmd->add_subcommand("info", "Print a head model's counts, bases, landmarks and regions");
        info->add_option("MODEL", *model, "Head model: .safetensors, FLAME .pkl/.npz, or 'default'")->required();
        info->add_flag("--json", *asJson, "Print JSON instead of text");
        info->callback([model, asJson] {
            const json j = modelSummary(loadModelArg(*model), *model);
            if (*asJson) std::cout << j.dump(2) << "\n";
            else printInfo(j);
        });
    }
    {
        auto a = std::make_shared<PoseArgs>();
        CLI::App* pose = headCmd->add_subcommand("pose", "Pose a head model and write the mesh with UVs and a JSON summary");
        pose->add_option("MODEL", a->model, "Head model: .safetensors, FLAME .pkl/.npz, or 'default'")->required();
        pose->add_option("-o,--output", a->out, "Output mesh (.obj, .ply, .gltf or .glb)")->required();
        a->params.addTo(pose);
        pose->add_option("--summary", a->summary, "Summary JSON path (default: OUTPUT.json)");
        pose->add_flag("--no-pose-correctives", a->noCorrectives, "Skip the posedirs correctives");
        pose->callback([a] { runPose(*a); });
    }
    {
        auto a = std::make_shared<ConvertArgs>();
        CLI::App* convert = headCmd->add_subcommand(
            "convert", "Bundle a FLAME model, its landmark embeddings, masks and UVs into one .safetensors");
        convert->add_option("MODEL", a->model, "FLAME generic_model.pkl / flame2023.pkl / .npz, or .safetensors")->required();
        convert->add_option("-o,--output", a->out, "Output .safetensors")->required();
        convert->add_option("--landmarks", a->landmarks,
                            "flame_static_embedding.pkl, flame_dynamic_embedding.npy or DECA landmark_embedding.npy "
                            "(repeatable; static before dynamic)");
        convert->add_flag("--full68", a->full68, "With DECA's embedding, use its static 68 points instead of 51 + contour");
        convert->add_option("--masks", a->masks, "FLAME_masks.pkl (named vertex regions)");
        convert->add_option("--uv", a->uv, "head_template.obj carrying the FLAME UV layout");
        convert->add_option("--name", a->name, "Model name stored in the metadata");
        convert->callback([a] { runConvert(*a); });
    }
}

}  // namespace synthforge::cli
