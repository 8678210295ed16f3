// Checks, schedule and config.json fields shared by Stage I and Stage II runs.

#include "core/train/run_config_common.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/io/json_fields.h"
#include "core/train/augment.h"

namespace synthforge::train {

void checkRunField(bool ok, const std::string& field, const std::string& why) {
    if (!ok) throw std::invalid_argument(field + ": " + why);
}

bool isKnownPrecision(const std::string& name) { return name == "fp32" || name == "bf16"; }

void validateRunCommon(const RunConfigCommon& c, const std::string& sizeReason) {
    checkRunField(!c.data.empty(), "data", "required");
    checkRunField(!c.out.empty(), "out", "required");
    validateRunValues(c, sizeReason);
}

void validateRunValues(const RunConfigCommon& c, const std::string& sizeReason) {
    checkRunField(c.epochs >= 1, "epochs", "must be at least 1");
    checkRunField(c.batch >= 1, "batch", "must be at least 1");
    checkRunField(c.size >= 64, "size", "must be at least 64 (" + sizeReason + ")");
    checkRunField(isKnownPrecision(c.precision), "precision", "\"" + c.precision + "\" is not fp32 or bf16");
    checkRunField(c.distTimeout > 0 && c.distTimeout <= 86400, "dist_timeout", "must be in (0, 86400] seconds");
    checkRunField(c.lr > 0 && std::isfinite(c.lr), "lr", "must be positive");
    checkRunField(c.minLr >= 0 && c.minLr <= c.lr, "min_lr", "must be in [0, lr]");
    checkRunField(c.weightDecay >= 0 && std::isfinite(c.weightDecay), "weight_decay", "must be non-negative");
    checkRunField(c.beta1 >= 0 && c.beta1 < 1 && c.beta2 >= 0 && c.beta2 < 1, "betas", "each must be in [0, 1)");
    checkRunField(c.eps > 0 && std::isfinite(c.eps), "eps", "must be positive");
    checkRunField(c.schedule == "cosine" || c.schedule == "linear" || c.schedule == "constant" || c.schedule == "step" ||
                      c.schedule == "hold-linear",
                  "schedule", "\"" + c.schedule + "\" is not cosine, linear, constant, step or hold-linear");
    if (c.schedule == "hold-linear")
        checkRunField(c.milestones.size() == 1 && c.milestones[0] >= 0 && c.milestones[0] < 1, "milestones",
                      "the hold-linear schedule takes one, the fraction of the run where the decay starts, in [0, 1)");
    if (c.schedule == "step") {
        checkRunField(!c.milestones.empty(), "milestones", "the step schedule needs at least one");
        for (std::size_t i = 0; i < c.milestones.size(); ++i)
            checkRunField(c.milestones[i] > 0 && c.milestones[i] < 1 && (i == 0 || c.milestones[i] > c.milestones[i - 1]),
                          "milestones", "fractions of the run in (0, 1), increasing");
        checkRunField(c.gamma > 0 && c.gamma <= 1, "gamma", "must be in (0, 1]");
    }
    checkRunField(c.warmupSteps >= 0, "warmup_steps", "must be at least 0");
    checkRunField(c.gradClip >= 0 && std::isfinite(c.gradClip), "grad_clip", "must be non-negative (0: off)");
    checkRunField(c.valFraction >= 0 && c.valFraction < 1, "val_fraction", "must be in [0, 1)");
    checkRunField(c.valEvery >= 0, "val_every", "must be at least 0 (0: at every checkpoint)");
    checkRunField(c.earlyStopPatience >= 0, "early_stop_patience", "must be at least 0 (0: off)");
    checkRunField(c.earlyStopMinDelta >= 0 && std::isfinite(c.earlyStopMinDelta), "early_stop_min_delta",
                  "must be non-negative");
    checkRunField(!c.augment.empty(), "augment", "none, default or a JSON file");
    checkRunField(c.workers >= 0, "workers", "must be at least 0");
    checkRunField(c.prefetch >= 1, "prefetch", "must be at least 1");
    checkRunField(c.checkpointEvery >= 1, "checkpoint_every", "must be at least 1");
    checkRunField(c.imageEvery >= 0, "image_every", "must be at least 0");
    checkRunField(c.keepCheckpoints >= 1, "keep_checkpoints", "must be at least 1");
    checkRunField(c.device == "auto" || c.device == "cpu" || c.device == "cuda", "device", "auto, cpu or cuda");
}

double scheduledLr(const RunConfigCommon& c, int64_t step, int64_t total) {
    if (step < c.warmupSteps) return c.lr * static_cast<double>(step + 1) / static_cast<double>(c.warmupSteps);
    if (c.schedule == "constant") return c.lr;
    if (c.schedule == "step") {
        double lr = c.lr;
        for (double m : c.milestones)
            if (static_cast<double>(step) >= m * static_cast<double>(total)) lr *= c.gamma;
        return lr;
    }
    if (c.schedule == "hold-linear") {
        // CycleGAN's: the rate held, then a straight line to minLr at the end.
        const double start = std::max(static_cast<double>(c.warmupSteps), c.milestones.at(0) * static_cast<double>(total));
        if (static_cast<double>(step) < start) return c.lr;
        const double span = static_cast<double>(total) - start;
        const double t = span > 0 ? std::min(1.0, (static_cast<double>(step) - start) / span) : 1.0;
        return c.lr + (c.minLr - c.lr) * t;
    }
    const int64_t span = total - c.warmupSteps;
    const double t = span > 0 ? std::min(1.0, static_cast<double>(step - c.warmupSteps) / static_cast<double>(span)) : 1.0;
    if (c.schedule == "linear") return c.lr + (c.minLr - c.lr) * t;
    return c.minLr + 0.5 * (c.lr - c.minLr) * (1.0 + std::cos(M_PI * t));
}

void putRunIdentity(nlohmann::ordered_json& j, const std::string& stage, const RunConfigCommon& c) {
    j["format"] = "synthforge-train-config";
    j["version"] = kRunConfigVersion;
    j["stage"] = stage;
    j["data"] = std::filesystem::absolute(c.data).lexically_normal().string();
}

void putRunBatching(nlohmann::ordered_json& j, const RunConfigCommon& c) {
    j["epochs"] = c.epochs;
    j["batch"] = c.batch;
    j["size"] = c.size;
    // Only when chosen, so fp32 runs' config.json stays as before.
    if (c.precision != "fp32") j["precision"] = c.precision;
    if (c.syncBatchNorm) j["sync_batchnorm"] = true;
}

nlohmann::ordered_json runOptimizerJson(const RunConfigCommon& c) {
    return {{"name", "adamw"}, {"lr", c.lr}, {"weight_decay", c.weightDecay}, {"betas", {c.beta1, c.beta2}},
            {"eps", c.eps}};
}

void putRunSchedule(nlohmann::ordered_json& j, const RunConfigCommon& c) {
    j["schedule"] = {{"name", c.schedule}, {"min_lr", c.minLr}, {"warmup_steps", c.warmupSteps}};
    // Only the step and hold-linear schedules have them, so other runs' config.json is unchanged.
    if (c.schedule == "step") {
        j["schedule"]["milestones"] = c.milestones;
        j["schedule"]["gamma"] = c.gamma;
    }
    if (c.schedule == "hold-linear") j["schedule"]["milestones"] = c.milestones;
    j["grad_clip"] = c.gradClip;
}

void putRunTail(nlohmann::ordered_json& j, const RunConfigCommon& c) {
    j["val_fraction"] = c.valFraction;
    j["validation"] = {{"every", c.valEvery},
                       {"best_metric", c.bestMetric},
                       {"early_stop_patience", c.earlyStopPatience},
                       {"early_stop_min_delta", c.earlyStopMinDelta}};
    j["checkpoint_every"] = c.checkpointEvery;
    j["keep_checkpoints"] = c.keepCheckpoints;
    j["image_every"] = c.imageEvery;
    j["augment"] = nlohmann::ordered_json::parse(augmentConfigToJson(resolveAugment(c.augment)));
}

void readRunCommon(io::JsonFields& f, const std::string& stage, RunConfigCommon& c) {
    f.expect("format", "synthforge-train-config");
    int64_t version = kRunConfigVersion;
    if (f.integer("version", version) && (version < 1 || version > kRunConfigVersion))
        f.fail("version", std::to_string(version) + " is not one this build understands (1 to " +
                              std::to_string(kRunConfigVersion) + ")");
    f.expect("stage", stage);
    f.text("data", c.data);
    f.integer("epochs", c.epochs);
    f.integer("batch", c.batch);
    f.integer("size", c.size);
    f.text("precision", c.precision);
    f.boolean("sync_batchnorm", c.syncBatchNorm);
    f.unsignedInteger("seed", c.seed);
    f.expect("optimizer.name", "adamw");
    f.number("optimizer.lr", c.lr);
    f.number("optimizer.weight_decay", c.weightDecay);
    f.numberPair("optimizer.betas", c.beta1, c.beta2);
    f.number("optimizer.eps", c.eps);
    f.text("schedule.name", c.schedule);
    f.number("schedule.min_lr", c.minLr);
    f.integer("schedule.warmup_steps", c.warmupSteps);
    std::string milestones;
    if (f.rawJson("schedule.milestones", milestones)) {
        const nlohmann::json m = nlohmann::json::parse(milestones);
        if (!m.is_array()) f.fail("schedule.milestones", "expected an array of numbers");
        c.milestones.clear();
        for (const auto& v : m) {
            if (!v.is_number()) f.fail("schedule.milestones", "expected an array of numbers");
            c.milestones.push_back(v.get<double>());
        }
    }
    f.number("schedule.gamma", c.gamma);
    f.number("grad_clip", c.gradClip);
    f.number("val_fraction", c.valFraction);
    f.integer("validation.every", c.valEvery);
    f.text("validation.best_metric", c.bestMetric);
    f.integer("validation.early_stop_patience", c.earlyStopPatience);
    f.number("validation.early_stop_min_delta", c.earlyStopMinDelta);
    f.integer("checkpoint_every", c.checkpointEvery);
    f.integer("keep_checkpoints", c.keepCheckpoints);
    f.integer("image_every", c.imageEvery);
    std::string augment;
    if (f.rawJson("augment", augment)) {
        // Either a name or path, or the inline object config.json holds; an
        // inline object is checked here so that its errors name this file.
        const nlohmann::json v = nlohmann::json::parse(augment);
        if (v.is_string()) {
            c.augment = v.get<std::string>();
        } else if (v.is_object()) {
            try {
                augmentConfigFromJson(augment, "augment");
            } catch (const std::exception& e) {
                f.fail("augment", e.what());
            }
            c.augment = augment;
        } else {
            f.fail("augment", "expected none, default, a file name or an augmentation object");
        }
    }
}

}  // namespace synthforge::train
