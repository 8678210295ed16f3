#pragma once
// Head parameters as JSON. Accepts our keys ("shape", "expr", "pose",
// "transl") and the dataset annotation keys ("flame_shape", "flame_exp",
// "flame_pose"), so any generated sample's annotation file can drive a pose.

#include <string>

#include "core/head/head_model.h"

namespace synthforge::head {

/// Parses JSON text; `source` names the origin for errors. "pose" /
/// "flame_pose" may hold 15 values (five joints) or 6 (global + jaw, DECA's
/// layout). Every value must be a finite number.
HeadParams parseHeadParamsJson(const std::string& text, const std::string& source);
HeadParams loadHeadParamsJson(const std::string& path);

/// Writes our keys; round-trips through parseHeadParamsJson exactly.
std::string headParamsToJson(const HeadParams& params);

/// Parses a comma- or space-separated list of numbers ("0.5,-1,2"),
/// naming `field` in errors. Rejects NaN and infinities.
Eigen::VectorXf parseNumberList(const std::string& text, const std::string& field);

}  // namespace synthforge::head
