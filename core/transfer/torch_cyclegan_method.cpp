// CycleGAN (Zhu et al. 2017) as a transfer method: two generators, two
// PatchGANs, LSGAN + cycle + identity losses, history pools.
//
// One optimiser step per loop step, as in the authors' code: the generators'
// loss is back-propagated with the discriminators frozen, then the
// discriminators' loss on detached fakes. The two losses touch disjoint
// parameters, so one Adam with a parameter group each, stepped once after
// both backward passes, is exactly the authors' two optimisers stepped in
// turn.

#include <torch/torch.h>

#include "core/train/torch_autocast.h"
#include "core/transfer/torch_cyclegan_model.h"
#include "core/transfer/torch_gan_parts.h"
#include "core/transfer/torch_transfer_method.h"
#include "core/transfer/torch_translator_file.h"
#include "core/transfer/transfer.h"

namespace synthforge::transfer {

namespace {

class CycleGanMethod : public TransferMethod {
public:
    CycleGanMethod(const TransferTrainConfig& c, const torch::Device& device)
        : c_(c), device_(device), model_(c), optimizer_(groups(), torch::optim::AdamOptions(c.lr)) {
        model_->to(device);
    }

    torch::nn::Module& module() override { return *model_; }
    torch::optim::Optimizer& optimizer() override { return optimizer_; }
    std::vector<double> lrScales() const override { return {1.0, c_.discriminatorLrScale}; }
    std::vector<train::RunMetric> metrics() const override {
        return {{"total", "loss/total"},
                {"g_gan", "loss/g_gan"},
                {"cycle", "loss/cycle"},
                {"identity", "loss/identity"},
                {"d", "loss/d"}};
    }

    std::vector<double> step(const torch::Tensor& realA, const torch::Tensor& realB) override {
        const double lambdaIdt = c_.lambdaCycle * c_.lambdaIdentity;
        // Generators, with the discriminators frozen.
        setRequiresGrad(*model_->netD_A, false);
        setRequiresGrad(*model_->netD_B, false);
        const torch::Tensor fakeB = run(model_->netG_A, realA);
        const torch::Tensor recA = run(model_->netG_B, fakeB);
        const torch::Tensor fakeA = run(model_->netG_B, realB);
        const torch::Tensor recB = run(model_->netG_A, fakeA);
        torch::Tensor identity = torch::scalar_tensor(0.0, realA.options());
        if (lambdaIdt > 0)
            identity = (torch::l1_loss(run(model_->netG_A, realB), realB) +
                        torch::l1_loss(run(model_->netG_B, realA), realA)) * lambdaIdt;
        const torch::Tensor gan = lsgan(run(model_->netD_A, fakeB), true) + lsgan(run(model_->netD_B, fakeA), true);
        const torch::Tensor cycle = (torch::l1_loss(recA, realA) + torch::l1_loss(recB, realB)) * c_.lambdaCycle;
        const torch::Tensor lossG = gan + cycle + identity;
        lossG.backward();
        setRequiresGrad(*model_->netD_A, true);
        setRequiresGrad(*model_->netD_B, true);

        // Discriminators, on real images and (a history of) detached fakes.
        const torch::Tensor pooledB = model_->fake_B_pool->query(fakeB);
        const torch::Tensor lossDA =
            0.5 * (lsgan(run(model_->netD_A, realB), true) + lsgan(run(model_->netD_A, pooledB), false));
        lossDA.backward();
        const torch::Tensor pooledA = model_->fake_A_pool->query(fakeA);
        const torch::Tensor lossDB =
            0.5 * (lsgan(run(model_->netD_B, realA), true) + lsgan(run(model_->netD_B, pooledA), false));
        lossDB.backward();
        const double g = lossG.item<double>(), d = (lossDA + lossDB).item<double>();
        return {g + d, gan.item<double>(), cycle.item<double>(), identity.item<double>(), d};
    }

    torch::Tensor translate(const torch::Tensor& a) override { return run(model_->netG_A, a); }
    train::RunMetric validationMetric() const override { return {"val_cycle_l1", "val/cycle_l1"}; }
    double validationLoss(const torch::Tensor& a) override {
        return torch::l1_loss(run(model_->netG_B, run(model_->netG_A, a)), a).item<double>();
    }
    torch::Tensor previewExtra(const torch::Tensor& translated) override { return run(model_->netG_B, translated); }
    void saveTranslator(const std::string& path) override { transfer::saveTranslator(*model_->netG_A, c_, path); }

private:
    std::vector<torch::optim::OptimizerParamGroup> groups() {
        return generatorAndDiscriminatorGroups({model_->netG_A.get(), model_->netG_B.get()},
                                               {model_->netD_A.get(), model_->netD_B.get()}, c_);
    }
    template <typename Net>
    torch::Tensor run(Net& net, const torch::Tensor& x) {
        return forwardFloat32(net, x, c_.precision, device_);
    }

    const TransferTrainConfig& c_;
    torch::Device device_;
    CycleGan model_;
    torch::optim::Adam optimizer_;
};

}  // namespace

std::unique_ptr<TransferMethod> makeCycleGanMethod(const TransferTrainConfig& c, const torch::Device& device) {
    return std::make_unique<CycleGanMethod>(c, device);
}

}  // namespace synthforge::transfer
