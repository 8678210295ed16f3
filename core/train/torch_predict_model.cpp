// The network behind predict (see torch_predict_model.h).

#include "core/train/torch_predict_model.h"

#include <torch/torch.h>

#include <filesystem>
#include <stdexcept>

#include "core/dataset/dataset_manifest.h"
#include "core/train/torch_benchmark_data.h"
#include "core/train/torch_weights.h"
#include "core/train/run_weights.h"

namespace synthforge::train {

namespace fs = std::filesystem;

torch::Tensor bgrToInput(const std::vector<cv::Mat>& bgr, int size) {
    const auto b = static_cast<int64_t>(bgr.size());
    torch::Tensor x = torch::empty({b, 3, size, size});
    const int64_t plane = static_cast<int64_t>(size) * size;
    for (int64_t k = 0; k < b; ++k) {
        const cv::Mat& m = bgr[static_cast<std::size_t>(k)];
        if (m.rows != size || m.cols != size || m.type() != CV_8UC3)
            throw std::invalid_argument("bgrToInput: image " + std::to_string(k) + " is not " + std::to_string(size) +
                                        "x" + std::to_string(size) + " BGR");
        float* dst = x.data_ptr<float>() + k * 3 * plane;
        for (int y = 0; y < size; ++y) {
            const auto* row = m.ptr<cv::Vec3b>(y);
            for (int xx = 0; xx < size; ++xx)
                for (int c = 0; c < 3; ++c)  // BGR in, RGB out
                    dst[c * plane + y * size + xx] = static_cast<float>(row[xx][2 - c]) / 127.5f - 1.0f;
        }
    }
    return x;
}

PredictModel PredictModel::load(const std::string& runDir, const std::string& which, const PredictRunFacts& facts,
                                const torch::Device& device) {
    std::error_code ec;
    if (!fs::is_directory(runDir, ec)) throw std::runtime_error(runDir + ": no such run directory");
    PredictModel m;
    m.device_ = device;
    m.weights_ = runWeightsFile(runDir, which, "the run has not finished training");
    if (facts.stageTwo) {
        m.stage2_ = loadFinetunedModel(m.weights_);
        m.stage2_->stage1->to(device);
        m.stage2_->heads->to(device);
        m.stage2_->stage1->eval();
        m.stage2_->heads->eval();
        m.numLandmarks_ = m.stage2_->heads->options.numLandmarks();
        m.numClasses_ = m.stage2_->heads->options.numClasses();
        if (const annotate::ClassTable* t = benchmarkClassTable(facts.format)) m.classes_ = *t;
        return m;
    }
    m.stage1_ = loadMultiTaskNet(m.weights_);
    m.stage1_->to(device);
    m.stage1_->eval();
    m.numLandmarks_ = m.stage1_->options.numLandmarks();
    m.numClasses_ = m.stage1_->options.numClasses();
    // The class colours are the training dataset's; without it, the default
    // table's (which the generator writes unless told otherwise).
    m.classes_ = annotate::ClassTable::defaultTable();
    if (!facts.data.empty() && dataset::hasDatasetManifest(facts.data)) {
        const dataset::DatasetManifest manifest = dataset::readDatasetManifest(facts.data);
        if (manifest.classes) m.classes_ = *manifest.classes;
    } else {
        m.classNote_ = "class colours: the default table (the training data " +
                       (facts.data.empty() ? std::string("is not named in config.json") : facts.data + " is gone") + ")";
    }
    return m;
}

PredictOutput PredictModel::forward(const torch::Tensor& images) {
    torch::NoGradGuard noGrad;
    const torch::Tensor x = images.to(device_);
    PredictOutput out;
    auto cpu = [](const torch::Tensor& t) { return t.defined() ? t.to(torch::kCPU).contiguous() : t; };
    if (stage2_) {
        const FinetuneOutput y = stage2_->forward(x);
        out.landmarks = cpu(y.landmarks);
        out.segmentation = cpu(y.segmentation);
        out.depth = cpu(y.depth);
        return out;
    }
    const MultiTaskOutput y = stage1_->forward(x);
    out.landmarks = cpu(y.landmarks);
    out.segmentation = cpu(y.segmentation);
    out.depth = cpu(y.depth);
    return out;
}

MultiTaskNet& PredictModel::stageOneNet() {
    if (!stage1_) throw std::logic_error("PredictModel::stageOneNet: a Stage II model");
    return stage1_;
}

}  // namespace synthforge::train
