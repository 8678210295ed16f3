#include "core/train/guided_scorer.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <mutex>
#include <optional>

#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "core/eval/landmark_metrics.h"
#include "core/train/predictor.h"
#include "core/train/torch_evaluator.h"
#include "core/train/torch_predict_model.h"
#include "core/train/torch_run_directory.h"
#include "core/train/torch_stage_one.h"
#include "core/train/torch_synthforge_data.h"
#include "core/train/trainer.h"

namespace synthforge::train {

namespace {

/// Sample k of a batch's outputs (every defined field), for a per-sample loss.
MultiTaskOutput sampleOf(const MultiTaskOutput& o, int64_t k) {
    const auto one = [k](const torch::Tensor& t) { return t.defined() ? t.narrow(0, k, 1) : t; };
    return MultiTaskOutput{one(o.features), one(o.segmentation), one(o.depth), one(o.heatmaps), one(o.landmarks)};
}

MultiTaskTargets sampleOf(const MultiTaskTargets& t, int64_t k) {
    const auto one = [k](const torch::Tensor& x) { return x.defined() ? x.narrow(0, k, 1) : x; };
    return MultiTaskTargets{one(t.segmentation), one(t.depth), one(t.faceMask), one(t.landmarks), one(t.landmarkWeights)};
}

class RunDifficultyScorer : public generate::DifficultyScorer {
public:
    RunDifficultyScorer(generate::SamplePipeline pipeline, PredictModel model, int64_t size, int batch,
                        std::optional<MultiTaskLossOptions> loss)
        : pipeline_(std::move(pipeline)), model_(std::move(model)), size_(size), batch_(batch), loss_(std::move(loss)) {}

    std::vector<double> score(const std::vector<generate::SampleSpec>& specs) const override {
        std::vector<double> scores;
        scores.reserve(specs.size());
        for (size_t b = 0; b < specs.size(); b += static_cast<size_t>(batch_)) {
            const size_t end = std::min(specs.size(), b + static_cast<size_t>(batch_));
            std::vector<generate::RenderedSample> rendered;
            for (size_t i = b; i < end; ++i) rendered.push_back(pipeline_.render(specs[i]));
            const std::vector<double> s = loss_ ? lossScores(rendered) : nmeScores(rendered);
            scores.insert(scores.end(), s.begin(), s.end());
        }
        return scores;
    }

private:
    std::vector<double> nmeScores(const std::vector<generate::RenderedSample>& rendered) const {
        std::vector<cv::Mat> images;
        for (const auto& r : rendered) images.push_back(r.image.image);
        torch::Tensor landmarks;
        {
            // One forward at a time: the dataset writer's workers share the scorer.
            std::lock_guard<std::mutex> lock(mu_);
            landmarks = model_.forward(bgrToInput(images, static_cast<int>(size_))).landmarks;
        }
        std::vector<double> scores;
        for (size_t k = 0; k < rendered.size(); ++k) {
            const double e = eval::nme(landmarksToPixels(landmarks[static_cast<int64_t>(k)], size_),
                                       rendered[k].annotations.landmarks2d, eval::ibug68Nme());
            // A candidate the metric cannot score (landmarks behind the
            // camera) counts as hard rather than breaking the block.
            scores.push_back(std::isfinite(e) ? e : 1.0);
        }
        return scores;
    }

    std::vector<double> lossScores(const std::vector<generate::RenderedSample>& rendered) const {
        // The training loaders' arithmetic on the renders (batchOfSamples),
        // so the targets are what training and validation compare against.
        std::vector<AugmentSample> samples;
        for (const auto& r : rendered) {
            AugmentSample a;
            cv::cvtColor(r.image.image, a.image, cv::COLOR_BGR2RGB);
            a.segmentation = r.annotations.segmentation;
            a.depth = r.annotations.depth;
            a.landmarks = r.annotations.landmarks2d;
            a.visibility.resize(static_cast<Eigen::Index>(r.annotations.landmarkVisible.size()));
            for (size_t j = 0; j < r.annotations.landmarkVisible.size(); ++j)
                a.visibility[static_cast<Eigen::Index>(j)] = r.annotations.landmarkVisible[j] ? 1.0f : 0.0f;
            samples.push_back(std::move(a));
        }
        const SynthForgeBatch batch = batchOfSamples(samples, size_, true);
        std::vector<double> scores;
        {
            std::lock_guard<std::mutex> lock(mu_);
            torch::NoGradGuard noGrad;
            MultiTaskNet& net = model_.stageOneNet();
            const MultiTaskOutput out = net->forward(batch.images.to(model_.device()));
            const MultiTaskTargets targets = stageOneTargets(batch, model_.device());
            for (int64_t k = 0; k < static_cast<int64_t>(rendered.size()); ++k)
                scores.push_back(supervisedLosses(sampleOf(out, k), sampleOf(targets, k), *loss_).total.item<double>());
        }
        // A loss that is not finite (landmarks behind the camera) counts as
        // the hardest of its batch rather than breaking standardisation.
        double hardest = 0;
        for (double v : scores)
            if (std::isfinite(v)) hardest = std::max(hardest, v);
        for (double& v : scores)
            if (!std::isfinite(v)) v = hardest;
        return scores;
    }

