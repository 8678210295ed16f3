#include "core/train/guided_scorer.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "core/eval/landmark_metrics.h"
#include "core/train/predictor.h"
#include "core/train/torch_evaluator.h"
#include "core/train/torch_predict_model.h"
#include "core/train/torch_run_directory.h"
#include "core/train/torch_synthforge_data.h"

namespace synthforge::train {

namespace {

class RunDifficultyScorer : public generate::DifficultyScorer {
public:
    RunDifficultyScorer(generate::SamplePipeline pipeline, PredictModel model, int64_t size, int batch)
        : pipeline_(std::move(pipeline)), model_(std::move(model)), size_(size), batch_(batch) {}

    std::vector<double> score(const std::vector<generate::SampleSpec>& specs) const override {
        std::vector<double> scores;
        scores.reserve(specs.size());
        for (size_t b = 0; b < specs.size(); b += static_cast<size_t>(batch_)) {
            const size_t end = std::min(specs.size(), b + static_cast<size_t>(batch_));
            std::vector<cv::Mat> images;
            std::vector<eval::Landmarks2d> truth;
            for (size_t i = b; i < end; ++i) {
                const generate::RenderedSample r = pipeline_.render(specs[i]);
                images.push_back(r.image.image);
                truth.push_back(r.annotations.landmarks2d);
            }
            torch::Tensor landmarks;
            {
                // One forward at a time: the dataset writer's workers share the scorer.
                std::lock_guard<std::mutex> lock(mu_);
                landmarks = model_.forward(bgrToInput(images, static_cast<int>(size_))).landmarks;
            }
            for (size_t k = 0; k < images.size(); ++k) {
                const double e =
                    eval::nme(landmarksToPixels(landmarks[static_cast<int64_t>(k)], size_), truth[k], eval::ibug68Nme());
                // A candidate the metric cannot score (landmarks behind the
                // camera) counts as hard rather than breaking the block.
                scores.push_back(std::isfinite(e) ? e : 1.0);
            }
        }
        return scores;
    }

private:
    generate::SamplePipeline pipeline_;
    mutable std::mutex mu_;
    mutable PredictModel model_;
    int64_t size_;
    int batch_;
};

}  // namespace

std::shared_ptr<const generate::DifficultyScorer> makeRunDifficultyScorer(const generate::SamplePipeline& given,
                                                                          const GuidedScorerOptions& o) {
    if (o.batch < 1) throw std::invalid_argument("guided scorer: batch must be at least 1");
    if (o.threads > 0) torch::set_num_threads(o.threads);
    std::error_code ec;
    if (!std::filesystem::is_directory(o.run, ec)) throw std::runtime_error(o.run + ": no such run directory");
    const PredictRunFacts facts = readPredictRunFacts(o.run);
    if (facts.stageTwo)
        throw std::runtime_error(o.run + ": a Stage II (finetune) run; the guided sampler scores with a Stage I run, "
                                         "whose landmarks are ours");
    PredictModel model = PredictModel::load(o.run, o.weights, facts, pickDevice(o.device));
    if (model.numLandmarks() != 68)
        throw std::runtime_error(o.run + ": the network predicts " + std::to_string(model.numLandmarks()) +
                                 " landmarks, not our 68");
    if (const annotate::ClassTable* classes = given.outputClasses())
        if (model.numClasses() != numClassesOf(*classes))
            throw std::runtime_error(o.run + ": the run was trained on " + std::to_string(model.numClasses()) +
                                     " classes, the dataset being generated has " +
                                     std::to_string(numClassesOf(*classes)) + " (a run trained on another class table)");
    generate::SamplePipeline pipeline = given;
    pipeline.width = pipeline.height = static_cast<int>(facts.size);
    pipeline.drawer = nullptr;
    pipeline.annotation.segmentation = false;
    pipeline.annotation.normals = false;
    pipeline.labels = nullptr;
    pipeline.segRemap = nullptr;
    return std::make_shared<RunDifficultyScorer>(std::move(pipeline), std::move(model), facts.size, o.batch);
}

}  // namespace synthforge::train
