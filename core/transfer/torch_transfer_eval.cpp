// `synthforge transfer eval`: what a translation did to the labels, to the
// identities and to the distance from real photos (docs/transfer.md,
// "Measuring a translation").

#include <torch/torch.h>

#include <cmath>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/dataset/image_files.h"
#include "core/dataset/sample_paths.h"
#include "core/dataset/stored_sample.h"
#include "core/eval/domain_probe.h"
#include "core/eval/kid.h"
#include "core/fr/torch_fr_model.h"
#include "core/generate/samplers/fr_crop.h"
#include "core/io/file_util.h"
#include "core/train/evaluator.h"
#include "core/train/predictor.h"
#include "core/train/torch_evaluator.h"
#include "core/train/torch_predict_model.h"
#include "core/train/run_weights.h"
#include "core/train/torch_run_directory.h"
#include "core/transfer/transfer.h"

namespace synthforge::transfer {

namespace {

/// Embeds BGR images (any size; faceTensor resizes to 112) in batches: one
/// L2-normalised, flip-fused row each.
eval::FeatureRows embed(fr::IResNet& net, const std::vector<cv::Mat>& images, int64_t batch, const torch::Device& device,
                        jobs::ProgressTracker& tracker) {
    eval::FeatureRows rows;
    for (std::size_t b = 0; b < images.size(); b += static_cast<std::size_t>(batch)) {
        std::vector<torch::Tensor> in;
        for (std::size_t k = b; k < std::min(images.size(), b + static_cast<std::size_t>(batch)); ++k)
            in.push_back(fr::faceTensor(images[k], nullptr));
        const torch::Tensor e = fr::fusedEmbeddings(net, torch::stack(in).to(device)).cpu().contiguous();
        for (int64_t i = 0; i < e.size(0); ++i) {
            const float* p = e[i].data_ptr<float>();
            rows.emplace_back(p, p + e.size(1));
        }
        tracker.advance(in.size());
    }
    return rows;
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
    double dot = 0, na = 0, nb = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
        dot += static_cast<double>(a[k]) * b[k];
        na += static_cast<double>(a[k]) * a[k];
        nb += static_cast<double>(b[k]) * b[k];
    }
    return dot / std::sqrt(std::max(na * nb, 1e-24));
}

/// The annotation's "identity" (identity sampler datasets), -1 without one.
int64_t identityOf(const std::string& dataset, const std::string& name) {
    const std::string path = dataset::samplePaths(dataset, name).annotation;
    const nlohmann::json j = nlohmann::json::parse(io::readFileText(path, dataset::kMaxAnnotationBytes), nullptr, false);
    if (j.is_object() && j.contains("identity") && j["identity"].is_number_integer()) return j["identity"].get<int64_t>();
    return -1;
}

double meanOf(const std::vector<double>& v) {
    if (v.empty()) return NAN;
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
}

/// The Stage I run's landmarks on each translated image of `names`, in the
/// image's own pixels: the run predicts at its training size (as `eval`
/// scores it) and the points are scaled back.
std::vector<std::vector<float>> predictedLandmarks(const TransferEvalConfig& c, const std::vector<std::string>& names) {
    const train::PredictRunFacts facts = train::readPredictRunFacts(c.stage1);
    train::PredictModel model = train::PredictModel::load(c.stage1, "final", facts, train::pickDevice(c.device));
    std::vector<std::vector<float>> out;
    torch::NoGradGuard noGrad;
    for (std::size_t b = 0; b < names.size(); b += static_cast<std::size_t>(c.batch)) {
        std::vector<cv::Mat> images;
        for (std::size_t i = b; i < std::min(names.size(), b + static_cast<std::size_t>(c.batch)); ++i)
            images.push_back(dataset::readBgrImage(dataset::samplePaths(c.translated, names[i]).image));
        const torch::Tensor lm = model.forward(train::bgrToInput(images, static_cast<int>(facts.size))).landmarks;
        for (std::size_t k = 0; k < images.size(); ++k) {
            const eval::Landmarks2d px = train::landmarksToPixels(lm[static_cast<int64_t>(k)], facts.size);
            const float sx = static_cast<float>(images[k].cols) / static_cast<float>(facts.size);
            const float sy = static_cast<float>(images[k].rows) / static_cast<float>(facts.size);
            std::vector<float> v;
            for (Eigen::Index j = 0; j < px.rows(); ++j) {
                v.push_back(px(j, 0) * sx);
                v.push_back(px(j, 1) * sy);
            }
            out.push_back(std::move(v));
        }
    }
    return out;
}

}  // namespace

