// alignTargetPhotos: `predict` on the photos, then one similarity warp each.
// (torch_ because predictImages links LibTorch; no torch type appears here.)

#include "core/transfer/target_alignment.h"

#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "core/camera/similarity2d_cv.h"
#include "core/dataset/image_files.h"
#include "core/dataset/sample_paths.h"
#include "core/io/file_util.h"
#include "core/io/png_writer.h"
#include "core/train/predictor.h"

namespace synthforge::transfer {

namespace fs = std::filesystem;

namespace {

camera::Points2d readPredictedLandmarks(const std::string& path) {
    const nlohmann::json j = nlohmann::json::parse(io::readFileText(path, 1u << 20));
    const nlohmann::json& pts = j.at("landmarks");
    camera::Points2d p(static_cast<Eigen::Index>(pts.size()), 2);
    for (std::size_t i = 0; i < pts.size(); ++i) {
        p(static_cast<Eigen::Index>(i), 0) = pts[i].at(0).get<double>();
        p(static_cast<Eigen::Index>(i), 1) = pts[i].at(1).get<double>();
    }
    return p;
}

}  // namespace

std::vector<std::string> alignTargetPhotos(const std::vector<std::string>& photos, const std::string& run,
                                           const LandmarkFrame& frame, const std::string& outDir,
                                           const std::string& device, jobs::ProgressSink* progress) {
    const fs::path out(outDir), record = out / "alignment.json";
    const std::string runPath = fs::absolute(run).lexically_normal().string();
    // A finished alignment of the same photos by the same run is kept.
    if (fs::exists(record)) {
        const nlohmann::json j = nlohmann::json::parse(io::readFileText(record.string(), 64u << 20), nullptr, false);
        if (!j.is_discarded() && j.value("run", "") == runPath && j.value("photos", nlohmann::json()) == photos &&
            j.contains("aligned")) {
            std::vector<std::string> kept;
            for (const auto& a : j["aligned"]) kept.push_back((out / a.at("file").get<std::string>()).string());
            bool all = true;
            for (const std::string& k : kept) all = all && fs::exists(k);
            if (all && !kept.empty()) return kept;
        }
    }
    fs::create_directories(out / "predict");
    train::PredictConfig pc;
    pc.model = run;
    pc.images = photos;
    pc.out = (out / "predict").string();
    pc.device = device;
    const train::PredictResult r = train::predictImages(pc, progress);
    if (r.numLandmarks != 68)
        throw std::runtime_error(run + ": predicts " + std::to_string(r.numLandmarks) +
                                 " landmarks; aligning photos needs a run with our 68 (train, or finetune on 300W)");
    nlohmann::ordered_json aligned = nlohmann::ordered_json::array(), skipped = nlohmann::ordered_json::array();
    std::vector<std::string> written;
    for (std::size_t i = 0; i < r.images.size(); ++i) {
        const train::ImagePrediction& p = r.images[i];
        const fs::path lm = out / "predict" / (p.name + "_landmarks.json");
        if (!p.ok || !fs::exists(lm)) {
            skipped.push_back({{"photo", p.input}, {"why", p.ok ? "no landmarks written" : p.error}});
            continue;
        }
        camera::Similarity2d s;
        try {
            s = alignmentToFrame(readPredictedLandmarks(lm.string()), frame);
        } catch (const std::exception& e) {
            skipped.push_back({{"photo", p.input}, {"why", e.what()}});
            continue;
        }
        cv::Mat warped;
        // Replicated edges rather than black: a black frame would tell the
        // discriminator which domain an image comes from.
        cv::warpAffine(dataset::readBgrImage(p.input), warped, camera::warpMatrix(s), cv::Size(frame.width, frame.height),
                       cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        const std::string file = dataset::sampleName(i, 6) + ".png";
        io::writePngFile((out / file).string(), warped);
        written.push_back((out / file).string());
        aligned.push_back({{"photo", p.input}, {"file", file}, {"similarity", {s.a, s.b, s.tx, s.ty}}});
    }
    if (written.empty()) throw std::runtime_error(run + ": could not align any of the " + std::to_string(photos.size()) + " photos");
    nlohmann::ordered_json j;
    j["format"] = "synthforge-target-alignment";
    j["version"] = 1;
    j["run"] = runPath;
    j["photos"] = photos;
    j["frame"] = {{"width", frame.width}, {"height", frame.height}};
    j["aligned"] = aligned;
    j["skipped"] = skipped;
    io::writeFileAtomic(record.string(), j.dump(1) + "\n");
    return written;
}

}  // namespace synthforge::transfer
