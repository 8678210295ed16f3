// Coverage of the benchmark layouts: 300-W, LaPa and CelebAMask-HQ. They
// carry no pose, so it is fitted to their landmarks where they have them,
// and their classes are counted under our ids so that classes.csv compares
// them with our datasets.

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "core/annotate/class_presets.h"
#include "core/dataset/celebamask_hq_dataset.h"
#include "core/dataset/coverage.h"
#include "core/dataset/coverage_counts.h"
#include "core/dataset/head_pose.h"
#include "core/dataset/lapa_dataset.h"
#include "core/dataset/lapa_landmarks.h"
#include "core/dataset/w300_dataset.h"

namespace synthforge::dataset {

namespace {

/// The shape-aware pose fit with the prior for hand-annotated points and a
/// long lens (head_pose.h: 4x the image's larger side, no intrinsics known).
class LandmarkPoseFit {
public:
    explicit LandmarkPoseFit(const head::HeadModel& model) : basis_(landmarkBasis(model)) {
        options_.priorWeight = kAnnotatedLandmarkPrior;
    }
    /// Counts the pose fitted to 68 iBUG points (NaN: missing), or a sample
    /// without one when too few points are there.
    void count(Coverage& c, const CoverageOptions& o, const io::Points2f& ibug68, cv::Size image,
               const std::vector<int>& points = {}) const {
        HeadPoseFitOptions fit = options_;
        if (!points.empty()) fit.points = points;
        const double side = std::max(image.width, image.height);
        try {
            const HeadPose pose = estimateHeadPose(ibug68, basis_, 4.0 * side, 0.5 * image.width, 0.5 * image.height, fit);
            addPose(c, o, pose.yaw, pose.pitch);
        } catch (const std::invalid_argument&) {
            addPose(c, o, std::numeric_limits<double>::quiet_NaN(), 0);  // too few points in the image
        }
    }

private:
    LandmarkBasis basis_;
    HeadPoseFitOptions options_;
};

void addLandmarkBoxSize(Coverage& c, const CoverageOptions& o, const io::Points2f& points, double imageSide) {
    const Eigen::Vector2f lo = points.colwise().minCoeff(), hi = points.colwise().maxCoeff();
    addFaceSize(c, o, std::max(hi.x() - lo.x(), hi.y() - lo.y()), imageSide);
}

}  // namespace

Coverage computeLandmarkCoverage(const std::string& root, const head::HeadModel& model, const CoverageOptions& o,
                                 jobs::ProgressSink* progress) {
    Coverage c = emptyCoverage(root, o);
    const LandmarkPoseFit fit(model);
    const W300Dataset ds = W300Dataset::open(root);
    jobs::ProgressTracker tracker(progress, "coverage", ds.size());
    for (std::size_t i = 0; i < ds.size(); ++i) {
        const W300Sample s = ds.sample(i);
        ++c.samples;
        const double side = std::max(s.image.cols, s.image.rows);
        fit.count(c, o, s.landmarks, s.image.size());
        addLandmarkBoxSize(c, o, s.landmarks, side);
        tracker.advance();
    }
    tracker.finish();
    return c;
}

Coverage computeLapaCoverage(const std::string& root, const head::HeadModel& model, const CoverageOptions& o,
                             jobs::ProgressSink* progress) {
    Coverage c = emptyCoverage(root, o);
    LandmarkPoseFit fit(model);
    std::vector<int> fitted;  // the iBUG points LaPa's stand for
    for (const auto& pair : lapaIbugCorrespondence()) fitted.push_back(pair.first);
    const std::array<std::uint8_t, 256> ours = annotate::remapToDefault(annotate::ClassPreset::LaPa);
    const LapaDataset ds = LapaDataset::open(root);
    jobs::ProgressTracker tracker(progress, "coverage", ds.size());
    for (std::size_t i = 0; i < ds.size(); ++i) {
        const LapaSample s = ds.sample(i);
        ++c.samples;
        fit.count(c, o, lapaToIbug68(s.landmarks), s.image.size(), fitted);
        addLandmarkBoxSize(c, o, s.landmarks, std::max(s.image.cols, s.image.rows));
        addClassPixels(c, s.labels, ours);
        tracker.advance();
    }
    tracker.finish();
    return c;
}

Coverage computeCelebAMaskHqCoverage(const std::string& root, const CoverageOptions& o, jobs::ProgressSink* progress) {
    Coverage c = emptyCoverage(root, o);
    const std::array<std::uint8_t, 256> ours = annotate::remapToDefault(annotate::ClassPreset::CelebAMaskHQ);
    const CelebAMaskHqDataset ds = CelebAMaskHqDataset::open(root);
    jobs::ProgressTracker tracker(progress, "coverage", ds.size());
    for (std::size_t i = 0; i < ds.size(); ++i) {
        const CelebAMaskHqSample s = ds.sample(i);
        ++c.samples;
        addPose(c, o, std::numeric_limits<double>::quiet_NaN(), 0);  // no landmarks to fit
        // The masks cover the whole image at half its resolution, so the
        // ratio to the mask's side is the ratio to the image's.
        const cv::Rect box = cv::boundingRect(s.labels != 0);
        if (!box.empty()) addFaceSize(c, o, std::max(box.width, box.height), std::max(s.labels.cols, s.labels.rows));
        addClassPixels(c, s.labels, ours);
        tracker.advance();
    }
    tracker.finish();
    return c;
}

}  // namespace synthforge::dataset
