#include "core/fr/torch_fr_model.h"

#include <torch/torch.h>

#include <opencv2/imgproc.hpp>

#include "core/fr/face_colour_jitter.h"
#include "core/fr/face_recognition.h"
#include "core/io/safetensors.h"
#include "core/train/torch_weights.h"

namespace synthforge::fr {

FrModelImpl::FrModelImpl(const std::string& p, const std::string& h, int64_t classes, double scale, double margin)
    : preset(p), headName(h) {
    backbone = register_module("backbone", IResNet(iresnetPreset(p)));
    if (classes > 0) {
        MarginHeadOptions o;
        o.kind = parseMarginKind(h);
        o.embedding = backbone->options.embedding;
        o.classes = classes;
        o.s = scale;
        o.m = margin;
        head = register_module("head", MarginHead(o));
    }
}

void saveBackbone(const FrModel& model, const std::string& path) {
    io::saveSafetensorsFile(path, train::stateDictToSafetensors(
                                      *model->backbone, {{"format", "synthforge-fr"}, {"preset", model->preset}}));
}

IResNet loadBackbone(const std::string& path) {
    const io::SafetensorsFile file = io::loadSafetensorsFile(path);
    auto it = file.metadata.find("preset");
    if (it == file.metadata.end()) throw std::runtime_error(path + ": __metadata__.preset: missing (not an fr run's weights)");
    IResNet net(iresnetPreset(it->second));
    train::loadStateDict(*net, file, path);
    net->eval();
    return net;
}

torch::Tensor faceTensor(const cv::Mat& bgr, std::mt19937_64* rng) {
    cv::Mat img = bgr;
    if (rng) {
        std::uniform_real_distribution<double> u(0, 1);
        if (u(*rng) < 0.5) cv::flip(img, img, 1);
        const double keep = 0.85 + 0.15 * u(*rng);
        const int w = std::max(1, static_cast<int>(img.cols * keep)), h = std::max(1, static_cast<int>(img.rows * keep));
        const int x = static_cast<int>((img.cols - w) * u(*rng)), y = static_cast<int>((img.rows - h) * u(*rng));
        img = img(cv::Rect(x, y, w, h));
    }
    cv::Mat sized;
    cv::resize(img, sized, cv::Size(static_cast<int>(kFaceSize), static_cast<int>(kFaceSize)), 0, 0,
               img.cols > kFaceSize ? cv::INTER_AREA : cv::INTER_LINEAR);
    cv::Mat rgb;
    cv::cvtColor(sized, rgb, cv::COLOR_BGR2RGB);
    cv::Mat f;
    rgb.convertTo(f, CV_32FC3, 1.0 / 255.0);
    if (rng) applyColourJitter(f, FaceColourJitter::draw(*rng));
    torch::Tensor t = torch::from_blob(f.data, {kFaceSize, kFaceSize, 3}, torch::kFloat32).clone();
    return ((t.clamp(0, 1) - 0.5) / 0.5).permute({2, 0, 1}).contiguous();
}

torch::Tensor fusedEmbeddings(IResNet& net, const torch::Tensor& images) {
    torch::NoGradGuard g;
    const torch::Tensor e = net->forward(images) + net->forward(images.flip({3}));
    return e / e.norm(2, 1, true).clamp_min(1e-12);
}

}  // namespace synthforge::fr
