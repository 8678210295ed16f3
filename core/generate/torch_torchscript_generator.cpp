#include "core/generate/torch_torchscript_generator.h"

#include <torch/torch.h>

#include <sstream>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "core/generate/torchscript_generator.h"
#include "core/head/lbs.h"

namespace synthforge::generate {

namespace {

std::string shapeText(const torch::Tensor& t) {
    std::ostringstream s;
    s << "[";
    for (int64_t i = 0; i < t.dim(); ++i) s << (i ? ", " : "") << t.size(i);
    s << "]";
    return s.str();
}

std::string clip(const std::string& text, std::size_t n = 300) { return text.size() > n ? text.substr(0, n) + "…" : text; }

torch::Device deviceFor(const std::string& name) {
    const Device d = parseDevice(name, torch::cuda::is_available());
    if (d == Device::Cuda) {
        if (!torch::cuda::is_available()) throw std::invalid_argument("--device cuda: no CUDA device is available");
        return torch::kCUDA;
    }
    return torch::kCPU;
}

}  // namespace

TorchScriptGenerator::TorchScriptGenerator(const std::string& path, std::shared_ptr<const head::HeadModel> model,
                                           const torch::Device& device, float psi)
    : path_(path), device_(device), psi_(psi), model_(std::move(model)) {
    if (!model_) throw std::invalid_argument("TorchScriptGenerator: no head model");
    if (!(psi > 0.0f && psi <= 2.0f)) throw std::invalid_argument("--psi: expected a truncation in (0, 2]");
    try {
        module_ = torch::jit::load(path, device);
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": not a TorchScript module (" + clip(e.what(), 200) + ")");
    }
    module_.eval();
    for (const char* m : {"metadata", "mapping", "synthesis", "density"})
        if (!module_.find_method(m))
            throw std::runtime_error(path + ": no method `" + m +
                                     "`; a SynthForge generator exports metadata, mapping, synthesis and density "
                                     "(docs/generator.md)");
    const torch::jit::IValue md = call("metadata", {});
    if (!md.isString()) throw std::runtime_error(path + ": metadata() must return a JSON string");
    meta_ = parseGeneratorMetadata(md.toStringRef(), path);
    if (meta_.vertexCount != model_->numVertices())
        throw std::runtime_error(path + ": metadata: vertex_count: the generator is conditioned on " +
                                 std::to_string(meta_.vertexCount) + " vertices, the head model has " +
                                 std::to_string(model_->numVertices()) + " (use the head it was exported for)");
    checkContract(*model_);
}

torch::jit::IValue TorchScriptGenerator::call(const char* method, std::vector<torch::jit::IValue> args) const {
    try {
        std::lock_guard<std::mutex> lock(mutex_);
        return module_.get_method(method)(std::move(args));
    } catch (const std::exception& e) {
        throw std::runtime_error(path_ + ": " + method + "() failed: " + clip(e.what()));
    }
}

void TorchScriptGenerator::checkContract(const head::HeadModel& model) const {
    // One batch-1 call of each method on zeros, so that a module with
    // another contract fails here, not halfway through a dataset.
    torch::NoGradGuard no;
    GeneratorInput in;
    const Eigen::VectorXf z = Eigen::VectorXf::Zero(meta_.latentDim);
    in.z = &z;
    in.vertices = &model.vTemplate;
    in.camera = camera::OrbitCamera().pinhole();
    const torch::Tensor zt = latents({in}), c = cameras({in}), v = vertices({in});
    const torch::Tensor ws = mapping(zt, c);
    synthesis(ws, c, v);
    density(ws, c, v, torch::zeros({1, 4, 3}, torch::TensorOptions().device(device_)));
}

GeneratorCapabilities TorchScriptGenerator::capabilities() const {
    GeneratorCapabilities c;
    c.name = "torchscript:" + meta_.name;
    // psi changes every image, so it is part of what a resumed dataset must match.
    std::ostringstream v;
    v << meta_.version << ";psi=" << psi_;
    c.version = v.str();
    c.latentDim = meta_.latentDim;
    c.preferredBatch = meta_.preferredBatch;
    c.density = true;
    c.densityLevel = meta_.densityLevel;
    c.flameToWorld = meta_.flameToWorld;
    c.threadSafe = false;
    c.devices = {Device::Cpu};
    if (torch::cuda::is_available()) c.devices.push_back(Device::Cuda);
    return c;
}

