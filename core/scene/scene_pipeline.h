#pragma once
// The sample pipeline a scene renders through: its head model, the
// procedural generator and (for the default head) the default label map, as
// `synthforge render --head ...` builds it. The studio needs this without the
// CLI's option parsing, so it lives in core.

#include <string>

#include "core/generate/sample_pipeline.h"

namespace synthforge::scene {

/// Loads `headModel` ("default" or a file) and builds the pipeline at
/// width x height. Throws std::runtime_error naming the file and field for a
/// bad model, std::invalid_argument for a bad size or generator name. Slow
/// (loads the model): call it off the GUI thread.
generate::SamplePipeline buildScenePipeline(const std::string& headModel, const std::string& generator,
                                            int width, int height);

}  // namespace synthforge::scene