TransferEvalResult evaluateTransfer(const TransferEvalConfig& c, jobs::ProgressSink* progress) {
    validateTransferEvalConfig(c);
    const std::vector<std::string> names = dataset::listCompleteSamples(c.source);
    if (names.empty()) throw std::runtime_error(c.source + ": no complete samples");
    if (dataset::listCompleteSamples(c.translated) != names)
        throw std::runtime_error(c.translated + ": does not hold the same samples as " + c.source +
                                 " (translate it whole with transfer apply first)");
    if (c.threads > 0) torch::set_num_threads(c.threads);

    TransferEvalResult r;
    if (!c.stage1.empty()) {
        train::EvalConfig e;
        e.model = c.stage1;
        e.split = "all";
        e.batch = c.batch;
        e.device = c.device;
        e.threads = c.threads;
        e.format = "synthforge";
        e.data = c.source;
        const train::EvalResult before = train::evaluateRun(e, progress);
        e.data = c.translated;
        const train::EvalResult after = train::evaluateRun(e, progress);
        StructureDrift& s = r.structure;
        s.samples = before.samples;
        s.sourceNme = before.nmeMean;
        s.translatedNme = after.nmeMean;
        s.sourceMiou = before.meanIoU;
        s.translatedMiou = after.meanIoU;
        for (std::size_t i = 0; i < before.nmePerImage.size() && i < after.nmePerImage.size(); ++i) {
            const std::string& name = names[static_cast<std::size_t>(before.firstSample) + i];
            s.names.push_back(name);
            s.nmeIncrease.push_back(after.nmePerImage[i] - before.nmePerImage[i]);
            if (s.nmeIncrease.back() > c.maxNmeIncrease) s.drifted.push_back(name);
        }
        s.translatedLandmarks = predictedLandmarks(c, s.names);
        r.hasStructure = true;
    }
    if (!c.fr.empty()) {
        const torch::Device device = train::pickDevice(c.device);
        fr::IResNet net = fr::loadBackbone(train::runWeightsFile(c.fr, "final", "the fr run has not finished training"));
        net->to(device);
        std::vector<cv::Mat> srcCrops, trCrops, srcWhole, trWhole;
        std::vector<int64_t> identities;
        for (const std::string& n : names) {
            dataset::StoredSampleRead what;
            what.segmentation = what.depth = what.normals = false;
            const dataset::StoredSample s = dataset::readStoredSample(c.source, n, what);
            const cv::Mat translated = dataset::readBgrImage(dataset::samplePaths(c.translated, n).image);
            if (translated.size() != s.image.size())
                throw std::runtime_error(dataset::samplePaths(c.translated, n).image + ": " +
                                         std::to_string(translated.cols) + "x" + std::to_string(translated.rows) +
                                         ", but the source image is " + std::to_string(s.image.cols) + "x" +
                                         std::to_string(s.image.rows));
            srcCrops.push_back(generate::alignedFrCrop(s.image, s.landmarks));
            trCrops.push_back(generate::alignedFrCrop(translated, s.landmarks));
            srcWhole.push_back(s.image);
            trWhole.push_back(translated);
            identities.push_back(identityOf(c.source, n));
        }
        std::vector<std::string> photos;
        if (!c.target.empty()) photos = listTargetImages(c.target);
        jobs::ProgressTracker tracker(progress, "transfer eval",
                                      static_cast<uint64_t>(2 * names.size() + (photos.empty() ? 0 : 2 * names.size() + photos.size())));
        const eval::FeatureRows src = embed(net, srcCrops, c.batch, device, tracker);
        const eval::FeatureRows tr = embed(net, trCrops, c.batch, device, tracker);
        IdentityPreservation& id = r.identity;
        id.samples = static_cast<int64_t>(names.size());
        std::vector<double> kept, same, different;
        for (std::size_t i = 0; i < src.size(); ++i) kept.push_back(cosine(src[i], tr[i]));
        // Baselines among the source images: each sample with the next one
        // of its identity, and with the next sample of another identity.
        std::map<int64_t, std::size_t> lastOf;
        for (std::size_t i = 0; i < src.size(); ++i) {
            if (identities[i] >= 0) {
                const auto it = lastOf.find(identities[i]);
                if (it != lastOf.end()) same.push_back(cosine(src[it->second], src[i]));
                lastOf[identities[i]] = i;
            }
            if (i + 1 < src.size() && (identities[i] < 0 || identities[i] != identities[i + 1]))
                different.push_back(cosine(src[i], src[i + 1]));
        }
        id.sourceToTranslated = meanOf(kept);
        id.perSample = kept;
        id.sameIdentity = meanOf(same);
        id.differentIdentity = meanOf(different);
        r.hasIdentity = true;

        if (!photos.empty()) {
            std::vector<cv::Mat> real;
            for (const std::string& p : photos) real.push_back(dataset::readBgrImage(p));
            // The whole images, framed alike on both sides (photos have no landmarks here).
            const eval::FeatureRows fs = embed(net, srcWhole, c.batch, device, tracker);
            const eval::FeatureRows ft = embed(net, trWhole, c.batch, device, tracker);
            const eval::FeatureRows fr = embed(net, real, c.batch, device, tracker);
            const eval::KidResult kt = eval::kernelInceptionDistance(ft, fr, c.kidSubsets, c.kidSubsetSize, 1);
            const eval::KidResult ks = eval::kernelInceptionDistance(fs, fr, c.kidSubsets, c.kidSubsetSize, 1);
            r.kidTranslated = kt.mean;
            r.kidTranslatedStd = kt.std;
            r.kidSource = ks.mean;
            r.kidSourceStd = ks.std;
            if (ft.size() >= 4 && fr.size() >= 4) {
                const eval::DomainProbeResult dt = eval::domainClassifierAccuracy(ft, fr);
                r.domainTranslated = dt.accuracy;
                r.domainSource = eval::domainClassifierAccuracy(fs, fr).accuracy;
                r.domainTestRows = dt.testRows;
            }
            r.features = "fr " + c.fr + ": flip-fused, L2-normalised embedding of the whole image resized to 112x112";
            r.hasRealism = true;
        }
        tracker.finish();
    }
    return r;
}