torch::Tensor TorchScriptGenerator::latents(const std::vector<GeneratorInput>& inputs) const {
    torch::Tensor z = torch::empty({static_cast<int64_t>(inputs.size()), meta_.latentDim});
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].z || inputs[i].z->size() != meta_.latentDim)
            throw std::invalid_argument(path_ + ": z: expected " + std::to_string(meta_.latentDim) + " values, got " +
                                        std::to_string(inputs[i].z ? inputs[i].z->size() : 0));
        std::copy(inputs[i].z->data(), inputs[i].z->data() + meta_.latentDim, z[static_cast<int64_t>(i)].data_ptr<float>());
    }
    return z.to(device_);
}

torch::Tensor TorchScriptGenerator::cameras(const std::vector<GeneratorInput>& inputs) const {
    torch::Tensor c = torch::empty({static_cast<int64_t>(inputs.size()), 25});
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const camera::CameraVector25 v = inputs[i].camera.toVector25();
        std::copy(v.data(), v.data() + 25, c[static_cast<int64_t>(i)].data_ptr<float>());
    }
    return c.to(device_);
}

torch::Tensor TorchScriptGenerator::vertices(const std::vector<GeneratorInput>& inputs) const {
    const int64_t V = meta_.vertexCount;
    torch::Tensor v = torch::empty({static_cast<int64_t>(inputs.size()), V, 3});
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].vertices || inputs[i].vertices->rows() != V)
            throw std::invalid_argument(path_ + ": vertices: the generator takes " + std::to_string(V) +
                                        " posed head vertices, got " +
                                        std::to_string(inputs[i].vertices ? inputs[i].vertices->rows() : 0));
        std::copy(inputs[i].vertices->data(), inputs[i].vertices->data() + V * 3, v[static_cast<int64_t>(i)].data_ptr<float>());
    }
    return v.to(device_);
}

torch::Tensor TorchScriptGenerator::mapping(const torch::Tensor& z, const torch::Tensor& c) const {
    const torch::jit::IValue out = call("mapping", {z, c, static_cast<double>(psi_)});
    if (!out.isTensor() || out.toTensor().dim() < 1 || out.toTensor().size(0) != z.size(0))
        throw std::runtime_error(path_ + ": mapping(z, c, psi) must return a tensor with the batch size " +
                                 std::to_string(z.size(0)) + " first");
    return out.toTensor();
}

std::pair<torch::Tensor, torch::Tensor> TorchScriptGenerator::synthesis(const torch::Tensor& ws, const torch::Tensor& c,
                                                                        const torch::Tensor& vertices) const {
    const torch::jit::IValue out = call("synthesis", {ws, c, vertices});
    const int64_t B = ws.size(0);
    if (!out.isTuple() || out.toTuple()->elements().size() != 2 || !out.toTuple()->elements()[0].isTensor() ||
        !out.toTuple()->elements()[1].isTensor())
        throw std::runtime_error(path_ + ": synthesis(ws, c, vertices) must return (image, depth)");
    torch::Tensor image = out.toTuple()->elements()[0].toTensor();
    torch::Tensor depth = out.toTuple()->elements()[1].toTensor();
    const std::vector<int64_t> wantImage{B, 3, meta_.imageHeight, meta_.imageWidth};
    const std::vector<int64_t> wantDepth{B, 1, meta_.depthHeight, meta_.depthWidth};
    if (image.sizes().vec() != wantImage)
        throw std::runtime_error(path_ + ": synthesis: image has shape " + shapeText(image) + ", the metadata says [" +
                                 std::to_string(B) + ", 3, " + std::to_string(meta_.imageHeight) + ", " +
                                 std::to_string(meta_.imageWidth) + "]");
    if (depth.sizes().vec() != wantDepth)
        throw std::runtime_error(path_ + ": synthesis: depth has shape " + shapeText(depth) + ", the metadata says [" +
                                 std::to_string(B) + ", 1, " + std::to_string(meta_.depthHeight) + ", " +
                                 std::to_string(meta_.depthWidth) + "]");
    return {image, depth};
}

