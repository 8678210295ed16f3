#pragma once
// Options shared by `generate`, `render` and `align`: which head, labels,
// classes, sampler config, image size, generator, device and fitted
// alignment make up the sample pipeline.

#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "core/generate/dataset_writer.h"
#include "core/generate/sample_pipeline.h"

namespace synthforge::cli {

struct PipelineOptions {
    std::string head = "default";
    std::string labels, classes, samplerConfig;
    std::string device = "auto";
    std::string segClasses;  ///< preset to remap segmentation to (empty: as the label map)
    std::string generator = "procedural";  ///< or a TorchScript generator file (docs/generator.md)
    float psi = 0.7f;                      ///< truncation of a TorchScript generator
    std::string alignment;                 ///< fit directory of `synthforge align` (empty: none)
    int size = 512;

    void addTo(CLI::App& cmd);
    /// Loads everything and builds the pipeline. Throws std::runtime_error /
    /// std::invalid_argument with the file and field. A TorchScript
    /// generator in an executable without LibTorch re-runs the command in
    /// synthforge-torch (does not return).
    generate::SamplePipeline build(std::string* notes = nullptr) const;
    bool procedural() const { return generator == "procedural"; }
};

/// Loads a TorchScript generator: set by synthforge-torch
/// (installTorchGenerators); empty in the front end.
using TorchGeneratorFactory = std::function<std::shared_ptr<const generate::Generator>(
    const std::string& path, std::shared_ptr<const head::HeadModel> model, const std::string& device, float psi)>;
TorchGeneratorFactory& torchGeneratorFactory();

/// The per-sample alignment check of `generate --reject-landmark-px`: set by
/// synthforge-torch (installTorchGenerators); empty in the front end.
using SampleCheckFactory = std::function<generate::SampleCheck(const generate::SamplePipeline&, double thresholdPx)>;
SampleCheckFactory& sampleCheckFactory();

/// `generator` ("procedural" or a .pt file) for `model`, with the procedural
/// generator's appearance map. Re-runs the command in synthforge-torch when
/// it needs LibTorch and this executable has none.
std::shared_ptr<const generate::Generator> makeGenerator(const PipelineOptions& o,
                                                         std::shared_ptr<const head::HeadModel> model,
                                                         const cv::Mat& appearance);

/// Applies `--alignment` to `p`: loads the fit, checks it was made for this
/// generator and head, and sets p.correction.
void applyAlignment(const std::string& fitDir, generate::SamplePipeline& p);

}  // namespace synthforge::cli
