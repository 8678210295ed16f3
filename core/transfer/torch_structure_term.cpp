#include "core/transfer/torch_structure_term.h"

#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "core/dataset/stored_sample.h"
#include "core/train/run_weights.h"
#include "core/train/torch_losses.h"
#include "core/train/torch_weights.h"
#include "core/transfer/transfer_images.h"

namespace synthforge::transfer {

StructureBatch loadStructureBatch(const std::string& dataset, const std::vector<std::string>& names, int side) {
    std::vector<torch::Tensor> images, classes, landmarks;
    for (const std::string& n : names) {
        dataset::StoredSampleRead what;
        what.depth = what.normals = false;
        what.required = true;
        const dataset::StoredSample s = dataset::readStoredSample(dataset, n, what);
        if (s.landmarks.rows() == 0) throw std::runtime_error(dataset + ": sample " + n + " has no landmarks");
        const cv::Mat x = translatorInput(s.image, side, side, nullptr);
        images.push_back(torch::from_blob(const_cast<float*>(x.ptr<float>()), {side, side, 3}).permute({2, 0, 1}).clone());
        cv::Mat ids;
        cv::resize(s.seg, ids, {side, side}, 0, 0, cv::INTER_NEAREST);
        classes.push_back(torch::from_blob(ids.data, {side, side}, torch::kUInt8).to(torch::kInt64));
        torch::Tensor p = torch::empty({s.landmarks.rows(), 2});
        for (int i = 0; i < s.landmarks.rows(); ++i) {
            // Continuous pixels to grid_sample's normalised coordinates: 2p/n - 1.
            p[i][0] = 2.0 * s.landmarks(i, 0) / s.image.cols - 1.0;
            p[i][1] = 2.0 * s.landmarks(i, 1) / s.image.rows - 1.0;
        }
        landmarks.push_back(p);
    }
    return {torch::stack(images), torch::stack(classes), torch::stack(landmarks)};
}

StructureTerm::StructureTerm(const std::string& stage1Run, int64_t datasetClasses, const torch::Device& device) {
    const std::string weights = train::runWeightsFile(stage1Run, "final", "the Stage I run has not finished training");
    net_ = train::loadMultiTaskNet(weights);
    if (net_->options.numClasses() != datasetClasses)
        throw std::runtime_error(weights + ": the Stage I network has " + std::to_string(net_->options.numClasses()) +
                                 " classes, the source dataset " + std::to_string(datasetClasses) +
                                 " (structure_run must be trained on data with the same classes)");
    net_->to(device);
    net_->eval();
    for (auto& p : net_->parameters()) p.set_requires_grad(false);
}

torch::Tensor StructureTerm::loss(const torch::Tensor& translated, const StructureBatch& truth) {
    const train::MultiTaskOutput y = net_->forward(translated);
    const torch::Tensor seg = torch::nn::functional::cross_entropy(
        y.segmentation, truth.classes.to(translated.device()),
        torch::nn::functional::CrossEntropyFuncOptions().ignore_index(train::kIgnoreIndex));
    const torch::Tensor lm = (y.landmarks - truth.landmarks.to(translated.device())).norm(2, 2).mean();
    return seg + lm;
}

}  // namespace synthforge::transfer
