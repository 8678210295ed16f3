#pragma once
// The TorchScript generator with its tensors exposed, for code that
// back-propagates through the generator's density (alignment). Torch types
// appear here, so only torch_*.cpp files may include it.

#include <torch/script.h>

#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "core/generate/generator.h"
#include "core/generate/generator_metadata.h"

namespace synthforge::generate {

class TorchScriptGenerator : public Generator {
public:
    TorchScriptGenerator(const std::string& path, std::shared_ptr<const head::HeadModel> model,
                         const torch::Device& device, float psi);

    GeneratorCapabilities capabilities() const override;
    std::vector<GeneratorOutput> generate(const std::vector<GeneratorInput>& batch, int width,
                                          int height) const override;
    std::vector<float> density(const GeneratorInput& input,
                               const Eigen::Ref<const camera::Points3f>& worldPoints) const override;

    const GeneratorMetadata& metadata() const { return meta_; }
    const std::string& path() const { return path_; }
    const torch::Device& device() const { return device_; }
    float psi() const { return psi_; }

    /// Batch tensors on the device for `inputs` (z [B, latent], c [B, 25],
    /// vertices [B, V, 3]); std::invalid_argument for a wrong z length or
    /// vertex count.
    torch::Tensor latents(const std::vector<GeneratorInput>& inputs) const;
    torch::Tensor cameras(const std::vector<GeneratorInput>& inputs) const;
    torch::Tensor vertices(const std::vector<GeneratorInput>& inputs) const;
    /// The contract's methods, shapes checked. Differentiable where the
    /// module is: density() with respect to `points` for alignment.
    torch::Tensor mapping(const torch::Tensor& z, const torch::Tensor& c) const;
    std::pair<torch::Tensor, torch::Tensor> synthesis(const torch::Tensor& ws, const torch::Tensor& c,
                                                      const torch::Tensor& vertices) const;
    torch::Tensor density(const torch::Tensor& ws, const torch::Tensor& c, const torch::Tensor& vertices,
                          const torch::Tensor& points) const;

private:
    torch::jit::IValue call(const char* method, std::vector<torch::jit::IValue> args) const;
    void checkContract(const head::HeadModel& model) const;

    std::string path_;
    torch::Device device_;
    float psi_;
    std::shared_ptr<const head::HeadModel> model_;
    mutable torch::jit::script::Module module_;
    GeneratorMetadata meta_;
    /// One call at a time: a scripted module's methods share its state.
    mutable std::mutex mutex_;
};

}  // namespace synthforge::generate
