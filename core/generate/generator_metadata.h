#pragma once
// The metadata a TorchScript generator declares (docs/generator.md, "The
// contract"): parsed and checked here, torch-free, so that every field's
// error path is testable without a module.

#include <string>

#include <Eigen/Core>

namespace synthforge::generate {

inline constexpr const char* kGeneratorContract = "synthforge-generator";
inline constexpr int kGeneratorContractVersion = 1;

struct GeneratorMetadata {
    std::string name, version;
    int latentDim = 0;
    int imageHeight = 0, imageWidth = 0;
    int depthHeight = 0, depthWidth = 0;
    int vertexCount = 0;
    Eigen::Matrix4f flameToWorld = Eigen::Matrix4f::Identity();
    float densityLevel = 0.0f;
    int preferredBatch = 1;
};

/// Parses metadata() 's JSON. std::runtime_error "<source>: metadata: <key>:
/// <why>" for bad JSON, another contract or version, a missing key, a wrong
/// type, a non-positive size, or a flame_to_world that is not a finite affine map.
GeneratorMetadata parseGeneratorMetadata(const std::string& json, const std::string& source);

}  // namespace synthforge::generate
