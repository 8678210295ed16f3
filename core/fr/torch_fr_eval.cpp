// `synthforge fr eval` and `fr embed`: flip-fused, L2-normalised embeddings
// of a trained backbone, scored on verification benchmarks.

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/dataset/image_files.h"
#include "core/dataset/verification_pairs.h"
#include "core/fr/face_recognition.h"
#include "core/fr/torch_fr_model.h"
#include "core/io/file_util.h"
#include "core/io/npy.h"
#include "core/train/run_weights.h"
#include "core/train/torch_run_directory.h"

namespace synthforge::fr {

namespace fs = std::filesystem;

namespace {

/// Embeds `count` images, `decode(i)` giving image i (BGR), batch by batch.
torch::Tensor embedAll(IResNet& net, int64_t count, const std::function<cv::Mat(int64_t)>& decode, int64_t batch,
                       const torch::Device& device, jobs::ProgressTracker& tracker) {
    std::vector<torch::Tensor> out;
    for (int64_t b = 0; b < count; b += batch) {
        std::vector<torch::Tensor> images;
        for (int64_t i = b; i < std::min(count, b + batch); ++i) images.push_back(faceTensor(decode(i), nullptr));
        out.push_back(fusedEmbeddings(net, torch::stack(images).to(device)).cpu());
        tracker.advance(static_cast<std::uint64_t>(images.size()));
    }
    return torch::cat(out);
}

FrBenchmarkResult score(const std::string& name, const torch::Tensor& embeddings,
                        const std::vector<std::pair<int64_t, int64_t>>& pairs, const std::vector<bool>& same) {
    FrBenchmarkResult r;
    r.name = name;
    r.pairs = static_cast<int64_t>(pairs.size());
    std::vector<double> d;
    const auto e = embeddings.accessor<float, 2>();
    for (const auto& [a, b] : pairs) {
        double s = 0;
        for (int64_t k = 0; k < embeddings.size(1); ++k) {
            const double diff = double(e[a][k]) - double(e[b][k]);
            s += diff * diff;
        }
        d.push_back(s);
    }
    r.accuracy = eval::kFoldAccuracy(d, same);
    r.roc = eval::rocCurve(d, same);
    for (double far : {1e-4, 1e-3, 1e-2, 1e-1}) r.tarAtFar[far] = eval::tarAtFar(r.roc, far);
    r.eer = eval::equalErrorRate(r.roc);
    return r;
}

cv::Mat decodeOrThrow(const std::vector<std::uint8_t>& bytes, const std::string& what) {
    const cv::Mat m = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<std::uint8_t*>(bytes.data())),
                                   cv::IMREAD_COLOR);
    if (m.empty()) throw std::runtime_error(what + ": not a decodable image");
    return m;
}

IResNet openBackbone(const std::string& model, const std::string& weights, const torch::Device& device) {
    IResNet net = loadBackbone(train::runWeightsFile(model, weights, "the run has not finished training"));
    net->to(device);
    return net;
}

}  // namespace

