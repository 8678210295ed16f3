// `synthforge transfer apply`: a translated copy of a dataset. Images go
// through the run's A -> B generator; every other file of a sample is copied
// byte for byte, so the annotations stay exactly those of the mesh. Like
// `generate`, every file is written under a temporary name and renamed, the
// annotation last, so a sample is complete exactly when its annotation
// exists; a resumed run skips complete samples and rewrites the rest.

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/dataset/dataset_manifest.h"
#include "core/dataset/image_files.h"
#include "core/dataset/sample_paths.h"
#include "core/dataset/stored_sample.h"
#include "core/generate/samplers/fr_crop.h"
#include "core/io/content_hash.h"
#include "core/io/file_util.h"
#include "core/io/png_writer.h"
#include "core/jobs/run_record.h"
#include "core/train/run_weights.h"
#include "core/train/torch_run_directory.h"
#include "core/transfer/face_paste.h"
#include "core/transfer/torch_image_tensor.h"
#include "core/transfer/torch_restorer.h"
#include "core/transfer/torch_translator_file.h"
#include "core/transfer/transfer.h"
#include "core/transfer/transfer_eval_report.h"
#include "core/transfer/transfer_images.h"

namespace synthforge::transfer {

namespace fs = std::filesystem;

namespace {

/// Fields a manifest writes from DatasetManifest (datasetManifestJson adds them).
constexpr const char* kManifestOwnKeys[] = {"format", "version", "count", "width", "height", "classes", "index_digits",
                                            "complete"};

/// The files of one sample, source and destination, split into the images
/// to translate and the files to copy (annotation last).
struct SampleFiles {
    std::vector<std::pair<fs::path, fs::path>> images, copies;
};

SampleFiles sampleFiles(const fs::path& src, const fs::path& dst, const std::string& name) {
    SampleFiles f;
    const auto add = [&](std::vector<std::pair<fs::path, fs::path>>& list, const std::string& rel) {
        std::error_code ec;
        if (fs::is_regular_file(src / rel, ec)) list.emplace_back(src / rel, dst / rel);
    };
    add(f.images, "images/" + name + ".png");
    add(f.images, "facesynthetics/" + name + ".png");
    add(f.images, "300w/" + name + ".png");
    for (const std::string& rel : {"seg/" + name + ".png", "depth/" + name + ".tiff", "normals/" + name + ".png",
                                  "facesynthetics/" + name + "_seg.png", "facesynthetics/" + name + "_ldmks.txt",
                                  "300w/" + name + ".pts"})
        add(f.copies, rel);
    f.copies.emplace_back(src / "annotations" / (name + ".json"), dst / "annotations" / (name + ".json"));
    return f;
}

/// The identity sampler's aligned face crops (fr/<identity>/<name>.png) of
/// the source, by sample name: apply re-crops them from the translation.
std::map<std::string, std::string> frCrops(const fs::path& src) {
    std::map<std::string, std::string> crops;
    std::error_code ec;
    for (fs::directory_iterator id(src / "fr", ec), end; !ec && id != end; id.increment(ec)) {
        if (!id->is_directory(ec)) continue;
        for (fs::directory_iterator f(id->path(), ec); !ec && f != end; f.increment(ec))
            if (f->path().extension() == ".png")
                crops[f->path().stem().string()] = fs::relative(f->path(), src).string();
    }
    return crops;
}

void copyBytes(const fs::path& from, const fs::path& to) {
    const std::vector<std::uint8_t> bytes = io::readFileBytes(from.string());
    fs::create_directories(to.parent_path());
    io::writeFileAtomic(to.string(), bytes.data(), bytes.size());
}

/// The output manifest: the source's definition plus a "transfer" record.
std::string outputManifest(const std::string& sourceText, const dataset::DatasetManifest& m, const nlohmann::ordered_json& record,
                           bool complete) {
    nlohmann::ordered_json def = nlohmann::ordered_json::parse(sourceText);
    for (const char* k : kManifestOwnKeys) def.erase(k);
    def["transfer"] = record;
    dataset::DatasetManifest out = m;
    out.complete = complete;
    return dataset::datasetManifestJson(out, def.dump());
}

/// The sample's face aligned to FFHQ 512 from its annotation's landmarks,
/// restored, and pasted back with a feather of 4 % of the face's side.
cv::Mat restoreFace(TorchScriptRestorer& restorer, const TransferApplyConfig& c, const cv::Mat& image,
                    const std::string& name) {
    const dataset::StoredSample ann = dataset::readStoredAnnotation(c.data, name, image.size());
    const camera::Similarity2d s = ffhqAlignTransform(ann.landmarks, TorchScriptRestorer::kSide);
    const cv::Mat restored = restorer.restore(warpFace(image, s, TorchScriptRestorer::kSide), c.fidelity);
    const int feather = std::max(1, static_cast<int>(std::lround(0.04 * TorchScriptRestorer::kSide / s.scale())));
    return pasteFace(image, restored, s, feather);
}

}  // namespace

TransferApplyResult applyTransfer(const TransferApplyConfig& c, jobs::ProgressSink* progress,
                                  const jobs::CancelToken* cancel) {
    const std::string weights = validateTransferApplyConfig(c);
    if (c.threads > 0) torch::set_num_threads(c.threads);
    const torch::Device device = train::pickDevice(c.device);
    const bool restoring = !c.restorer.empty();
    // A translator run's generator, or a TorchScript face restorer.
    std::unique_ptr<LoadedTranslator> t;
    std::unique_ptr<TorchScriptRestorer> restorer;
    if (restoring)
        restorer = std::make_unique<TorchScriptRestorer>(c.restorer, device);
    else
        t = std::make_unique<LoadedTranslator>(loadTranslator(weights));
    const dataset::DatasetManifest source = dataset::readDatasetManifest(c.data);
    const std::string sourceText = io::readFileText(dataset::manifestPath(c.data), dataset::kMaxManifestBytes);
    const std::vector<std::uint8_t> weightBytes = io::readFileBytes(weights);
    const std::string weightsHash = io::hex64(io::fnv1a(weightBytes.data(), weightBytes.size()));
    nlohmann::ordered_json record = {{"source", fs::absolute(c.data).lexically_normal().string()}};
    if (restoring) {
        record["restorer"] = fs::absolute(c.restorer).lexically_normal().string();
        record["restorer_hash"] = weightsHash;
        record["method"] = "restorer";
        record["fidelity"] = c.fidelity;
    } else {
        record["model"] = fs::absolute(c.model).lexically_normal().string();
        record["weights"] = fs::absolute(weights).lexically_normal().string();
        record["weights_hash"] = weightsHash;
        record["method"] = t->metadata.at("method");
        record["size"] = c.size != 0 ? c.size : t->loadSize;
    }
    // Drifted samples of an earlier translation (transfer eval) stay out.
    std::set<std::string> rejected;
    if (!c.reject.empty()) {
        rejected = loadTransferEval(c.reject).drifted;
        record["rejected_by"] = fs::absolute(c.reject).lexically_normal().string();
        record["rejected"] = std::vector<std::string>(rejected.begin(), rejected.end());
    }
    const int side = restoring ? TorchScriptRestorer::kSide : static_cast<int>(c.size != 0 ? c.size : t->loadSize);

    // The output folder: new, or this very dataset (resume), never another.
    const std::string manifest = outputManifest(sourceText, source, record, false);
    const fs::path out(c.out);
    std::error_code ec;
    if (dataset::hasDatasetManifest(c.out)) {
        std::string differs;
        if (!dataset::sameDatasetDefinition(io::readFileText(dataset::manifestPath(c.out), dataset::kMaxManifestBytes),
                                            manifest, &differs))
            throw std::runtime_error(c.out + ": holds another dataset (" + differs +
                                     " differ); choose a new folder");
    } else {
        for (const auto& e : fs::directory_iterator(out, ec))
            if (!jobs::isRunRecordFile(e.path().filename().string()))
                throw std::runtime_error(c.out + ": not empty and not a dataset; choose a new folder");
        fs::create_directories(out);
        io::writeFileAtomic(dataset::manifestPath(c.out), manifest);
    }

    const std::vector<std::string> names = dataset::listCompleteSamples(c.data);
    const std::map<std::string, std::string> crops = frCrops(c.data);
    std::vector<std::string> mine;
    TransferApplyResult r;
    const auto done = [&](const std::string& name) {
        std::error_code e;
        return fs::exists(out / "annotations" / (name + ".json"), e);
    };
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (static_cast<int64_t>(i % static_cast<std::size_t>(c.shardCount)) != c.shardIndex) continue;
        if (rejected.count(names[i]))
            ++r.rejected;
        else
            mine.push_back(names[i]);
    }
    r.total = static_cast<int64_t>(mine.size());
    for (const std::string& n : mine) r.skipped += done(n) ? 1 : 0;
    // Other shards' samples may be there (shards share the folder); this one's only with --resume.
    if (!c.resume && r.skipped > 0)
        throw std::runtime_error(c.out + ": already holds " + std::to_string(r.skipped) +
                                 " samples of this translation (this shard's); add --resume to continue");

