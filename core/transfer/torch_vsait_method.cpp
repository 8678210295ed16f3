// VSAIT (Theiss et al. 2022) as a transfer method: a generator trained so
// that the hypervector of its output, bound to the source's mapped
// hypervector, stays close to the source's hypervector (the VSA loss, weight
// 10), while a hinge discriminator on hypervectors cannot tell the output
// (and the mapped source) from real photos. The mapping network learns only
// through the adversarial term, the VSA loss sees it detached, as in the
// authors' code. VGG19 and the hashing rows are fixed: neither is in a
// checkpoint (the weights file is named in config.json, the rows come from
// the run's seed).
//
// Order within a step: as our CUT, the generator's and the discriminator's
// losses are computed from the state at the start of the step and one Adam
// with a group each steps once (the authors alternate two optimisers); the
// mapped source enters the discriminator's loss detached, so the mapping is
// not trained to help the discriminator.

#include <torch/torch.h>

#include "core/transfer/torch_cut_nets.h"
#include "core/transfer/torch_gan_parts.h"
#include "core/transfer/torch_transfer_method.h"
#include "core/transfer/torch_translator_file.h"
#include "core/transfer/torch_vsait_nets.h"
#include "core/transfer/transfer.h"

namespace synthforge::transfer {

namespace {

/// netG, netMap and netD: what the optimiser trains and a checkpoint holds.
class VsaitModelImpl : public torch::nn::Module {
public:
    explicit VsaitModelImpl(const TransferTrainConfig& c) {
        netG = register_module("netG", CutGenerator(c.generatorFilters, c.blocks()));
        initCutWeights(*netG);
        netMap = register_module("netMap", VsaMap(c.vsaDims));
        netD = register_module("netD", VsaDiscriminator(c.vsaDims));
    }
    CutGenerator netG{nullptr};
    VsaMap netMap{nullptr};
    VsaDiscriminator netD{nullptr};
};
TORCH_MODULE(VsaitModel);

class VsaitMethod : public TransferMethod {
public:
    VsaitMethod(const TransferTrainConfig& c, const torch::Device& device)
        : c_(c),
          device_(device),
          model_(c),
          vgg_(loadVgg19Features(c.vgg19)),
          hash_(Vgg19FeaturesImpl::tapChannels(), c.vsaDims, c.seed, device),
          optimizer_(groups(), torch::optim::AdamOptions(c.lr)) {
        model_->to(device);
        vgg_->to(device);
    }

    torch::nn::Module& module() override { return *model_; }
    torch::optim::Optimizer& optimizer() override { return optimizer_; }
    std::vector<double> lrScales() const override { return {1.0, c_.discriminatorLrScale}; }
    std::vector<train::RunMetric> metrics() const override {
        return {{"total", "loss/total"}, {"vsa", "loss/vsa"}, {"g_gan", "loss/g_gan"}, {"d", "loss/d"}};
    }

    std::vector<double> step(const torch::Tensor& realA, const torch::Tensor& realB) override {
        const torch::Tensor fake = run(realA);
        const torch::Tensor hvFake = hypervector(fake);
        torch::Tensor hvSource, hvReal;
        {
            torch::NoGradGuard noGrad;
            hvSource = hypervector(realA);
            hvReal = hypervector(realB);
        }
        const torch::Tensor binding = model_->netMap->forward(hvSource);
        const torch::Tensor mapped = hvSource * binding;

        setRequiresGrad(*model_->netD, false);
        const torch::Tensor vsa = vsaLoss(hvFake, binding.detach(), hvSource) * c_.lambdaVsa;
        const torch::Tensor gan =
            0.5 * (hingeGenerator(model_->netD->forward(hvFake)) + hingeGenerator(model_->netD->forward(mapped)));
        const torch::Tensor lossG = vsa + gan;
        lossG.backward();
        setRequiresGrad(*model_->netD, true);

        const torch::Tensor lossD = (hingeDiscriminator(model_->netD->forward(hvFake.detach()), false) +
                                     hingeDiscriminator(model_->netD->forward(mapped.detach()), false) +
                                     hingeDiscriminator(model_->netD->forward(hvReal), true)) /
                                    3.0;
        lossD.backward();
        const double g = lossG.item<double>(), d = lossD.item<double>();
        return {g + d, vsa.item<double>(), gan.item<double>(), d};
    }

    torch::Tensor translate(const torch::Tensor& a) override { return run(a); }
    train::RunMetric validationMetric() const override { return {"val_vsa", "val/vsa"}; }
    double validationLoss(const torch::Tensor& a) override {
        // How far the translation's hypervectors, bound to the mapped source,
        // are from the source's: the content VSAIT keeps (lower keeps more).
        const torch::Tensor hv = hypervector(a);
        return vsaLoss(hypervector(run(a)), model_->netMap->forward(hv), hv).item<double>();
    }
    void saveTranslator(const std::string& path) override { transfer::saveTranslator(*model_->netG, c_, path); }

private:
    std::vector<torch::optim::OptimizerParamGroup> groups() {
        return generatorAndDiscriminatorGroups({model_->netG.get(), model_->netMap.get()}, {model_->netD.get()}, c_);
    }
    torch::Tensor run(const torch::Tensor& x) { return forwardFloat32(model_->netG, x, c_.precision, device_); }
    torch::Tensor hypervector(const torch::Tensor& image) { return hash_.forward(vgg_->forward(image)); }

    const TransferTrainConfig& c_;
    torch::Device device_;
    VsaitModel model_;
    Vgg19Features vgg_;
    HypervectorHash hash_;
    torch::optim::Adam optimizer_;
};

}  // namespace

std::unique_ptr<TransferMethod> makeVsaitMethod(const TransferTrainConfig& c, const torch::Device& device) {
    return std::make_unique<VsaitMethod>(c, device);
}

}  // namespace synthforge::transfer
