#include "core/eval/segmentation_metrics.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace synthforge::eval {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string sizeText(const cv::Mat& m) { return std::to_string(m.cols) + "x" + std::to_string(m.rows); }

void checkMap(const cv::Mat& m, const char* name) {
    if (m.empty()) throw std::invalid_argument(std::string("ConfusionMatrix::add: ") + name + " is empty");
    if (m.type() != CV_8UC1)
        throw std::invalid_argument(std::string("ConfusionMatrix::add: ") + name + " must be CV_8UC1, got " +
                                    cv::typeToString(m.type()));
}

[[noreturn]] void badId(const char* name, int value, int x, int y, int k) {
    throw std::invalid_argument(std::string("ConfusionMatrix::add: ") + name + " value " + std::to_string(value) +
                                " at pixel (x=" + std::to_string(x) + ", y=" + std::to_string(y) +
                                ") is not a class id (classes are 0.." + std::to_string(k - 1) + ")");
}

/// a / b, with 0 for an empty denominator (see the header: only reached for
/// classes present in pred or gt).
double ratio(std::uint64_t a, std::uint64_t b) {
    return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
}

}  // namespace

ConfusionMatrix::ConfusionMatrix(int numClasses) : numClasses_(numClasses) {
    if (numClasses < 1 || numClasses > 256)
        throw std::invalid_argument("ConfusionMatrix: numClasses must be in 1..256, got " +
                                    std::to_string(numClasses));
    counts_.assign(static_cast<std::size_t>(numClasses) * numClasses, 0);
}

void ConfusionMatrix::add(const cv::Mat& pred, const cv::Mat& gt, int ignoreId) {
    checkMap(pred, "pred");
    checkMap(gt, "gt");
    if (pred.size() != gt.size())
        throw std::invalid_argument("ConfusionMatrix::add: pred is " + sizeText(pred) + " but gt is " + sizeText(gt));
    if (ignoreId > 255)
        throw std::invalid_argument("ConfusionMatrix::add: ignoreId must be -1 (none) or 0..255, got " +
                                    std::to_string(ignoreId));
    // Count into a local matrix and commit at the end, so that a bad pixel
    // halfway through leaves this matrix as it was.
    const int k = numClasses_;
    std::vector<std::uint64_t> local(counts_.size(), 0);
    std::uint64_t ignored = 0;
    for (int y = 0; y < gt.rows; ++y) {
        const std::uint8_t* g = gt.ptr<std::uint8_t>(y);
        const std::uint8_t* p = pred.ptr<std::uint8_t>(y);
        for (int x = 0; x < gt.cols; ++x) {
            if (g[x] == ignoreId) {
                ++ignored;
                continue;
            }
            if (g[x] >= k) badId("gt", g[x], x, y, k);
            if (p[x] >= k) badId("pred", p[x], x, y, k);
            ++local[static_cast<std::size_t>(g[x]) * k + p[x]];
        }
    }
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += local[i];
    ignored_ += ignored;
}

void ConfusionMatrix::merge(const ConfusionMatrix& other) {
    if (other.numClasses_ != numClasses_)
        throw std::invalid_argument("ConfusionMatrix::merge: " + std::to_string(numClasses_) + " classes vs " +
                                    std::to_string(other.numClasses_));
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    ignored_ += other.ignored_;
}

void ConfusionMatrix::checkClass(int c, const char* what) const {
    if (c < 0 || c >= numClasses_)
        throw std::invalid_argument(std::string("ConfusionMatrix: ") + what + " " + std::to_string(c) +
                                    " is not in 0.." + std::to_string(numClasses_ - 1));
}

std::uint64_t ConfusionMatrix::count(int gtClass, int predClass) const {
    checkClass(gtClass, "gt class");
    checkClass(predClass, "predicted class");
    return counts_[static_cast<std::size_t>(gtClass) * numClasses_ + predClass];
}

std::uint64_t ConfusionMatrix::totalPixels() const {
    std::uint64_t n = 0;
    for (std::uint64_t v : counts_) n += v;
    return n;
}

ClassScores ConfusionMatrix::classScores(int c) const {
    checkClass(c, "class");
    ClassScores s;
    for (int j = 0; j < numClasses_; ++j) {
        s.gtPixels += counts_[static_cast<std::size_t>(c) * numClasses_ + j];
        s.predPixels += counts_[static_cast<std::size_t>(j) * numClasses_ + c];
    }
    if (s.gtPixels == 0 && s.predPixels == 0) {
        s.precision = s.recall = s.f1 = s.iou = kNaN;
        return s;
    }
    const std::uint64_t tp = counts_[static_cast<std::size_t>(c) * numClasses_ + c];
    const std::uint64_t fp = s.predPixels - tp;
    const std::uint64_t fn = s.gtPixels - tp;
    s.precision = ratio(tp, s.predPixels);
    s.recall = ratio(tp, s.gtPixels);
    s.f1 = ratio(2 * tp, 2 * tp + fp + fn);
    s.iou = ratio(tp, tp + fp + fn);
    return s;
}

std::vector<ClassScores> ConfusionMatrix::perClass() const {
    std::vector<ClassScores> out;
    out.reserve(static_cast<std::size_t>(numClasses_));
    for (int c = 0; c < numClasses_; ++c) out.push_back(classScores(c));
    return out;
}

std::vector<int> ConfusionMatrix::foregroundClasses() const {
    std::vector<int> out;
    for (int c = 1; c < numClasses_; ++c) out.push_back(c);
    return out;
}

MeanScores ConfusionMatrix::meanScores(const std::vector<int>& classes) const {
    std::vector<bool> seen(static_cast<std::size_t>(numClasses_), false);
    for (int c : classes) {
        checkClass(c, "listed class");
        if (seen[static_cast<std::size_t>(c)])
            throw std::invalid_argument("ConfusionMatrix::meanScores: class " + std::to_string(c) +
                                        " is listed twice");
        seen[static_cast<std::size_t>(c)] = true;
    }
    MeanScores m;
    for (int c : classes) {
        const ClassScores s = classScores(c);
        if (std::isnan(s.f1)) continue;  // absent from both maps
        m.precision += s.precision;
        m.recall += s.recall;
        m.f1 += s.f1;
        m.iou += s.iou;
        ++m.classesCounted;
    }
    if (m.classesCounted == 0) {
        m.precision = m.recall = m.f1 = m.iou = kNaN;
        return m;
    }
    const double n = m.classesCounted;
    m.precision /= n;
    m.recall /= n;
    m.f1 /= n;
    m.iou /= n;
    return m;
}

}  // namespace synthforge::eval