    generate::SamplePipeline pipeline_;
    mutable std::mutex mu_;
    mutable PredictModel model_;
    int64_t size_;
    int batch_;
    std::optional<MultiTaskLossOptions> loss_;  ///< set: score by the run's loss
};

}  // namespace

namespace {

/// The run's network and the pipeline at its size, checked against the pipeline's classes.
struct ScoringModel {
    generate::SamplePipeline pipeline;
    PredictModel model;
    int64_t size = 0;
};

ScoringModel loadScoringModel(const generate::SamplePipeline& given, const GuidedScorerOptions& o) {
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
    pipeline.annotation.normals = false;
    return ScoringModel{std::move(pipeline), std::move(model), facts.size};
}

class RunCandidateFeatures : public generate::CandidateFeatures {
public:
    RunCandidateFeatures(ScoringModel m, int batch) : m_(std::move(m)), batch_(batch) {}

    std::vector<Eigen::VectorXd> features(const std::vector<generate::SampleSpec>& specs) const override {
        std::vector<Eigen::VectorXd> out;
        for (size_t b = 0; b < specs.size(); b += static_cast<size_t>(batch_)) {
            std::vector<cv::Mat> images;
            for (size_t i = b; i < std::min(specs.size(), b + static_cast<size_t>(batch_)); ++i)
                images.push_back(m_.pipeline.render(specs[i]).image.image);
            torch::Tensor pooled;
            {
                std::lock_guard<std::mutex> lock(mu_);
                torch::NoGradGuard noGrad;
                MultiTaskNet& net = m_.model.stageOneNet();
                const MultiTaskOutput y = net->forward(bgrToInput(images, static_cast<int>(m_.size)).to(m_.model.device()));
                pooled = torch::nn::functional::normalize(y.features.mean({2, 3}),
                                                          torch::nn::functional::NormalizeFuncOptions().dim(1))
                             .to(torch::kCPU, torch::kFloat64)
                             .contiguous();
            }
            for (int64_t k = 0; k < pooled.size(0); ++k)
                out.push_back(Eigen::Map<const Eigen::VectorXd>(pooled[k].data_ptr<double>(), pooled.size(1)));
        }
        return out;
    }

private:
    mutable ScoringModel m_;
    mutable std::mutex mu_;
    int batch_;
};

}  // namespace

std::shared_ptr<const generate::DifficultyScorer> makeRunDifficultyScorer(const generate::SamplePipeline& given,
                                                                          const GuidedScorerOptions& o) {
    if (o.score != "nme" && o.score != "loss")
        throw std::invalid_argument("guided scorer: score must be nme or loss, not \"" + o.score + "\"");
    ScoringModel m = loadScoringModel(given, o);
    std::optional<MultiTaskLossOptions> loss;
    if (o.score == "loss") {
        if (!given.labels)
            throw std::runtime_error(o.run + ": scoring by loss needs the segmentation, and the dataset being "
                                             "generated has none (no label map)");
        const std::string config = (std::filesystem::path(o.run) / "config.json").string();
        // Validation's settings: no equivariance term, float32.
        loss = stageOneLossOptions(readTrainConfigFile(config)).equivariance(0).precision("fp32");
        m.pipeline.annotation.segmentation = true;
    } else {
        m.pipeline.annotation.segmentation = false;
        m.pipeline.labels = nullptr;
        m.pipeline.segRemap = nullptr;
    }
    return std::make_shared<RunDifficultyScorer>(std::move(m.pipeline), std::move(m.model), m.size, o.batch,
                                                 std::move(loss));
}

std::shared_ptr<const generate::CandidateFeatures> makeRunCandidateFeatures(const generate::SamplePipeline& given,
                                                                            const GuidedScorerOptions& o) {
    ScoringModel m = loadScoringModel(given, o);
    // The image is all the backbone sees: no annotation work.
    m.pipeline.annotation.segmentation = false;
    m.pipeline.labels = nullptr;
    m.pipeline.segRemap = nullptr;
    return std::make_shared<RunCandidateFeatures>(std::move(m), o.batch);
}

}  // namespace synthforge::train
