// Checks and config.json fields shared by Stage I and Stage II runs.

#include "core/train/run_config_common.h"

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/train/augment.h"

namespace synthforge::train {

void checkRunField(bool ok, const std::string& field, const std::string& why) {
    if (!ok) throw std::invalid_argument(field + ": " + why);
}

void validateRunCommon(const RunConfigCommon& c, const std::string& sizeReason) {
    checkRunField(!c.data.empty(), "data", "required");
    checkRunField(!c.out.empty(), "out", "required");
    checkRunField(c.epochs >= 1, "epochs", "must be at least 1");
    checkRunField(c.batch >= 1, "batch", "must be at least 1");
    checkRunField(c.size >= 64, "size", "must be at least 64 (" + sizeReason + ")");
    checkRunField(c.lr > 0 && std::isfinite(c.lr), "lr", "must be positive");
    checkRunField(c.minLr >= 0 && c.minLr <= c.lr, "min_lr", "must be in [0, lr]");
    checkRunField(c.weightDecay >= 0, "weight_decay", "must be non-negative");
    checkRunField(c.valFraction >= 0 && c.valFraction < 1, "val_fraction", "must be in [0, 1)");
    checkRunField(!c.augment.empty(), "augment", "none, default or a JSON file");
    checkRunField(c.workers >= 0, "workers", "must be at least 0");
    checkRunField(c.prefetch >= 1, "prefetch", "must be at least 1");
    checkRunField(c.checkpointEvery >= 1, "checkpoint_every", "must be at least 1");
    checkRunField(c.imageEvery >= 0, "image_every", "must be at least 0");
    checkRunField(c.keepCheckpoints >= 1, "keep_checkpoints", "must be at least 1");
    checkRunField(c.device == "auto" || c.device == "cpu" || c.device == "cuda", "device", "auto, cpu or cuda");
}

void putRunIdentity(nlohmann::ordered_json& j, const std::string& stage, const RunConfigCommon& c) {
    j["format"] = "synthforge-train-config";
    j["version"] = 1;
    j["stage"] = stage;
    j["data"] = std::filesystem::absolute(c.data).lexically_normal().string();
}

void putRunBatching(nlohmann::ordered_json& j, const RunConfigCommon& c) {
    j["epochs"] = c.epochs;
    j["batch"] = c.batch;
    j["size"] = c.size;
}

void putRunSchedule(nlohmann::ordered_json& j, const RunConfigCommon& c) {
    j["schedule"] = {{"name", "cosine"}, {"min_lr", c.minLr}};
}

void putRunTail(nlohmann::ordered_json& j, const RunConfigCommon& c) {
    j["val_fraction"] = c.valFraction;
    j["checkpoint_every"] = c.checkpointEvery;
    j["keep_checkpoints"] = c.keepCheckpoints;
    j["image_every"] = c.imageEvery;
    j["augment"] = nlohmann::ordered_json::parse(augmentConfigToJson(resolveAugment(c.augment)));
}

}  // namespace synthforge::train