    if (t) t->module->to(device);
    torch::NoGradGuard noGrad;
    jobs::ProgressTracker tracker(progress, "transfer apply", static_cast<uint64_t>(r.total));
    tracker.advance(static_cast<uint64_t>(r.skipped));
    // Batches are fixed groups of the shard's samples, translated whole even
    // when a resumed run needs only part of one: a sample's pixels must not
    // depend on which others shared its forward pass.
    for (std::size_t b = 0; b < mine.size(); b += static_cast<std::size_t>(c.batch)) {
        const std::size_t end = std::min(mine.size(), b + static_cast<std::size_t>(c.batch));
        if (std::all_of(mine.begin() + static_cast<std::ptrdiff_t>(b), mine.begin() + static_cast<std::ptrdiff_t>(end), done))
            continue;
        if (cancel && cancel->cancelled()) throw jobs::Cancelled();
        std::vector<cv::Mat> images, outputs;
        std::vector<torch::Tensor> inputs;
        for (std::size_t k = b; k < end; ++k) {
            images.push_back(dataset::readBgrImage(dataset::samplePaths(c.data, mine[k]).image));
            if (t) inputs.push_back(rgbFloatToTensor(translatorInput(images.back(), side, side, nullptr)));
        }
        if (t) {
            const torch::Tensor y = t->forward(torch::stack(inputs).to(device));
            for (std::size_t k = b; k < end; ++k)
                outputs.push_back(translatorOutputToBgr(tensorToRgbFloat(y[static_cast<int64_t>(k - b)]),
                                                        images[k - b].cols, images[k - b].rows));
        } else {
            for (std::size_t k = b; k < end; ++k)
                outputs.push_back(done(mine[k]) ? cv::Mat() : restoreFace(*restorer, c, images[k - b], mine[k]));
        }
        for (std::size_t k = b; k < end; ++k) {
            if (done(mine[k])) continue;
            const cv::Size size = images[k - b].size();
            const std::vector<std::uint8_t> png = io::encodePng(outputs[k - b]);
            const SampleFiles files = sampleFiles(c.data, out, mine[k]);
            for (const auto& file : files.images) {
                fs::create_directories(file.second.parent_path());
                io::writeFileAtomic(file.second.string(), png.data(), png.size());
            }
            // The face-recognition crop, aligned again from the annotation's
            // landmarks on the translated image.
            const auto crop = crops.find(mine[k]);
            if (crop != crops.end()) {
                const dataset::StoredSample ann = dataset::readStoredAnnotation(c.data, mine[k], size);
                const cv::Mat translated = cv::imdecode(png, cv::IMREAD_COLOR);
                const fs::path to = out / crop->second;
                fs::create_directories(to.parent_path());
                const std::vector<std::uint8_t> cropPng = io::encodePng(generate::alignedFrCrop(translated, ann.landmarks));
                io::writeFileAtomic(to.string(), cropPng.data(), cropPng.size());
            }
            for (const auto& [from, to] : files.copies) copyBytes(from, to);  // the annotation last
            ++r.written;
            tracker.advance();
        }
    }
    tracker.finish();

    // Complete when the source is and every sample of every shard is here.
    // (A rejected sample counts as accounted for: it is left out on purpose.)
    std::size_t accounted = 0;
    for (const std::string& n : names) accounted += rejected.count(n) || done(n) ? 1 : 0;
    r.complete = source.complete && accounted == names.size();
    if (r.complete) io::writeFileAtomic(dataset::manifestPath(c.out), outputManifest(sourceText, source, record, true));
    return r;
}

}  // namespace synthforge::transfer
