// `synthforge fr train`: an IResNet with a margin head on a folder-per-
// identity set, through the run loop Stage I and II use (resume, schedule,
// checkpoints, metrics.csv, events, early stopping), with SGD.

#include <torch/torch.h>

#include <cmath>
#include <random>

#include "core/dataset/face_image_set.h"
#include "core/dataset/image_files.h"
#include "core/dataset/verification_pairs.h"
#include "core/fr/face_recognition.h"
#include "core/fr/torch_fr_model.h"
#include "core/train/data_split.h"
#include "core/train/distributed_sampler.h"
#include "core/train/torch_autocast.h"
#include "core/train/torch_data_parallel.h"
#include "core/train/torch_run_directory.h"
#include "core/train/torch_run_loop.h"
#include "core/train/torch_synthforge_data.h"

namespace synthforge::fr {

namespace {

struct FaceSet {
    std::vector<std::string> images;
    std::vector<int64_t> labels;
};

/// The n-th draw stream of a step, independent of everything else.
std::mt19937_64 streamFor(uint64_t seed, int64_t step, int64_t slot) {
    std::seed_seq s{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), static_cast<uint32_t>(step),
                    static_cast<uint32_t>(step >> 32), static_cast<uint32_t>(slot), 0x5f4u};
    return std::mt19937_64(s);
}

torch::Tensor loadBatch(const dataset::FaceImageSet& set, const std::vector<std::string>& keys,
                        const std::vector<int64_t>& idx, uint64_t seed, int64_t step, bool augment, int64_t first = 0) {
    std::vector<torch::Tensor> images;
    for (std::size_t k = 0; k < idx.size(); ++k) {
        std::mt19937_64 rng = streamFor(seed, step, first + static_cast<int64_t>(k));
        images.push_back(faceTensor(set.load(keys[static_cast<std::size_t>(idx[k])]), augment ? &rng : nullptr));
    }
    return torch::stack(images);
}

/// 10-fold accuracy when there are enough pairs, else the best single threshold's.
double verificationAccuracy(const std::vector<double>& d, const std::vector<bool>& same) {
    if (d.size() >= 10) return eval::kFoldAccuracy(d, same).mean;
    double best = 0;
    for (int k = 0; k < 400; ++k) {
        std::size_t right = 0;
        for (std::size_t i = 0; i < d.size(); ++i) right += (d[i] < k * 0.01) == same[i];
        best = std::max(best, d.empty() ? 0.0 : double(right) / double(d.size()));
    }
    return best;
}

}  // namespace

