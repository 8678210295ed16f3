// The learning-rate range test (trainer.h findLearningRate): the run's own
// set-up and step (torch_stage_one.h) with the rate swept exponentially, the
// loss recorded per step, and the curve written as CSV, PNG and JSON.

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/io/file_util.h"
#include "core/io/png_writer.h"
#include "core/train/lr_range.h"
#include "core/train/torch_run_directory.h"
#include "core/train/torch_run_loop.h"
#include "core/train/torch_stage_one.h"
#include "core/train/trainer.h"

namespace synthforge::train {

namespace {

void validateRange(const LrRangeConfig& r) {
    checkRunField(r.steps >= 3, "find_lr_steps", "must be at least 3");
    checkRunField(r.minLr > 0 && std::isfinite(r.minLr), "find_lr_min", "must be positive");
    checkRunField(r.maxLr > r.minLr && std::isfinite(r.maxLr), "find_lr_max", "must be above find_lr_min");
    checkRunField(r.smoothing >= 0 && r.smoothing < 1, "smoothing", "must be in [0, 1)");
    checkRunField(r.divergeFactor > 1, "diverge_factor", "must be above 1");
}

}  // namespace

LrRangeResult findLearningRate(const TrainConfig& config, const LrRangeConfig& range, jobs::ProgressSink* progress,
                               const jobs::CancelToken* cancel) {
    validateRange(range);
    StageOneSession session(config);
    const TrainConfig& c = session.config();
    namespace fs = std::filesystem;
    fs::create_directories(c.out);

    LrRangeResult r;
    jobs::ProgressTracker tracker(progress, "find-lr", static_cast<uint64_t>(range.steps));
    MultiTaskNet& net = session.net();
    torch::optim::AdamW& optimizer = session.optimizer();
    net->train();
    double best = HUGE_VAL;
    for (int64_t i = 0; i < range.steps; ++i) {
        if (cancel && cancel->cancelled()) throw jobs::Cancelled();
        torch::manual_seed(c.seed * 1000003ull + static_cast<uint64_t>(i) + 1);
        const double lr = lrRangeRate(range.minLr, range.maxLr, i, range.steps);
        optimizer.param_groups()[0].options().set_lr(c.backboneLrScale * lr);
        optimizer.param_groups()[1].options().set_lr(lr);
        clearGradients(optimizer);
        const StepReport report = session.step(i, lr);
        optimizer.step();
        const double loss = report.values.front();
        r.lr.push_back(lr);
        r.loss.push_back(loss);
        r.smoothed = smoothLosses(r.loss, range.smoothing);
        const double s = r.smoothed.back();
        tracker.setMessage("lr " + formatMetric(lr) + " loss " + formatMetric(loss));
        tracker.advance();
        if (!std::isfinite(s) || (i > 0 && s > range.divergeFactor * best)) {
            r.diverged = i + 1 < range.steps;
            break;
        }
        best = std::min(best, s);
    }
    tracker.finish();
    r.suggestionIndex = steepestDescentIndex(r.lr, r.smoothed);
    if (r.suggestionIndex >= 0) r.suggestion = r.lr[static_cast<size_t>(r.suggestionIndex)];

    std::string csv = "step,lr,loss,smoothed\n";
    for (size_t i = 0; i < r.lr.size(); ++i)
        csv += std::to_string(i) + ',' + formatMetric(r.lr[i]) + ',' + formatMetric(r.loss[i]) + ',' +
               formatMetric(r.smoothed[i]) + '\n';
    r.csv = (fs::path(c.out) / "lr_find.csv").string();
    r.png = (fs::path(c.out) / "lr_find.png").string();
    r.json = (fs::path(c.out) / "lr_find.json").string();
    io::writeFileAtomic(r.csv, csv);
    const std::vector<std::uint8_t> png = io::encodePng(plotLrRange(r.lr, r.smoothed, r.suggestionIndex));
    io::writeFileAtomic(r.png, png.data(), png.size());
    nlohmann::ordered_json j;
    j["format"] = "synthforge-lr-find";
    j["version"] = 1;
    j["recipe"] = c.recipe;
    j["min_lr"] = range.minLr;
    j["max_lr"] = range.maxLr;
    j["steps"] = r.lr.size();
    j["diverged"] = r.diverged;
    j["smoothing"] = range.smoothing;
    j["suggested_lr"] = r.suggestionIndex >= 0 ? nlohmann::ordered_json(r.suggestion) : nlohmann::ordered_json();
    j["rule"] = "steepest descent of the smoothed loss against log(lr), before its minimum";
    io::writeFileAtomic(r.json, j.dump(2) + "\n");
    return r;
}

}  // namespace synthforge::train
