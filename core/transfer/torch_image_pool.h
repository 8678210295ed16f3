#pragma once
// CycleGAN's history of generated images (Shrivastava et al. 2017): the
// discriminator is shown a mix of this step's fakes and earlier ones, which
// damps oscillation. The history is a module buffer, so a checkpoint holds
// it and a resumed run continues exactly; its draws come from torch's
// generator, which the run loop reseeds per step. Torch types appear here,
// so only torch_*.cpp files may include it.

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace synthforge::transfer {

class ImagePoolImpl : public torch::nn::Module {
public:
    /// `capacity` images of 3 x side x side; 0 passes every image through.
    ImagePoolImpl(int64_t capacity, int64_t side);
    /// Per image of `fakes` (detached): while the pool fills, the image is
    /// stored and returned; afterwards, with probability 1/2 a random stored
    /// image is returned and replaced by it, else the image itself.
    torch::Tensor query(const torch::Tensor& fakes);
    int64_t stored() const;

private:
    int64_t capacity_;
    torch::Tensor images_, count_;
};
TORCH_MODULE(ImagePool);

}  // namespace synthforge::transfer