std::string transferEvalToJson(const TransferEvalConfig& c, const TransferEvalResult& r) {
    const auto num = [](double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr); };
    nlohmann::ordered_json j;
    j["format"] = "synthforge-transfer-eval";
    j["version"] = 1;
    j["source"] = c.source;
    j["translated"] = c.translated;
    if (r.hasStructure) {
        const StructureDrift& s = r.structure;
        nlohmann::ordered_json per = nlohmann::ordered_json::array();
        for (std::size_t i = 0; i < s.names.size(); ++i) {
            nlohmann::ordered_json e{{"name", s.names[i]}, {"nme_increase", num(s.nmeIncrease[i])}};
            if (i < s.translatedLandmarks.size()) {
                // Two decimals: a hundredth of a pixel, and a smaller file.
                nlohmann::ordered_json pts = nlohmann::ordered_json::array();
                for (float v : s.translatedLandmarks[i]) pts.push_back(std::round(static_cast<double>(v) * 100.0) / 100.0);
                e["translated_landmarks"] = pts;
            }
            per.push_back(e);
        }
        j["structure"] = {{"stage1", c.stage1},
                          {"samples", s.samples},
                          {"nme", {{"source", num(s.sourceNme)}, {"translated", num(s.translatedNme)}}},
                          {"miou", {{"source", num(s.sourceMiou)}, {"translated", num(s.translatedMiou)}}},
                          {"max_nme_increase", c.maxNmeIncrease},
                          {"drifted", s.drifted},
                          {"per_sample", per}};
    }
    if (r.hasIdentity) {
        nlohmann::ordered_json per = nlohmann::ordered_json::array();
        const std::vector<std::string> names = dataset::listCompleteSamples(c.source);
        for (std::size_t i = 0; i < r.identity.perSample.size() && i < names.size(); ++i)
            per.push_back({{"name", names[i]}, {"cosine", num(r.identity.perSample[i])}});
        j["identity"] = {{"fr", c.fr},
                         {"samples", r.identity.samples},
                         {"per_sample", per},
                         {"source_to_translated", num(r.identity.sourceToTranslated)},
                         {"same_identity", num(r.identity.sameIdentity)},
                         {"different_identity", num(r.identity.differentIdentity)}};
    }
    if (r.hasRealism)
        j["realism"] = {{"target", c.target},
                        {"features", r.features},
                        {"kid_translated", {{"mean", num(r.kidTranslated)}, {"std", num(r.kidTranslatedStd)}}},
                        {"kid_source", {{"mean", num(r.kidSource)}, {"std", num(r.kidSourceStd)}}},
                        {"domain_classifier",
                         {{"translated", num(r.domainTranslated)}, {"source", num(r.domainSource)}, {"test_rows", r.domainTestRows}}},
                        {"subsets", c.kidSubsets},
                        {"subset_size", c.kidSubsetSize}};
    return j.dump(2) + "\n";
}

}  // namespace synthforge::transfer