std::vector<FrBenchmarkResult> evaluateFaceRecognition(const FrEvalConfig& c, jobs::ProgressSink* progress) {
    train::validateWeightsChoice(c.weights);
    if (c.bins.empty() && c.lfwPairs.empty() && c.identities.empty())
        throw std::invalid_argument("benchmarks: give --bin, --pairs or --identities");
    if (c.batch < 1) throw std::invalid_argument("batch: must be at least 1");
    if (c.threads > 0) torch::set_num_threads(c.threads);
    const torch::Device device = train::pickDevice(c.device);
    IResNet net = openBackbone(c.model, c.weights, device);
    std::vector<FrBenchmarkResult> results;
    for (const std::string& binPath : c.bins) {
        const dataset::VerificationBin bin = dataset::readVerificationBin(binPath);
        jobs::ProgressTracker tracker(progress, fs::path(binPath).stem().string(), bin.images.size());
        const torch::Tensor e = embedAll(
            net, static_cast<int64_t>(bin.images.size()),
            [&](int64_t i) { return decodeOrThrow(bin.images[static_cast<std::size_t>(i)], binPath + ": image " + std::to_string(i)); },
            c.batch, device, tracker);
        std::vector<std::pair<int64_t, int64_t>> pairs;
        for (int64_t i = 0; i < static_cast<int64_t>(bin.same.size()); ++i) pairs.emplace_back(2 * i, 2 * i + 1);
        results.push_back(score(fs::path(binPath).stem().string(), e, pairs, bin.same));
    }
    if (!c.lfwPairs.empty()) {
        const dataset::LfwPairs lfw = dataset::readLfwPairs(c.lfwPairs, c.lfwImages);
        std::vector<std::string> images;
        std::vector<std::pair<int64_t, int64_t>> pairs;
        std::vector<bool> same;
        for (const dataset::ImagePair& p : lfw.pairs) {
            images.push_back(p.first);
            images.push_back(p.second);
            pairs.emplace_back(static_cast<int64_t>(images.size()) - 2, static_cast<int64_t>(images.size()) - 1);
            same.push_back(p.same);
        }
        jobs::ProgressTracker tracker(progress, "lfw-pairs", images.size());
        const torch::Tensor e = embedAll(
            net, static_cast<int64_t>(images.size()),
            [&](int64_t i) { return dataset::readBgrImage(images[static_cast<std::size_t>(i)]); }, c.batch, device,
            tracker);
        results.push_back(score("lfw_pairs", e, pairs, same));
    }
    if (!c.identities.empty()) {
        std::vector<std::vector<std::string>> perIdentity;
        for (const dataset::IdentityFolder& f : dataset::listIdentityFolders(c.identities)) perIdentity.push_back(f.images);
        const IdentityPairs p = identityPairs(perIdentity);
        if (p.pairs.size() < 10)
            throw std::runtime_error(c.identities + ": " + std::to_string(p.pairs.size()) +
                                     " pairs; the 10-fold protocol needs at least 10 (two images per identity, several identities)");
        jobs::ProgressTracker tracker(progress, "identities", p.images.size());
        const torch::Tensor e = embedAll(
            net, static_cast<int64_t>(p.images.size()),
            [&](int64_t i) { return dataset::readBgrImage(p.images[static_cast<std::size_t>(i)]); }, c.batch, device,
            tracker);
        results.push_back(score(fs::path(c.identities).filename().string(), e, p.pairs, p.same));
    }
    return results;
}

std::string frEvalToJson(const FrEvalConfig& c, const std::vector<FrBenchmarkResult>& results) {
    nlohmann::ordered_json j;
    j["format"] = "synthforge-fr-eval";
    j["version"] = 1;
    j["model"] = c.model;
    j["weights"] = c.weights;
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const FrBenchmarkResult& r : results) {
        nlohmann::ordered_json b;
        b["name"] = r.name;
        b["pairs"] = r.pairs;
        b["accuracy"] = {{"mean", r.accuracy.mean}, {"std", r.accuracy.std}, {"folds", r.accuracy.foldAccuracy},
                         {"thresholds", r.accuracy.foldThreshold}};
        nlohmann::ordered_json tar;
        for (const auto& [far, t] : r.tarAtFar) {
            char key[16];
            std::snprintf(key, sizeof key, "%g", far);
            tar[key] = t;
        }
        b["tar_at_far"] = tar;
        b["eer"] = r.eer;
        list.push_back(b);
    }
    j["benchmarks"] = list;
    return j.dump(2) + "\n";
}

int64_t embedImages(const std::string& model, const std::string& weights, const std::string& folder,
                    const std::string& outNpy, const std::string& device, int threads, jobs::ProgressSink* progress) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw std::runtime_error(folder + ": not a folder of images");
    std::vector<std::string> images;
    for (const auto& e : fs::directory_iterator(folder, ec)) {
        const std::string ext = io::lowerExtension(e.path().string());
        if (e.is_regular_file(ec) && (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp"))
            images.push_back(e.path().string());
    }
    if (images.empty()) throw std::runtime_error(folder + ": no images (png, jpg, jpeg, bmp)");
    std::sort(images.begin(), images.end());
    if (threads > 0) torch::set_num_threads(threads);
    const torch::Device dev = train::pickDevice(device);
    IResNet net = openBackbone(model, weights, dev);
    jobs::ProgressTracker tracker(progress, "embed", images.size());
    const torch::Tensor e = embedAll(
        net, static_cast<int64_t>(images.size()),
        [&](int64_t i) { return dataset::readBgrImage(images[static_cast<std::size_t>(i)]); }, 64, dev, tracker);
    const torch::Tensor c = e.contiguous();
    std::vector<float> values(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    io::saveNpyFile(outNpy, io::NdArray::fromFloat(values, {c.size(0), c.size(1)}));
    return c.size(0);
}

}  // namespace synthforge::fr
