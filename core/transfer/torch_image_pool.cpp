#include "core/transfer/torch_image_pool.h"

#include <torch/torch.h>

namespace synthforge::transfer {

ImagePoolImpl::ImagePoolImpl(int64_t capacity, int64_t side) : capacity_(capacity) {
    images_ = register_buffer("images", torch::zeros({std::max<int64_t>(capacity, 0), 3, side, side}));
    count_ = register_buffer("count", torch::zeros({1}, torch::kInt64));
}

int64_t ImagePoolImpl::stored() const { return count_.item<int64_t>(); }

torch::Tensor ImagePoolImpl::query(const torch::Tensor& fakes) {
    torch::NoGradGuard g;
    const torch::Tensor in = fakes.detach();
    if (capacity_ == 0) return in;
    std::vector<torch::Tensor> out;
    int64_t n = stored();
    for (int64_t i = 0; i < in.size(0); ++i) {
        const torch::Tensor image = in[i];
        if (n < capacity_) {
            images_[n].copy_(image);
            ++n;
            out.push_back(image.clone());
        } else if (torch::rand({1}).item<double>() > 0.5) {
            const int64_t k = torch::randint(capacity_, {1}).item<int64_t>();
            out.push_back(images_[k].clone());
            images_[k].copy_(image);
        } else {
            out.push_back(image.clone());
        }
    }
    count_.fill_(n);
    return torch::stack(out);
}

}  // namespace synthforge::transfer
