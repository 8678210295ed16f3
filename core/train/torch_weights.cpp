#include "core/train/torch_weights.h"

#include <torch/torch.h>

#include <cstring>
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
        if (a.dtype != storedType(target))
            throw std::runtime_error(source + ": tensor '" + name + "' has dtype " + io::dtypeName(a.dtype) +
                                     ", expected " + io::dtypeName(storedType(target)));
        const auto dtype = a.dtype == io::DType::F32 ? torch::kFloat32 : torch::kInt64;
        values.push_back(torch::from_blob(const_cast<std::uint8_t*>(a.data.data()), want, dtype).clone());
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