FrTrainResult trainFaceRecognition(const FrTrainConfig& c, jobs::ProgressSink* progress,
                                   const jobs::CancelToken* cancel) {
    validateFrTrainConfig(c);
    // A folder per identity or an InsightFace .rec (dataset/face_image_set.h).
    const dataset::FaceImageSet data = dataset::FaceImageSet::open(c.data);
    const std::vector<std::vector<std::string>>& ids = data.identities();
    const int64_t n = static_cast<int64_t>(ids.size());
    const int64_t nVal = n >= 4 ? train::validationCount(n, c.valFraction) : 0;
    const int64_t nTrainIds = n - nVal;
    train::checkRunField(nTrainIds >= 2, "data", c.data + " has " + std::to_string(n) +
                                                     " identities; training needs at least 2 (after holding out " +
                                                     std::to_string(nVal) + ")");
    FaceSet trainSet;
    for (int64_t i = 0; i < nTrainIds; ++i)
        for (const std::string& im : ids[static_cast<std::size_t>(i)]) {
            trainSet.images.push_back(im);
            trainSet.labels.push_back(i);
        }
    std::vector<std::vector<std::string>> valImages;
    for (int64_t i = nTrainIds; i < n; ++i) valImages.push_back(ids[static_cast<std::size_t>(i)]);
    const IdentityPairs val = identityPairs(valImages);

    // Data-parallel when launched by torchrun, srun or `synthforge launch`:
    // each step is a global batch of batch x ranks images.
    const std::unique_ptr<train::DataParallel> dp = train::joinDataParallel(c);
    const int world = dp->worldSize(), rank = dp->rank();
    const int64_t stepsPerEpoch =
        train::globalMicroBatchesPerEpoch(static_cast<int64_t>(trainSet.images.size()), c.batch, world);
    train::checkRunField(stepsPerEpoch >= 1, "batch",
                         std::to_string(c.batch) + (world > 1 ? " x " + std::to_string(world) + " ranks" : std::string()) +
                             " exceeds the " + std::to_string(trainSet.images.size()) + " training images");
    if (c.threads > 0) torch::set_num_threads(c.threads);
    const torch::Device device = train::pickDevice(c.device);
    const train::RunDirectory run(c.out, c.toJson(), c.resume, c.keepCheckpoints, dp->writes());

    torch::manual_seed(c.seed);
    FrModel model(c.preset, c.head, nTrainIds, c.scale, c.margin);
    model->to(device);
    torch::optim::SGD optimizer(model->parameters(),
                                torch::optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weightDecay));

    train::RunLoopHooks hooks;
    hooks.step = [&](int64_t step, double) {
        const int64_t epoch = step / stepsPerEpoch;
        const std::vector<int64_t> order =
            train::SynthForgeDataset::epochOrder(0, static_cast<int64_t>(trainSet.images.size()), c.seed, epoch);
        const int64_t m = step % stepsPerEpoch;
        const std::vector<int64_t> idx = train::rankSamples(order, m, m + 1, c.batch, rank, world);
        std::vector<int64_t> labels;
        for (int64_t i : idx) labels.push_back(trainSet.labels[static_cast<std::size_t>(i)]);
        // Augmentation streams by position in the global batch, as one process would draw them.
        const torch::Tensor x = loadBatch(data, trainSet.images, idx, c.seed, step, true, rank * c.batch).to(device);
        const torch::Tensor y = torch::tensor(labels, torch::kInt64).to(device);
        torch::Tensor e;
        {
            // The margin head and the loss stay in float32 (logit scales of 64).
            const train::AutocastScope autocast(c.precision, device);
            e = model->backbone->forward(x);
        }
        e = e.to(torch::kFloat32);
        const torch::Tensor norms = e.norm(2, 1, true);
        const torch::Tensor logits = model->head->forward(e / norms.clamp_min(1e-12), norms, y);
        const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
        loss.backward();
        const double accuracy = (logits.argmax(1) == y).to(torch::kFloat64).mean().item<double>();
        return train::StepReport{epoch, {loss.item<double>(), accuracy, norms.mean().item<double>()}};
    };
    hooks.validate = [&]() -> std::vector<double> {
        if (val.pairs.empty()) return {NAN};
        model->eval();
        std::vector<double> distances;
        {
            torch::NoGradGuard g;
            std::vector<torch::Tensor> embeddings;
            for (std::size_t b = 0; b < val.images.size(); b += static_cast<std::size_t>(c.batch)) {
                std::vector<int64_t> idx;
                for (std::size_t k = b; k < std::min(val.images.size(), b + static_cast<std::size_t>(c.batch)); ++k)
                    idx.push_back(static_cast<int64_t>(k));
                embeddings.push_back(fusedEmbeddings(model->backbone, loadBatch(data, val.images, idx, 0, 0, false).to(device)).cpu());
            }
            const torch::Tensor all = torch::cat(embeddings);
            for (const auto& [a, b] : val.pairs) distances.push_back((all[a] - all[b]).pow(2).sum().item<double>());
        }
        model->train();
        return {verificationAccuracy(distances, val.same)};
    };
    hooks.saveFinal = [&](const std::string& path) {
        model->to(torch::kCPU);
        saveBackbone(model, path);
        model->to(device);
    };

    train::RunLoopSpec spec;
    spec.job = "fr train";
    spec.parallel = dp.get();
    spec.totalSteps = stepsPerEpoch * c.epochs;
    spec.metrics = {{"total", "loss/total"}, {"train_accuracy", "train/accuracy"}, {"feature_norm", "train/feature_norm"}};
    spec.valMetrics = {{"val_accuracy", "val/accuracy"}};
    spec.bestMetric = 0;
    spec.bestHigherIsBetter = c.bestMetric == "accuracy";
    const train::RunLoopResult done = runTrainingLoop(run, c, spec, *model, optimizer, hooks, progress, cancel);

    FrTrainResult r;
    r.steps = done.steps;
    r.resumedFrom = done.resumedFrom;
    r.identities = nTrainIds;
    r.trainImages = static_cast<int64_t>(trainSet.images.size());
    r.valPairs = static_cast<int64_t>(val.pairs.size());
    r.lastLoss = done.lastLoss;
    r.bestScore = done.bestScore;
    r.bestStep = done.bestStep;
    r.finalWeights = done.finalWeights;
    r.bestWeights = done.bestWeights;
    return r;
}

}  // namespace synthforge::fr
