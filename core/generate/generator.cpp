#include "core/generate/generator.h"

#include <stdexcept>

namespace synthforge::generate {

Device parseDevice(const std::string& text, bool cudaAvailable) {
    if (text == "cpu") return Device::Cpu;
    if (text == "cuda") return Device::Cuda;
    if (text == "auto") return cudaAvailable ? Device::Cuda : Device::Cpu;
    throw std::invalid_argument("--device: \"" + text + "\" is not one of cpu, cuda, auto");
}

std::string deviceName(Device d) { return d == Device::Cuda ? "cuda" : "cpu"; }

std::vector<float> Generator::density(const GeneratorInput&, const Eigen::Ref<const camera::Points3f>&) const {
    throw std::logic_error(capabilities().name + " generator does not answer density queries");
}

std::optional<SceneLight> Generator::sceneLight(const GeneratorInput&) const { return std::nullopt; }

std::optional<Eigen::Vector3f> Generator::paintedHairColor(const Eigen::VectorXf&) const { return std::nullopt; }

}  // namespace synthforge::generate
