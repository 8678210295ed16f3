#pragma once
// A head model named the way users name one: "default" for the built-in
// default head, or a model file. This sits above both the file loaders
// (core/head/head_model_io.h) and the default head, so that the head area
// itself does not depend on the code that builds the default head.

#include <string>

#include "core/head/head_model.h"

namespace synthforge::head {

/// The name that selects the built-in default head.
inline constexpr const char* kDefaultHeadName = "default";

/// "default" gives the built-in default head (built once, then cached);
/// anything else is loaded as a file by loadHeadModelFile. Validated.
HeadModel loadHeadModel(const std::string& source);

}  // namespace synthforge::head
