#include "core/fr/face_recognition.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>

namespace synthforge::fr {

FrTrainConfig::FrTrainConfig() : RunConfigCommon(0.1) {
    // The AdaFace recipe's optimiser; the epochs and batch suit a CPU run.
    weightDecay = 5e-4;
    batch = 32;
    size = kFaceSize;
    epochs = 10;
    bestMetric = "accuracy";
    warmupSteps = 0;
    minLr = 1e-4;
}

void validateFrTrainConfig(const FrTrainConfig& c) {
    train::validateRunCommon(c, "IResNet needs 112 x 112 crops");
    train::checkRunField(c.size == kFaceSize, "size", "face recognition trains on 112 x 112 crops");
    train::checkRunField(c.preset == "tiny" || c.preset == "ir18" || c.preset == "ir50" || c.preset == "ir100",
                         "preset", "'" + c.preset + "' is not tiny, ir18, ir50 or ir100");
    train::checkRunField(c.head == "adaface" || c.head == "arcface" || c.head == "cosface", "head",
                         "'" + c.head + "' is not adaface, arcface or cosface");
    train::checkRunField(c.momentum >= 0 && c.momentum < 1, "momentum", "must be in [0, 1)");
    train::checkRunField(c.scale > 0 && std::isfinite(c.scale), "scale", "must be positive");
    train::checkRunField(c.margin < 0 || c.margin < 1.5, "margin", "must be below 1.5 (or negative for the head's default)");
    train::checkRunField(c.bestMetric == "accuracy" || c.bestMetric == "loss", "best_metric",
                         "face recognition chooses its best checkpoint on accuracy or loss");
}

std::string FrTrainConfig::toJson() const {
    nlohmann::ordered_json j;
    train::putRunIdentity(j, "fr", *this);
    j["preset"] = preset;
    j["head"] = {{"name", head}, {"scale", scale}, {"margin", margin}};
    train::putRunBatching(j, *this);
    j["seed"] = seed;
    j["optimizer"] = {{"name", "sgd"}, {"lr", lr}, {"momentum", momentum}, {"weight_decay", weightDecay}};
    train::putRunSchedule(j, *this);
    train::putRunTail(j, *this);
    return j.dump(2) + "\n";
}

IdentityPairs identityPairs(const std::vector<std::vector<std::string>>& imagesPerIdentity) {
    IdentityPairs p;
    std::vector<int64_t> first;
    for (const auto& images : imagesPerIdentity) {
        first.push_back(static_cast<int64_t>(p.images.size()));
        p.images.insert(p.images.end(), images.begin(), images.end());
    }
    const std::size_t n = imagesPerIdentity.size();
    for (std::size_t i = 0; i < n; ++i) {
        const int64_t count = static_cast<int64_t>(imagesPerIdentity[i].size());
        for (int64_t k = 0; k + 1 < count; k += 2) {
            p.pairs.emplace_back(first[i] + k, first[i] + k + 1);
            p.same.push_back(true);
            if (n < 2) continue;
            // A different pair for each same pair, so the classes balance.
            const std::size_t j = (i + 1) % n;
            const int64_t other = std::min<int64_t>(k, static_cast<int64_t>(imagesPerIdentity[j].size()) - 1);
            if (other < 0) continue;
            p.pairs.emplace_back(first[i] + k, first[j] + other);
            p.same.push_back(false);
        }
    }
    return p;
}

}  // namespace synthforge::fr
