#include "core/dataset/coverage.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "core/dataset/coverage_counts.h"
#include "core/dataset/dataset_manifest.h"
#include "core/dataset/sample_paths.h"
#include "core/dataset/stored_sample.h"

namespace synthforge::dataset {

namespace {

/// Running sums per coefficient (counts may differ if files differ in length).
struct Moments {
    std::vector<double> sum, sumSq;
    std::vector<std::uint64_t> n;
    void add(const std::vector<float>& v) {
        if (v.size() > sum.size()) sum.resize(v.size()), sumSq.resize(v.size()), n.resize(v.size());
        for (std::size_t k = 0; k < v.size(); ++k) sum[k] += v[k], sumSq[k] += double(v[k]) * v[k], ++n[k];
    }
    void finish(std::vector<double>& mean, std::vector<double>& sd) const {
        mean.assign(sum.size(), 0);
        sd.assign(sum.size(), 0);
        for (std::size_t k = 0; k < sum.size(); ++k) {
            mean[k] = sum[k] / static_cast<double>(n[k]);
            sd[k] = std::sqrt(std::max(0.0, sumSq[k] / static_cast<double>(n[k]) - mean[k] * mean[k]));
        }
    }
};

}  // namespace

Coverage computeCoverage(const std::string& datasetDir, const CoverageOptions& o, jobs::ProgressSink* progress) {
    Coverage c = emptyCoverage(datasetDir, o);
    const DatasetManifest manifest = readDatasetManifest(datasetDir);
    Moments shape, expr;
    const std::vector<std::string> names = listCompleteSamples(datasetDir);
    jobs::ProgressTracker tracker(progress, "coverage", names.size());
    StoredSampleRead what;
    what.depth = what.normals = false;
    what.segmentation = static_cast<bool>(manifest.classes);
    for (const std::string& name : names) {
        const StoredSample s = readStoredSample(datasetDir, name, what);
        ++c.samples;
        addPose(c, o, s.yaw, s.pitch);
        shape.add(s.shape);
        expr.add(s.expr);
        const auto firstOf = [&](const std::vector<float>& v) {
            return std::vector<float>(v.begin(), v.begin() + std::min<std::ptrdiff_t>(o.scatterComponents,
                                                                                       static_cast<std::ptrdiff_t>(v.size())));
        };
        c.shapeScatter.push_back(firstOf(s.shape));
        c.exprScatter.push_back(firstOf(s.expr));
        if (!s.seg.empty()) addClassPixels(c, s.seg, identityClassMap());
        if (!s.visible.empty()) {
            if (c.landmarkVisible.size() < s.visible.size()) c.landmarkVisible.resize(s.visible.size(), 0);
            for (std::size_t k = 0; k < s.visible.size(); ++k) c.landmarkVisible[k] += s.visible[k];
            ++c.landmarkSamples;
        }
        if (s.faceBox.size() == 4)
            addFaceSize(c, o, std::max(s.faceBox[2] - s.faceBox[0], s.faceBox[3] - s.faceBox[1]),
                        static_cast<double>(std::max(s.image.cols, s.image.rows)));
        tracker.advance();
    }
    tracker.finish();
    shape.finish(c.shapeMean, c.shapeStd);
    expr.finish(c.exprMean, c.exprStd);
    return c;
}

std::string coverageJson(const Coverage& c, const CoverageOptions& o) {
    nlohmann::ordered_json j;
    j["format"] = "synthforge-coverage";
    j["version"] = 1;
    j["dataset"] = c.dataset;
    j["samples"] = c.samples;
    j["pose"] = {{"yaw_range_deg", o.yawRangeDeg}, {"pitch_range_deg", o.pitchRangeDeg}, {"bin_deg", o.binDeg},
                 {"yaw_bins", c.yawBins},          {"pitch_bins", c.pitchBins},          {"counts", c.yawPitch},
                 {"without_pose", c.withoutPose}};
    j["shape"] = {{"mean", c.shapeMean}, {"std", c.shapeStd}};
    j["expression"] = {{"mean", c.exprMean}, {"std", c.exprStd}};
    nlohmann::ordered_json classes = nlohmann::ordered_json::object();
    for (int k = 0; k < 256; ++k)
        if (c.classPixels[static_cast<std::size_t>(k)] > 0) classes[std::to_string(k)] = c.classPixels[static_cast<std::size_t>(k)];
    j["class_pixels"] = classes;
    j["segmented_samples"] = c.segmentedSamples;
    j["landmark_visible"] = c.landmarkVisible;
    j["landmark_samples"] = c.landmarkSamples;
    j["face_size"] = {{"bins", o.faceSizeBins}, {"counts", c.faceSize}};
    return j.dump(2) + "\n";
}

}  // namespace synthforge::dataset