torch::Tensor TorchScriptGenerator::density(const torch::Tensor& ws, const torch::Tensor& c,
                                            const torch::Tensor& vertices, const torch::Tensor& points) const {
    const torch::jit::IValue out = call("density", {ws, c, vertices, points});
    if (!out.isTensor()) throw std::runtime_error(path_ + ": density(ws, c, vertices, points) must return a tensor");
    torch::Tensor s = out.toTensor();
    if (s.dim() == 3 && s.size(2) == 1) s = s.squeeze(2);
    if (s.dim() != 2 || s.size(0) != points.size(0) || s.size(1) != points.size(1))
        throw std::runtime_error(path_ + ": density: sigma has shape " + shapeText(s) + ", expected [" +
                                 std::to_string(points.size(0)) + ", " + std::to_string(points.size(1)) + "]");
    return s;
}

std::vector<GeneratorOutput> TorchScriptGenerator::generate(const std::vector<GeneratorInput>& batch, int width,
                                                            int height) const {
    if (width < 1 || height < 1 || width > 16384 || height > 16384)
        throw std::invalid_argument("TorchScriptGenerator: image size out of range");
    torch::NoGradGuard no;
    std::vector<GeneratorOutput> out;
    const std::size_t step = static_cast<std::size_t>(std::max(1, meta_.preferredBatch));
    for (std::size_t start = 0; start < batch.size(); start += step) {
        const std::vector<GeneratorInput> part(batch.begin() + static_cast<std::ptrdiff_t>(start),
                                               batch.begin() + static_cast<std::ptrdiff_t>(std::min(batch.size(), start + step)));
        const torch::Tensor c = cameras(part);
        const torch::Tensor ws = mapping(latents(part), c);
        auto [image, depth] = synthesis(ws, c, vertices(part));
        // [-1, 1] RGB -> 8-bit, on the host, one image at a time.
        image = ((image.to(torch::kCPU, torch::kFloat32).clamp(-1, 1) + 1.0) * 127.5).round().to(torch::kUInt8);
        image = image.permute({0, 2, 3, 1}).contiguous();
        depth = depth.to(torch::kCPU, torch::kFloat32).contiguous();
        for (int64_t b = 0; b < image.size(0); ++b) {
            GeneratorOutput o;
            const cv::Mat rgb(meta_.imageHeight, meta_.imageWidth, CV_8UC3, image[b].data_ptr<std::uint8_t>());
            cv::Mat bgr;
            cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
            if (bgr.cols != width || bgr.rows != height) {
                const bool down = width < bgr.cols && height < bgr.rows;
                cv::resize(bgr, o.image, cv::Size(width, height), 0, 0, down ? cv::INTER_AREA : cv::INTER_CUBIC);
            } else {
                o.image = bgr;
            }
            const cv::Mat d(meta_.depthHeight, meta_.depthWidth, CV_32FC1, depth[b][0].data_ptr<float>());
            // Nearest: interpolating across the silhouette would invent depths between face and background.
            cv::resize(d, o.depth, cv::Size(width, height), 0, 0, cv::INTER_NEAREST);
            out.push_back(std::move(o));
        }
    }
    return out;
}

std::vector<float> TorchScriptGenerator::density(const GeneratorInput& input,
                                                 const Eigen::Ref<const camera::Points3f>& worldPoints) const {
    torch::NoGradGuard no;
    const torch::Tensor c = cameras({input});
    const torch::Tensor ws = mapping(latents({input}), c);
    const int64_t n = worldPoints.rows();
    torch::Tensor p = torch::empty({1, n, 3});
    float* dst = p.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i)
        for (int k = 0; k < 3; ++k) dst[i * 3 + k] = worldPoints(i, k);
    const torch::Tensor s = density(ws, c, vertices({input}), p.to(device_)).to(torch::kCPU, torch::kFloat32).contiguous();
    return std::vector<float>(s.data_ptr<float>(), s.data_ptr<float>() + n);
}

std::shared_ptr<const Generator> loadTorchScriptGenerator(const std::string& path,
                                                          std::shared_ptr<const head::HeadModel> model,
                                                          const TorchScriptGeneratorOptions& options) {
    return std::make_shared<TorchScriptGenerator>(path, std::move(model), deviceFor(options.device), options.psi);
}

const GeneratorMetadata* torchScriptMetadata(const Generator& generator) {
    const auto* g = dynamic_cast<const TorchScriptGenerator*>(&generator);
    return g ? &g->metadata() : nullptr;
}

}  // namespace synthforge::generate
