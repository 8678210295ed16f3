#include "core/train/torch_weights.h"

#include <torch/torch.h>

#include <cstring>
#include <optional>
#include <stdexcept>

namespace synthforge::train {

namespace {

/// State_dict order: parameters, then buffers (names never collide).
std::vector<std::pair<std::string, torch::Tensor>> stateDict(const torch::nn::Module& module) {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& p : module.named_parameters(true)) out.emplace_back(p.key(), p.value());
    for (const auto& b : module.named_buffers(true)) out.emplace_back(b.key(), b.value());
    return out;
}

io::DType storedType(const torch::Tensor& t) {
    return t.is_floating_point() ? io::DType::F32 : io::DType::I64;
}

/// The torch type to read a stored tensor as, when it may fill `target`:
/// floating parameters take F32 and also half and double precision (a
/// PyTorch user's `model.half().state_dict()`), converted on load; integer
/// buffers take I64 only.
std::optional<torch::ScalarType> loadableType(io::DType stored, const torch::Tensor& target) {
    if (!target.is_floating_point()) return stored == io::DType::I64 ? std::optional(torch::kInt64) : std::nullopt;
    switch (stored) {
        case io::DType::F16: return torch::kFloat16;
        case io::DType::F32: return torch::kFloat32;
        case io::DType::F64: return torch::kFloat64;
        default: return std::nullopt;
    }
}

std::string shapeText(const std::vector<int64_t>& s) {
    std::string out = "(";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + ")";
}

}  // namespace

io::SafetensorsFile stateDictToSafetensors(const torch::nn::Module& module,
                                           const std::map<std::string, std::string>& metadata) {
    io::SafetensorsFile file;
    file.metadata = metadata;
    for (const auto& [name, value] : stateDict(module)) {
        const auto type = storedType(value);
        const auto t = value.detach().to(torch::kCPU, type == io::DType::F32 ? torch::kFloat32 : torch::kInt64)
                           .contiguous();
        io::NdArray a;
        a.dtype = type;
        a.shape.assign(t.sizes().begin(), t.sizes().end());
        a.data.resize(t.numel() * t.element_size());
        if (!a.data.empty()) std::memcpy(a.data.data(), t.data_ptr(), a.data.size());
        file.tensors.emplace(name, std::move(a));
    }
    return file;
}

void loadStateDict(torch::nn::Module& module, const io::SafetensorsFile& file, const std::string& source) {
    const auto targets = stateDict(module);
    // Check everything first, so a bad file leaves the module untouched.
    std::vector<torch::Tensor> values;
    for (const auto& [name, target] : targets) {
        const auto it = file.tensors.find(name);
        if (it == file.tensors.end()) throw std::runtime_error(source + ": missing tensor '" + name + "'");
        const io::NdArray& a = it->second;
        const std::vector<int64_t> want(target.sizes().begin(), target.sizes().end());
        if (a.shape != want)
            throw std::runtime_error(source + ": tensor '" + name + "' has shape " + shapeText(a.shape) +
                                     ", the network expects " + shapeText(want));
        const auto dtype = loadableType(a.dtype, target);
        if (!dtype)
            throw std::runtime_error(source + ": tensor '" + name + "' has dtype " + io::safetensorsName(a.dtype) +
                                     ", expected " + io::safetensorsName(storedType(target)) +
                                     (target.is_floating_point() ? " (or F16, F64)" : ""));
        values.push_back(torch::from_blob(const_cast<std::uint8_t*>(a.data.data()), want, *dtype)
                             .to(target.scalar_type(), /*non_blocking=*/false, /*copy=*/true));
    }
    if (file.tensors.size() != targets.size()) {
        for (const auto& [name, a] : file.tensors) {
            bool known = false;
            for (const auto& t : targets) known = known || t.first == name;
            if (!known) throw std::runtime_error(source + ": unexpected tensor '" + name + "'");
        }
    }
    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < targets.size(); ++i) {
        auto target = targets[i].second;
        target.copy_(values[i]);
    }
}

void saveMultiTaskNet(const MultiTaskNet& net, const std::string& path) {
    io::saveSafetensorsFile(path, stateDictToSafetensors(*net, net->options.toMetadata()));
}

MultiTaskNet loadMultiTaskNet(const std::string& path) {
    const auto file = io::loadSafetensorsFile(path);
    MultiTaskNet net(MultiTaskNetOptions::fromMetadata(file.metadata, path));
    loadStateDict(*net, file, path);
    return net;
}

}  // namespace synthforge::train
