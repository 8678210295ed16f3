// `synthforge transfer train`: any translator (torch_transfer_method.h)
// through the run loop the other trainings use (resume, schedule,
// checkpoints, metrics.csv, events, previews). The data side is shared:
// both domains' images, CycleGAN's resize-crop-flip, unpaired orders.

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "core/annotate/overlays.h"
#include "core/dataset/image_files.h"
#include "core/dataset/sample_paths.h"
#include "core/train/data_split.h"
#include "core/train/distributed_sampler.h"
#include "core/train/torch_data_parallel.h"
#include "core/train/torch_preview.h"
#include "core/train/torch_run_directory.h"
#include "core/train/torch_run_loop.h"
#include "core/train/torch_synthforge_data.h"
#include "core/dataset/dataset_manifest.h"
#include "core/transfer/torch_image_tensor.h"
#include "core/transfer/torch_structure_term.h"
#include "core/transfer/torch_transfer_method.h"
#include "core/transfer/transfer.h"
#include "core/transfer/target_alignment.h"
#include "core/transfer/transfer_images.h"
#include "core/train/augment.h"

namespace synthforge::transfer {

namespace fs = std::filesystem;

namespace {

/// The n-th draw stream of a step, independent of everything else.
std::mt19937_64 streamFor(uint64_t seed, int64_t step, int64_t slot) {
    std::seed_seq s{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), static_cast<uint32_t>(step),
                    static_cast<uint32_t>(step >> 32), static_cast<uint32_t>(slot), 0x7c6u};
    return std::mt19937_64(s);
}

/// Training images (step >= 0: CycleGAN's crop and flip, then the shared
/// augmentation when `augment` is on) or validation ones (step < 0: resized).
torch::Tensor loadImages(const std::vector<std::string>& paths, int side, int loadSide, uint64_t seed, int64_t step,
                         int64_t firstSlot, const train::AugmentConfig& augment = train::AugmentConfig::none()) {
    std::vector<torch::Tensor> images;
    for (std::size_t k = 0; k < paths.size(); ++k) {
        std::mt19937_64 rng = streamFor(seed, step, firstSlot + static_cast<int64_t>(k));
        cv::Mat x = translatorInput(dataset::readBgrImage(paths[k]), side, loadSide, step >= 0 ? &rng : nullptr);
        if (step >= 0 && augment.enabled) x = augmentTranslatorInput(x, augment, rng());
        images.push_back(rgbFloatToTensor(x));
    }
    return torch::stack(images);
}

std::vector<std::string> sourceImages(const std::string& dataset) {
    std::vector<std::string> out;
    for (const std::string& name : dataset::listCompleteSamples(dataset))
        out.push_back(dataset::samplePaths(dataset, name).image);
    return out;
}

}  // namespace

