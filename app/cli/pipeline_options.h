#pragma once
// Options shared by `generate` and `render`: which head, labels, classes,
// sampler config, image size and device make up the sample pipeline.

#include <string>

#include <CLI/CLI.hpp>

#include "core/generate/sample_pipeline.h"

namespace synthforge::cli {

struct PipelineOptions {
    std::string head = "default";
    std::string labels, classes, samplerConfig;
    std::string device = "auto";
    std::string segClasses;  ///< preset to remap segmentation to (empty: as the label map)
    int size = 512;

    void addTo(CLI::App& cmd);
    /// Loads everything and builds the pipeline (procedural generator). Throws
    /// std::runtime_error / std::invalid_argument with the file and field.
    generate::SamplePipeline build(std::string* notes = nullptr) const;
};

}  // namespace synthforge::cli
