// Realism transfer's settings, their checks and config.json (torch-free).

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/dataset/dataset_manifest.h"
#include "core/io/file_util.h"
#include "core/train/run_weights.h"
#include "core/transfer/transfer.h"

namespace synthforge::transfer {

namespace fs = std::filesystem;

bool isKnownTransferMethod(const std::string& method) { return method == "cyclegan" || usesCutGenerator(method); }
bool isCutMethod(const std::string& method) { return method == "cut" || method == "fastcut"; }
bool usesCutGenerator(const std::string& method) { return isCutMethod(method) || method == "vsait"; }

TransferTrainConfig::TransferTrainConfig() : RunConfigCommon(2e-4) {
    // CycleGAN's recipe: Adam (0.5, 0.999) at 2e-4, held for the first half
    // of the run then decayed linearly to 0, no weight decay, batch 1.
    beta1 = 0.5;
    beta2 = 0.999;
    weightDecay = 0;
    schedule = "hold-linear";
    milestones = {0.5};
    minLr = 0;
    batch = 1;
    size = 256;
    epochs = 10;
    valFraction = 0.05;
}

int64_t TransferTrainConfig::blocks() const {
    if (residualBlocks > 0) return residualBlocks;
    if (usesCutGenerator(method)) return 9;  // CUT's resnet_9blocks at every size; VSAIT's RES_BLOCKS 9
    return size >= 256 ? 9 : 6;
}

double TransferTrainConfig::nceWeight() const { return lambdaNce >= 0 ? lambdaNce : method == "fastcut" ? 10.0 : 1.0; }
bool TransferTrainConfig::usesNceIdentity() const { return nceIdentity >= 0 ? nceIdentity == 1 : method == "cut"; }
bool TransferTrainConfig::usesFlipEquivariance() const {
    return flipEquivariance >= 0 ? flipEquivariance == 1 : method == "fastcut";
}

int64_t TransferTrainConfig::loadSize() const {
    return std::max<int64_t>(size, static_cast<int64_t>(std::lround(static_cast<double>(size) * loadScale)));
}

void validateTransferTrainConfig(const TransferTrainConfig& c) {
    train::validateRunCommon(c, "the generator downsamples twice and the discriminator thrice");
    train::checkRunField(isKnownTransferMethod(c.method), "method",
                         "'" + c.method + "' is not a translator this build has (cyclegan, cut, fastcut, vsait)");
    train::checkRunField(!c.target.empty(), "target", "a folder of real face images is required");
    train::checkRunField(c.targetAlign.empty() || fs::is_directory(c.targetAlign), "target_align",
                         c.targetAlign + ": not a run directory");
    train::checkRunField(c.size % 4 == 0, "size", std::to_string(c.size) + " is not a multiple of 4 (two stride-2 stages)");
    train::checkRunField(c.generatorFilters >= 1 && c.generatorFilters <= 1024, "generator_filters", "must be in 1..1024");
    train::checkRunField(c.discriminatorFilters >= 1 && c.discriminatorFilters <= 1024, "discriminator_filters",
                         "must be in 1..1024");
    train::checkRunField(c.residualBlocks >= 0 && c.residualBlocks <= 64, "residual_blocks", "must be in 0..64 (0: 9 at 256, else 6)");
    train::checkRunField(c.lambdaCycle >= 0 && std::isfinite(c.lambdaCycle), "lambda_cycle", "must be non-negative");
    train::checkRunField(c.lambdaIdentity >= 0 && std::isfinite(c.lambdaIdentity), "lambda_identity", "must be non-negative");
    train::checkRunField(c.poolSize >= 0 && c.poolSize <= 1000, "pool_size", "must be in 0..1000");
    train::checkRunField(c.loadScale >= 1 && c.loadScale <= 2, "load_scale", "must be in [1, 2]");
    train::checkRunField(c.discriminatorLrScale > 0 && std::isfinite(c.discriminatorLrScale), "d_lr_scale",
                         "must be positive");
    if (isCutMethod(c.method)) {
        // The generator has 4 + 8 + blocks + 8 + 3 layers (torch_cut_nets.h).
        const int64_t layers = 23 + c.blocks();
        train::checkRunField(!c.nceLayers.empty(), "nce_layers", "at least one layer");
        for (std::size_t i = 0; i < c.nceLayers.size(); ++i)
            train::checkRunField(c.nceLayers[i] >= 0 && c.nceLayers[i] < layers && (i == 0 || c.nceLayers[i] > c.nceLayers[i - 1]),
                                 "nce_layers", "increasing indices below the generator's " + std::to_string(layers) +
                                                   " layers (" + std::to_string(c.blocks()) + " residual blocks)");
        train::checkRunField(c.ncePatches >= 1 && c.ncePatches <= 65536, "nce_patches", "must be in 1..65536");
        train::checkRunField(c.nceTemperature > 0 && std::isfinite(c.nceTemperature), "nce_temperature", "must be positive");
        train::checkRunField(c.nceFeatures >= 1 && c.nceFeatures <= 4096, "nce_features", "must be in 1..4096");
        train::checkRunField(c.lambdaGan >= 0 && std::isfinite(c.lambdaGan), "lambda_gan", "must be non-negative");
        train::checkRunField(c.nceIdentity >= -1 && c.nceIdentity <= 1, "nce_identity", "-1 (the method's), 0 or 1");
        train::checkRunField(c.flipEquivariance >= -1 && c.flipEquivariance <= 1, "flip_equivariance",
                             "-1 (the method's), 0 or 1");
    }
    if (c.method == "vsait") {
        train::checkRunField(!c.vgg19.empty(), "vgg19",
                             "VSAIT needs VGG19 weights: convert torchvision's with tools/export_vgg19.py");
        train::checkRunField(fs::is_regular_file(c.vgg19), "vgg19", c.vgg19 + ": no such file");
        train::checkRunField(c.size % 16 == 0, "size",
                             std::to_string(c.size) + " is not a multiple of 16 (VSAIT hashes 16 x 16-pixel cells)");
        train::checkRunField(c.vsaDims >= 1 && c.vsaDims <= 65536, "vsa_dims", "must be in 1..65536");
        train::checkRunField(c.lambdaVsa >= 0 && std::isfinite(c.lambdaVsa), "lambda_vsa", "must be non-negative");
    }
    train::checkRunField(c.lambdaStructure >= 0 && std::isfinite(c.lambdaStructure), "lambda_structure",
                         "must be non-negative");
    train::checkRunField((c.lambdaStructure > 0) == !c.structureRun.empty(), "structure_run",
                         "the structure term needs both a Stage I run and a weight above 0");
    train::checkRunField(c.bestMetric == "loss", "best_metric", "transfer runs choose best.pt by the validation cycle loss");
}

std::string TransferTrainConfig::toJson() const {
    nlohmann::ordered_json j;
    train::putRunIdentity(j, "transfer", *this);
    j["target"] = fs::absolute(target).lexically_normal().string();
    if (!targetAlign.empty()) j["target_align"] = fs::absolute(targetAlign).lexically_normal().string();
    j["method"] = method;
    j["networks"] = {{"generator_filters", generatorFilters},
                     {"discriminator_filters", discriminatorFilters},
                     {"residual_blocks", blocks()}};
    if (isCutMethod(method)) {
        j["losses"] = {{"gan", "lsgan"},
                       {"lambda_gan", lambdaGan},
                       {"lambda_nce", nceWeight()},
                       {"nce_identity", usesNceIdentity()},
                       {"flip_equivariance", usesFlipEquivariance()},
                       {"nce_layers", nceLayers},
                       {"nce_patches", ncePatches},
                       {"nce_temperature", nceTemperature},
                       {"nce_features", nceFeatures}};
    } else if (method == "vsait") {
        j["losses"] = {{"gan", "hinge"},
                       {"lambda_vsa", lambdaVsa},
                       {"vsa_dims", vsaDims},
                       {"lsh_patches", {16, 8, 4, 2, 1}},
                       {"vgg19_taps", {"conv1_2", "conv2_2", "conv3_2", "conv4_2", "conv5_2"}}};
        j["vgg19"] = fs::absolute(vgg19).lexically_normal().string();
    } else {
        j["losses"] = {{"gan", "lsgan"}, {"lambda_cycle", lambdaCycle}, {"lambda_identity", lambdaIdentity}};
        j["pool_size"] = poolSize;
    }
    if (lambdaStructure > 0)
        j["structure"] = {{"stage1", fs::absolute(structureRun).lexically_normal().string()}, {"lambda", lambdaStructure}};
    train::putRunBatching(j, *this);
    j["load_size"] = loadSize();
    j["seed"] = seed;
    j["optimizer"] = {{"name", "adam"},
                      {"lr", lr},
                      {"betas", {beta1, beta2}},
                      {"eps", eps},
                      {"weight_decay", weightDecay},
                      {"d_lr_scale", discriminatorLrScale}};
    train::putRunSchedule(j, *this);
    train::putRunTail(j, *this);
    return j.dump(2) + "\n";
}

std::string validateTransferApplyConfig(const TransferApplyConfig& c) {
    if (c.data.empty()) throw std::invalid_argument("data: required");
    if (c.out.empty()) throw std::invalid_argument("out: required");
    if (c.shardCount < 1 || c.shardIndex < 0 || c.shardIndex >= c.shardCount)
        throw std::invalid_argument("shard: " + std::to_string(c.shardIndex) + "/" + std::to_string(c.shardCount) +
                                    " is not i/n with 0 <= i < n");
    if (c.size != 0 && (c.size < 16 || c.size > 8192 || c.size % 4 != 0))
        throw std::invalid_argument("size: " + std::to_string(c.size) + " is not 0 or a multiple of 4 in 16..8192");
    if (c.batch < 1) throw std::invalid_argument("batch: must be at least 1");
    train::validateWeightsChoice(c.weights);
    if (fs::weakly_canonical(c.data) == fs::weakly_canonical(c.out))
        throw std::invalid_argument("out: is the source dataset; apply writes a new dataset");
    if (c.model.empty() == c.restorer.empty())
        throw std::invalid_argument("model, restorer: give one, a transfer run or a TorchScript restorer");
    if (!(c.fidelity >= 0 && c.fidelity <= 1)) throw std::invalid_argument("fidelity: must be in [0, 1]");
    dataset::readDatasetManifest(c.data);
    if (!c.restorer.empty()) {
        std::error_code ec;
        if (!fs::is_regular_file(c.restorer, ec)) throw std::runtime_error(c.restorer + ": no such restorer file");
        return c.restorer;
    }
    return train::runWeightsFile(c.model, c.weights, "the transfer run has not finished training");
}

void validateTransferEvalConfig(const TransferEvalConfig& c) {
    if (c.source.empty()) throw std::invalid_argument("source: required");
    if (c.translated.empty()) throw std::invalid_argument("translated: required");
    if (c.stage1.empty() && c.fr.empty()) throw std::invalid_argument("stage1, fr: give at least one run to measure with");
    if (!c.target.empty() && c.fr.empty()) throw std::invalid_argument("target: KID needs the fr run's features (--fr)");
    if (!(c.maxNmeIncrease > 0)) throw std::invalid_argument("max_nme_increase: must be positive");
    if (c.kidSubsets < 1 || c.kidSubsetSize < 2) throw std::invalid_argument("kid_subsets: at least 1 subset of 2 or more");
    if (c.batch < 1) throw std::invalid_argument("batch: must be at least 1");
}

std::vector<std::string> listTargetImages(const std::string& folder) {
    static const std::set<std::string> kExtensions = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"};
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw std::runtime_error(folder + ": not a folder (target images)");
    std::vector<std::string> found;
    // FFHQ and CelebA-HQ come as one folder or as numbered sub-folders.
    for (fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        if (it.depth() > 2) {
            it.disable_recursion_pending();
            continue;
        }
        std::error_code fileEc;
        if (it->is_regular_file(fileEc) && kExtensions.count(io::lowerExtension(it->path().string())))
            found.push_back(it->path().string());
    }
    if (ec) throw std::runtime_error(folder + ": cannot list the folder (" + ec.message() + ")");
    if (found.empty())
        throw std::runtime_error(folder + ": no images (png, jpg, jpeg, bmp, webp, tif) in it or in its sub-folders");
    std::sort(found.begin(), found.end());
    return found;
}

}  // namespace synthforge::transfer