TransferTrainResult trainTransfer(const TransferTrainConfig& c, jobs::ProgressSink* progress,
                                  const jobs::CancelToken* cancel) {
    validateTransferTrainConfig(c);
    const std::vector<std::string> allSource = sourceImages(c.data);
    train::checkRunField(allSource.size() >= 2, "data",
                         c.data + " has " + std::to_string(allSource.size()) +
                             " complete samples; a transfer run needs at least 2 (is it a SynthForge dataset?)");
    const std::vector<std::string> photos = listTargetImages(c.target);
    const int64_t nVal = train::validationCount(static_cast<int64_t>(allSource.size()), c.valFraction);
    const std::vector<std::string> source(allSource.begin(), allSource.end() - nVal);
    const std::vector<std::string> val(allSource.end() - nVal, allSource.end());
    train::checkRunField(std::max(source.size(), photos.size()) >= static_cast<std::size_t>(c.batch), "batch",
                         std::to_string(c.batch) + " exceeds the " + std::to_string(std::max(source.size(), photos.size())) +
                             " images");

    if (c.threads > 0) torch::set_num_threads(c.threads);
    const torch::Device device = train::pickDevice(c.device);
    // Data-parallel when launched by torchrun, srun or `synthforge launch`:
    // each step is a global batch of batch x ranks images of each domain.
    const std::unique_ptr<train::DataParallel> dp = train::joinDataParallel(c);
    const int world = dp->worldSize(), rank = dp->rank();
    const train::RunDirectory run(c.out, c.toJson(), c.resume, c.keepCheckpoints, dp->writes());
    // Unaligned photos are framed like the renders once, inside the run
    // (kept for a resume), by rank 0; the others wait, then reuse rank 0's
    // alignment (alignTargetPhotos reads an existing one back unchanged).
    std::vector<std::string> target = photos;
    if (!c.targetAlign.empty()) {
        const auto align = [&] {
            return alignTargetPhotos(photos, c.targetAlign, meanLandmarkFrame(c.data),
                                     (fs::path(c.out) / "aligned_target").string(), c.device, progress);
        };
        if (dp->writes()) target = align();
        dp->barrier();
        if (!dp->writes()) target = align();
    }
    const int64_t nA = static_cast<int64_t>(source.size()), nB = static_cast<int64_t>(target.size());
    // An epoch is one pass over the larger domain, as in CycleGAN's loader.
    const int64_t stepsPerEpoch = train::globalMicroBatchesPerEpoch(std::max(nA, nB), c.batch, world);
    train::checkRunField(stepsPerEpoch >= 1, "batch",
                         std::to_string(c.batch) + (world > 1 ? " x " + std::to_string(world) + " ranks" : std::string()) +
                             " exceeds the " + std::to_string(std::max(nA, nB)) + " images");
    torch::manual_seed(c.seed);
    const std::unique_ptr<TransferMethod> method =
        isCutMethod(c.method) ? makeCutMethod(c, device)
        : c.method == "vsait" ? makeVsaitMethod(c, device)
                              : makeCycleGanMethod(c, device);
    const int side = static_cast<int>(c.size), loadSide = static_cast<int>(c.loadSize());
    const train::AugmentConfig augment = train::resolveAugment(c.augment);
    std::unique_ptr<StructureTerm> structure;
    if (c.lambdaStructure > 0) {
        const dataset::DatasetManifest m = dataset::readDatasetManifest(c.data);
        if (!m.classes) throw std::runtime_error(c.data + ": the dataset has no segmentation, which the structure term needs");
        structure = std::make_unique<StructureTerm>(c.structureRun, train::numClassesOf(*m.classes), device);
    }

    train::RunLoopHooks hooks;
    hooks.step = [&](int64_t step, double) {
        const int64_t epoch = step / stepsPerEpoch;
        const std::vector<int64_t> orderA = train::SynthForgeDataset::epochOrder(0, nA, c.seed, epoch);
        const std::vector<int64_t> orderB = train::SynthForgeDataset::epochOrder(0, nB, c.seed ^ 0x5eedb0b0ull, epoch);
        std::vector<std::string> a, b;
        // This rank's block of the step's global batch (distributed_sampler.h's rule).
        for (int64_t j = 0; j < c.batch; ++j) {
            const int64_t p = (step % stepsPerEpoch) * c.batch * world + rank * c.batch + j;
            a.push_back(source[static_cast<std::size_t>(orderA[static_cast<std::size_t>(p % nA)])]);
            b.push_back(target[static_cast<std::size_t>(orderB[static_cast<std::size_t>(p % nB)])]);
        }
        // Augmentation streams by position in the global batch, as one process would draw them.
        const int64_t global = c.batch * world;
        const torch::Tensor realA = loadImages(a, side, loadSide, c.seed, step, rank * c.batch, augment).to(device);
        const torch::Tensor realB =
            loadImages(b, side, loadSide, c.seed, step, global + rank * c.batch, augment).to(device);
        std::vector<double> values = method->step(realA, realB);
        if (structure) {
            // The same source samples, unaugmented, so the annotations fit as stored.
            std::vector<std::string> names;
            for (const std::string& path : a) names.push_back(fs::path(path).stem().string());
            const StructureBatch truth = loadStructureBatch(c.data, names, side);
            const torch::Tensor term = structure->loss(method->translate(truth.images.to(device)), truth) * c.lambdaStructure;
            term.backward();
            values.front() += term.item<double>();
            values.push_back(term.item<double>());
        }
        return train::StepReport{epoch, values};
    };

    torch::Tensor valImages;
    if (!val.empty()) {
        const std::vector<std::string> first(val.begin(), val.begin() + std::min<std::size_t>(val.size(), 16));
        valImages = loadImages(first, side, loadSide, 0, -1, 0);
    }
    torch::nn::Module& model = method->module();
    hooks.validate = [&]() -> std::vector<double> {
        if (!valImages.defined()) return {NAN};
        torch::NoGradGuard g;
        model.eval();
        const double loss = method->validationLoss(valImages.to(device));
        model.train();
        return {loss};
    };
    hooks.preview = [&]() -> cv::Mat {
        const torch::Tensor x = (valImages.defined() ? valImages : loadImages({source.front()}, side, loadSide, 0, -1, 0))
                                    .slice(0, 0, 4)
                                    .to(device);
        torch::NoGradGuard g;
        model.eval();
        const torch::Tensor fake = method->translate(x), extra = method->previewExtra(fake);
        model.train();
        std::vector<cv::Mat> tiles;
        for (int64_t k = 0; k < x.size(0); ++k) {
            tiles.push_back(train::toBgr(x[k]));
            tiles.push_back(train::toBgr(fake[k]));
            if (extra.defined()) tiles.push_back(train::toBgr(extra[k]));
        }
        return annotate::contactSheet(tiles, extra.defined() ? 3 : 2, std::max(64, side));
    };
    hooks.saveFinal = [&](const std::string& path) { method->saveTranslator(path); };

    train::RunLoopSpec spec;
    spec.job = "transfer train";
    spec.parallel = dp.get();
    spec.totalSteps = stepsPerEpoch * c.epochs;
    spec.metrics = method->metrics();
    if (structure) spec.metrics.push_back({"structure", "loss/structure"});
    spec.valMetrics = {method->validationMetric()};
    spec.lrScales = method->lrScales();
    const train::RunLoopResult done = runTrainingLoop(run, c, spec, model, method->optimizer(), hooks, progress, cancel);

    TransferTrainResult r;
    r.steps = done.steps;
    r.resumedFrom = done.resumedFrom;
    r.sourceImages = nA;
    r.targetImages = nB;
    r.validationImages = static_cast<int64_t>(val.size());
    r.lastLoss = done.lastLoss;
    r.finalWeights = done.finalWeights;
    return r;
}

}  // namespace synthforge::transfer
