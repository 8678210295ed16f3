// `synthforge transfer train --method cyclegan`: CycleGAN (Zhu et al. 2017)
// through the run loop the other trainings use (resume, schedule,
// checkpoints, metrics.csv, events, previews).
//
// One optimiser step per loop step, as in the authors' code: the generators'
// loss is back-propagated with the discriminators frozen, then the
// discriminators' loss on detached fakes. The two losses touch disjoint
// parameters, so one Adam with a parameter group each, stepped once after
// both backward passes, is exactly the authors' two optimisers stepped in
// turn.

#include <torch/torch.h>

#include <algorithm>
#include <random>

#include "core/annotate/overlays.h"
#include "core/dataset/image_files.h"
#include "core/dataset/sample_paths.h"
#include "core/train/data_split.h"
#include "core/train/torch_autocast.h"
#include "core/train/torch_preview.h"
#include "core/train/torch_run_directory.h"
#include "core/train/torch_run_loop.h"
#include "core/train/torch_synthforge_data.h"
#include "core/transfer/torch_cyclegan_model.h"
#include "core/transfer/transfer.h"
#include "core/transfer/transfer_images.h"

namespace synthforge::transfer {

namespace {

/// The n-th draw stream of a step, independent of everything else.
std::mt19937_64 streamFor(uint64_t seed, int64_t step, int64_t slot) {
    std::seed_seq s{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), static_cast<uint32_t>(step),
                    static_cast<uint32_t>(step >> 32), static_cast<uint32_t>(slot), 0x7c6u};
    return std::mt19937_64(s);
}

torch::Tensor toTensor(const cv::Mat& rgbFloat) {
    return torch::from_blob(const_cast<float*>(rgbFloat.ptr<float>()), {rgbFloat.rows, rgbFloat.cols, 3}, torch::kFloat32)
        .permute({2, 0, 1})
        .clone();
}

torch::Tensor loadImages(const std::vector<std::string>& paths, int side, int loadSide, uint64_t seed, int64_t step,
                         int64_t firstSlot) {
    std::vector<torch::Tensor> images;
    for (std::size_t k = 0; k < paths.size(); ++k) {
        std::mt19937_64 rng = streamFor(seed, step, firstSlot + static_cast<int64_t>(k));
        images.push_back(toTensor(translatorInput(dataset::readBgrImage(paths[k]), side, loadSide, step >= 0 ? &rng : nullptr)));
    }
    return torch::stack(images);
}

void setRequiresGrad(torch::nn::Module& m, bool on) {
    for (auto& p : m.parameters()) p.set_requires_grad(on);
}

torch::Tensor lsgan(const torch::Tensor& scores, bool real) {
    return torch::mse_loss(scores, real ? torch::ones_like(scores) : torch::zeros_like(scores));
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
    const std::vector<std::string> target = listTargetImages(c.target);
    const int64_t nVal = train::validationCount(static_cast<int64_t>(allSource.size()), c.valFraction);
    const std::vector<std::string> source(allSource.begin(), allSource.end() - nVal);
    const std::vector<std::string> val(allSource.end() - nVal, allSource.end());
    const int64_t nA = static_cast<int64_t>(source.size()), nB = static_cast<int64_t>(target.size());
    // An epoch is one pass over the larger domain, as in CycleGAN's loader.
    const int64_t stepsPerEpoch = std::max(nA, nB) / c.batch;
    train::checkRunField(stepsPerEpoch >= 1, "batch",
                         std::to_string(c.batch) + " exceeds the " + std::to_string(std::max(nA, nB)) + " images");

    if (c.threads > 0) torch::set_num_threads(c.threads);
    const torch::Device device = train::pickDevice(c.device);
    const train::RunDirectory run(c.out, c.toJson(), c.resume, c.keepCheckpoints);
    torch::manual_seed(c.seed);
    CycleGan model(c);
    model->to(device);

    std::vector<torch::Tensor> gParams = model->netG_A->parameters(), dParams = model->netD_A->parameters();
    for (const torch::Tensor& p : model->netG_B->parameters()) gParams.push_back(p);
    for (const torch::Tensor& p : model->netD_B->parameters()) dParams.push_back(p);
    const auto adam = [&] {
        return std::make_unique<torch::optim::AdamOptions>(
            torch::optim::AdamOptions(c.lr).betas({c.beta1, c.beta2}).eps(c.eps).weight_decay(c.weightDecay));
    };
    torch::optim::Adam optimizer({torch::optim::OptimizerParamGroup(gParams, adam()),
                                  torch::optim::OptimizerParamGroup(dParams, adam())},
                                 torch::optim::AdamOptions(c.lr));

    const int side = static_cast<int>(c.size), loadSide = static_cast<int>(c.loadSize());
    const double lambdaIdt = c.lambdaCycle * c.lambdaIdentity;
    const auto run16 = [&](auto&& net, const torch::Tensor& x) {
        const train::AutocastScope autocast(c.precision, device);
        return net->forward(x).to(torch::kFloat32);
    };

    train::RunLoopHooks hooks;
    hooks.step = [&](int64_t step, double) {
        const int64_t epoch = step / stepsPerEpoch;
        const std::vector<int64_t> orderA = train::SynthForgeDataset::epochOrder(0, nA, c.seed, epoch);
        const std::vector<int64_t> orderB = train::SynthForgeDataset::epochOrder(0, nB, c.seed ^ 0x5eedb0b0ull, epoch);
        std::vector<std::string> a, b;
        for (int64_t j = 0; j < c.batch; ++j) {
            const int64_t p = (step % stepsPerEpoch) * c.batch + j;
            a.push_back(source[static_cast<std::size_t>(orderA[static_cast<std::size_t>(p % nA)])]);
            b.push_back(target[static_cast<std::size_t>(orderB[static_cast<std::size_t>(p % nB)])]);
        }
        const torch::Tensor realA = loadImages(a, side, loadSide, c.seed, step, 0).to(device);
        const torch::Tensor realB = loadImages(b, side, loadSide, c.seed, step, c.batch).to(device);

        // Generators, with the discriminators frozen.
        setRequiresGrad(*model->netD_A, false);
        setRequiresGrad(*model->netD_B, false);
        const torch::Tensor fakeB = run16(model->netG_A, realA);
        const torch::Tensor recA = run16(model->netG_B, fakeB);
        const torch::Tensor fakeA = run16(model->netG_B, realB);
        const torch::Tensor recB = run16(model->netG_A, fakeA);
        torch::Tensor identity = torch::scalar_tensor(0.0, realA.options());
        if (lambdaIdt > 0)
            identity = (torch::l1_loss(run16(model->netG_A, realB), realB) +
                        torch::l1_loss(run16(model->netG_B, realA), realA)) * lambdaIdt;
        const torch::Tensor gan = lsgan(run16(model->netD_A, fakeB), true) + lsgan(run16(model->netD_B, fakeA), true);
        const torch::Tensor cycle = (torch::l1_loss(recA, realA) + torch::l1_loss(recB, realB)) * c.lambdaCycle;
        const torch::Tensor lossG = gan + cycle + identity;
        lossG.backward();
        setRequiresGrad(*model->netD_A, true);
        setRequiresGrad(*model->netD_B, true);

        // Discriminators, on real images and (a history of) detached fakes.
        const torch::Tensor pooledB = model->fake_B_pool->query(fakeB);
        const torch::Tensor lossDA =
            0.5 * (lsgan(run16(model->netD_A, realB), true) + lsgan(run16(model->netD_A, pooledB), false));
        lossDA.backward();
        const torch::Tensor pooledA = model->fake_A_pool->query(fakeA);
        const torch::Tensor lossDB =
            0.5 * (lsgan(run16(model->netD_B, realA), true) + lsgan(run16(model->netD_B, pooledA), false));
        lossDB.backward();

        const double g = lossG.item<double>(), d = (lossDA + lossDB).item<double>();
        return train::StepReport{epoch, {g + d, gan.item<double>(), cycle.item<double>(), identity.item<double>(), d}};
    };

    torch::Tensor valImages;
    if (!val.empty()) {
        const std::vector<std::string> first(val.begin(), val.begin() + std::min<std::size_t>(val.size(), 16));
        valImages = loadImages(first, side, loadSide, 0, -1, 0);
    }
    hooks.validate = [&]() -> std::vector<double> {
        if (!valImages.defined()) return {NAN};
        torch::NoGradGuard g;
        model->eval();
        const torch::Tensor x = valImages.to(device);
        const double l1 = torch::l1_loss(run16(model->netG_B, run16(model->netG_A, x)), x).item<double>();
        model->train();
        return {l1};
    };
    hooks.preview = [&]() -> cv::Mat {
        const torch::Tensor x = (valImages.defined() ? valImages : loadImages({source.front()}, side, loadSide, 0, -1, 0))
                                    .slice(0, 0, 4)
                                    .to(device);
        torch::NoGradGuard g;
        model->eval();
        const torch::Tensor fake = run16(model->netG_A, x), rec = run16(model->netG_B, fake);
        model->train();
        std::vector<cv::Mat> tiles;
        for (int64_t k = 0; k < x.size(0); ++k)
            for (const torch::Tensor& t : {x[k], fake[k], rec[k]}) tiles.push_back(train::toBgr(t));
        return annotate::contactSheet(tiles, 3, std::max(64, side));
    };
    hooks.saveFinal = [&](const std::string& path) { saveTranslator(model->netG_A, c, path); };

    train::RunLoopSpec spec;
    spec.job = "transfer train";
    spec.totalSteps = stepsPerEpoch * c.epochs;
    spec.metrics = {{"total", "loss/total"},
                    {"g_gan", "loss/g_gan"},
                    {"cycle", "loss/cycle"},
                    {"identity", "loss/identity"},
                    {"d", "loss/d"}};
    spec.valMetrics = {{"val_cycle_l1", "val/cycle_l1"}};
    spec.lrScales = {1.0, c.discriminatorLrScale};
    const train::RunLoopResult done = runTrainingLoop(run, c, spec, *model, optimizer, hooks, progress, cancel);

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
