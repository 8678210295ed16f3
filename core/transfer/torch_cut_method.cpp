// CUT and FastCUT (Park et al. 2020) as transfer methods: one generator,
// one PatchGAN, LSGAN plus PatchNCE between the input's and the output's
// encoder features (sampled patches through the projection MLPs), CUT with
// PatchNCE on real B -> G(B) as well, FastCUT with flip equivariance and a
// heavier NCE weight. No image history (CUT's pool_size 0).
//
// Order within a step: the authors' code updates the discriminator first
// and then the generator against the *updated* discriminator. Here both are
// computed from the state at the start of the step (the generator's losses
// with the discriminator frozen, then the discriminator on the detached
// fake) and one Adam with a group each steps once, as CycleGAN's code
// orders its updates; that keeps a run to one optimiser, so its checkpoints
// resume exactly. The difference is the discriminator's one-step lag in the
// generator's GAN term.

#include <torch/torch.h>

#include "core/transfer/torch_cut_nets.h"
#include "core/transfer/torch_gan_parts.h"
#include "core/transfer/torch_transfer_method.h"
#include "core/transfer/torch_translator_file.h"
#include "core/transfer/transfer.h"

namespace synthforge::transfer {

namespace {

/// netG, netF (the patch sampler) and netD, named as in the authors' code.
class CutModelImpl : public torch::nn::Module {
public:
    explicit CutModelImpl(const TransferTrainConfig& c) {
        netG = register_module("netG", CutGenerator(c.generatorFilters, c.blocks()));
        std::vector<int64_t> channels;
        for (int64_t layer : c.nceLayers) channels.push_back(netG->channelsAt(layer));
        netF = register_module("netF", PatchSampler(channels, c.nceFeatures));
        netD = register_module("netD", CutDiscriminator(c.discriminatorFilters));
        initCutWeights(*this);
    }
    CutGenerator netG{nullptr};
    PatchSampler netF{nullptr};
    CutDiscriminator netD{nullptr};
};
TORCH_MODULE(CutModel);

class CutMethod : public TransferMethod {
public:
    CutMethod(const TransferTrainConfig& c, const torch::Device& device)
        : c_(c), device_(device), model_(c), optimizer_(groups(), torch::optim::AdamOptions(c.lr)) {
        model_->to(device);
    }

    torch::nn::Module& module() override { return *model_; }
    torch::optim::Optimizer& optimizer() override { return optimizer_; }
    std::vector<double> lrScales() const override { return {1.0, c_.discriminatorLrScale}; }
    std::vector<train::RunMetric> metrics() const override {
        return {{"total", "loss/total"}, {"g_gan", "loss/g_gan"}, {"nce", "loss/nce"}, {"nce_y", "loss/nce_y"}, {"d", "loss/d"}};
    }

    std::vector<double> step(const torch::Tensor& realA, const torch::Tensor& realB) override {
        const int64_t b = realA.size(0);
        torch::Tensor real = c_.usesNceIdentity() ? torch::cat({realA, realB}) : realA;
        // FastCUT: mirror the whole input half the time; PatchNCE then
        // compares the output's features mirrored back with the input's.
        const bool flipped = c_.usesFlipEquivariance() && torch::rand({1}).item<double>() < 0.5;
        if (flipped) real = real.flip({3});
        const torch::Tensor fake = run(real);
        const torch::Tensor fakeB = fake.slice(0, 0, b);

        setRequiresGrad(*model_->netD, false);
        const torch::Tensor gan = lsgan(runD(fakeB), true) * c_.lambdaGan;
        // Keys from the unmirrored input, queries mirrored back (as the authors' code).
        const torch::Tensor nce = nceLoss(realA, fakeB, flipped);
        torch::Tensor nceY = torch::scalar_tensor(0.0, realA.options());
        torch::Tensor nceBoth = nce;
        if (c_.usesNceIdentity()) {
            nceY = nceLoss(realB, fake.slice(0, b), flipped);
            nceBoth = (nce + nceY) * 0.5;
        }
        const torch::Tensor lossG = gan + nceBoth;
        lossG.backward();
        setRequiresGrad(*model_->netD, true);

        const torch::Tensor lossD = 0.5 * (lsgan(runD(fakeB.detach()), false) + lsgan(runD(realB), true));
        lossD.backward();
        const double g = lossG.item<double>(), d = lossD.item<double>();
        return {g + d, gan.item<double>(), nce.item<double>(), nceY.item<double>(), d};
    }

    torch::Tensor translate(const torch::Tensor& a) override { return run(a); }
    train::RunMetric validationMetric() const override { return {"val_nce", "val/nce"}; }
    double validationLoss(const torch::Tensor& a) override {
        // PatchNCE between held-out renders and their translations: how much
        // of the input's content the output keeps (lower keeps more). The
        // patches are drawn from torch's generator, which the loop reseeds.
        return nceLoss(a, run(a), false).item<double>();
    }
    void saveTranslator(const std::string& path) override { transfer::saveTranslator(*model_->netG, c_, path); }

private:
    std::vector<torch::optim::OptimizerParamGroup> groups() {
        return generatorAndDiscriminatorGroups({model_->netG.get(), model_->netF.get()}, {model_->netD.get()}, c_);
    }
    torch::Tensor run(const torch::Tensor& x) { return forwardFloat32(model_->netG, x, c_.precision, device_); }
    torch::Tensor runD(const torch::Tensor& x) { return forwardFloat32(model_->netD, x, c_.precision, device_); }

    /// PatchNCE between `src` (keys) and its translation `tgt` (queries),
    /// averaged over the tapped layers and weighted by lambda_NCE.
    torch::Tensor nceLoss(const torch::Tensor& src, const torch::Tensor& tgt, bool flipped) {
        std::vector<torch::Tensor> q = model_->netG->encode(tgt, c_.nceLayers);
        if (flipped)
            for (torch::Tensor& f : q) f = f.flip({3});
        const std::vector<torch::Tensor> k = model_->netG->encode(src, c_.nceLayers);
        std::vector<torch::Tensor> ids;
        const std::vector<torch::Tensor> kPool = model_->netF->forward(k, c_.ncePatches, nullptr, &ids);
        const std::vector<torch::Tensor> qPool = model_->netF->forward(q, c_.ncePatches, &ids, nullptr);
        torch::Tensor total = torch::scalar_tensor(0.0, src.options());
        for (std::size_t i = 0; i < qPool.size(); ++i)
            total = total + patchNceLoss(qPool[i].to(torch::kFloat32), kPool[i].to(torch::kFloat32), src.size(0),
                                         c_.nceTemperature).mean() * c_.nceWeight();
        return total / static_cast<double>(qPool.size());
    }

    const TransferTrainConfig& c_;
    torch::Device device_;
    CutModel model_;
    torch::optim::Adam optimizer_;
};

}  // namespace

std::unique_ptr<TransferMethod> makeCutMethod(const TransferTrainConfig& c, const torch::Device& device) {
    return std::make_unique<CutMethod>(c, device);
}

}  // namespace synthforge::transfer
