#include "app/cli/param_options.h"

#include <stdexcept>

#include "core/head/head_params_io.h"

namespace synthforge::cli {

void ParamOptions::addTo(CLI::App* cmd) {
    cmd->add_option("--params", paramsFile, "JSON with shape/expr/pose/transl (or flame_shape/flame_exp/flame_pose)");
    cmd->add_option("--shape", shape, "Shape coefficients in sigma, comma separated (may be fewer than the model's)");
    cmd->add_option("--expr", expr, "Expression coefficients, comma separated");
    cmd->add_option("--pose", pose, "15 axis-angle values: global, neck, jaw, left eye, right eye (radians)");
    cmd->add_option("--transl", transl, "Translation x,y,z in metres");
}

head::HeadParams ParamOptions::resolve() const {
    head::HeadParams params;
    if (!paramsFile.empty()) params = head::loadHeadParamsJson(paramsFile);
    if (!shape.empty()) params.shape = head::parseNumberList(shape, "--shape");
    if (!expr.empty()) params.expr = head::parseNumberList(expr, "--expr");
    if (!pose.empty()) {
        const Eigen::VectorXf p = head::parseNumberList(pose, "--pose");
        if (p.size() != head::kNumPoseValues)
            throw std::invalid_argument(
                "--pose: expected 15 values (axis-angle for global, neck, jaw, left eye, right eye), found " +
                std::to_string(p.size()));
        params.pose = p;
    }
    if (!transl.empty()) {
        const Eigen::VectorXf t = head::parseNumberList(transl, "--transl");
        if (t.size() != 3) throw std::invalid_argument("--transl: expected 3 values, found " + std::to_string(t.size()));
        params.transl = t;
    }
    return params;
}

}  // namespace synthforge::cli
