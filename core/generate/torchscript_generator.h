#pragma once
// Loading a generator exported to TorchScript (docs/generator.md, "The
// contract"), torch-free: the factory is defined in the torch library
// (torch_torchscript_generator.cpp), so only programs that link it
// (synthforge-torch, torch tests) may call it.

#include <memory>
#include <string>

#include "core/generate/generator.h"
#include "core/generate/generator_metadata.h"

namespace synthforge::generate {

struct TorchScriptGeneratorOptions {
    std::string device = "cpu";  ///< cpu, cuda or auto
    /// Truncation psi: 1 = none; EG3D's and Next3D's sampling scripts use 0.7.
    float psi = 0.7f;
};

/// Loads `path`, checks its metadata and one call of every method against
/// `model` (the head the generator will be conditioned on). std::runtime_error
/// naming the file, the method and what was expected otherwise.
std::shared_ptr<const Generator> loadTorchScriptGenerator(const std::string& path,
                                                          std::shared_ptr<const head::HeadModel> model,
                                                          const TorchScriptGeneratorOptions& options);

/// The metadata of a generator made by loadTorchScriptGenerator, or null for
/// any other generator.
const GeneratorMetadata* torchScriptMetadata(const Generator& generator);

}  // namespace synthforge::generate
