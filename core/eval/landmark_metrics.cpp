#include "core/eval/landmark_metrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace synthforge::eval {

namespace {

[[noreturn]] void fail(std::size_t image, const std::string& what) {
    throw std::invalid_argument("nme: image " + std::to_string(image) + ": " + what);
}

void checkFinite(const Landmarks2d& pts, const char* field, std::size_t image) {
    for (Eigen::Index k = 0; k < pts.rows(); ++k)
        if (!std::isfinite(pts(k, 0)) || !std::isfinite(pts(k, 1)))
            fail(image, std::string(field) + " point " + std::to_string(k) + " is not finite");
}

double normaliser(const Landmarks2d& gt, const NmeOptions& options, std::size_t image) {
    if (options.normalizer == NmeNormalizer::BoxSqrtArea) {
        const Eigen::RowVector2d lo = gt.colwise().minCoeff().cast<double>();
        const Eigen::RowVector2d hi = gt.colwise().maxCoeff().cast<double>();
        const double d = std::sqrt((hi.x() - lo.x()) * (hi.y() - lo.y()));
        if (!(d > 0.0)) fail(image, "gt bounding box has zero area");
        return d;
    }
    const int need = std::max(options.leftIndex, options.rightIndex) + 1;
    if (gt.rows() < need)
        fail(image, "gt has " + std::to_string(gt.rows()) + " points, the normalising indices " +
                        std::to_string(options.leftIndex) + " and " + std::to_string(options.rightIndex) +
                        " need at least " + std::to_string(need));
    const double d = (gt.row(options.leftIndex) - gt.row(options.rightIndex)).cast<double>().norm();
    if (!(d > 0.0))
        fail(image, "gt points " + std::to_string(options.leftIndex) + " and " +
                        std::to_string(options.rightIndex) + " coincide (normalising distance 0)");
    return d;
}

void checkOptions(const NmeOptions& options) {
    if (options.normalizer != NmeNormalizer::PointPair) return;
    if (options.leftIndex < 0 || options.rightIndex < 0)
        throw std::invalid_argument("nme: NmeOptions leftIndex/rightIndex must be >= 0 (got " +
                                    std::to_string(options.leftIndex) + ", " + std::to_string(options.rightIndex) +
                                    ")");
    if (options.leftIndex == options.rightIndex)
        throw std::invalid_argument("nme: NmeOptions leftIndex and rightIndex are both " +
                                    std::to_string(options.leftIndex));
}

void checkErrors(const std::vector<double>& nmes, double threshold, const char* caller) {
    if (!(threshold > 0.0) || !std::isfinite(threshold))
        throw std::invalid_argument(std::string(caller) + ": threshold must be finite and > 0, got " +
                                    std::to_string(threshold));
    if (nmes.empty()) throw std::invalid_argument(std::string(caller) + ": no NME values");
    for (std::size_t i = 0; i < nmes.size(); ++i)
        if (!(nmes[i] >= 0.0))  // also catches NaN
            throw std::invalid_argument(std::string(caller) + ": NME of image " + std::to_string(i) +
                                        " is negative or NaN (" + std::to_string(nmes[i]) + ")");
}

}  // namespace

double nme(const Landmarks2d& pred, const Landmarks2d& gt, const NmeOptions& options, std::size_t imageIndex) {
    checkOptions(options);
    if (pred.rows() != gt.rows())
        fail(imageIndex, "pred has " + std::to_string(pred.rows()) + " points but gt has " +
                             std::to_string(gt.rows()));
    if (gt.rows() == 0) fail(imageIndex, "gt has no points");
    checkFinite(gt, "gt", imageIndex);
    checkFinite(pred, "pred", imageIndex);
    const double d = normaliser(gt, options, imageIndex);
    // Accumulate in double: 100+ float distances lose digits in float.
    double sum = 0.0;
    for (Eigen::Index k = 0; k < gt.rows(); ++k) sum += (pred.row(k) - gt.row(k)).cast<double>().norm();
    return sum / static_cast<double>(gt.rows()) / d;
}

NmeSummary nmeSummary(const std::vector<Landmarks2d>& pred, const std::vector<Landmarks2d>& gt,
                      const NmeOptions& options) {
    if (pred.size() != gt.size())
        throw std::invalid_argument("nmeSummary: " + std::to_string(pred.size()) + " predicted images but " +
                                    std::to_string(gt.size()) + " ground-truth images");
    if (gt.empty()) throw std::invalid_argument("nmeSummary: no images");
    NmeSummary s;
    s.perImage.reserve(gt.size());
    double sum = 0.0;
    for (std::size_t i = 0; i < gt.size(); ++i) {
        s.perImage.push_back(nme(pred[i], gt[i], options, i));
        sum += s.perImage.back();
    }
    s.mean = sum / static_cast<double>(gt.size());
    return s;
}

double failureRate(const std::vector<double>& nmes, double threshold) {
    checkErrors(nmes, threshold, "failureRate");
    const auto failed = std::count_if(nmes.begin(), nmes.end(), [&](double e) { return e > threshold; });
    return static_cast<double>(failed) / static_cast<double>(nmes.size());
}

double cedAuc(const std::vector<double>& nmes, double threshold) {
    checkErrors(nmes, threshold, "cedAuc");
    // Image i contributes 1/n to the CED on [NME_i, t], i.e. an area of
    // max(0, t - NME_i) / n; dividing by t gives the term below.
    double sum = 0.0;
    for (double e : nmes) sum += std::max(0.0, 1.0 - e / threshold);
    return sum / static_cast<double>(nmes.size());
}

}  // namespace synthforge::eval
