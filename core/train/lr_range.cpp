// Learning-rate range test arithmetic and plot (see lr_range.h).

#include "core/train/lr_range.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace synthforge::train {

double lrRangeRate(double minLr, double maxLr, int64_t i, int64_t n) {
    if (n < 2) return minLr;
    return minLr * std::pow(maxLr / minLr, static_cast<double>(i) / static_cast<double>(n - 1));
}

std::vector<double> smoothLosses(const std::vector<double>& loss, double beta) {
    std::vector<double> out;
    out.reserve(loss.size());
    double avg = 0, weight = 1;
    for (double x : loss) {
        avg = beta * avg + (1 - beta) * x;
        weight *= beta;
        out.push_back(avg / (1 - weight));
    }
    return out;
}

int64_t steepestDescentIndex(const std::vector<double>& lr, const std::vector<double>& smoothed) {
    const auto n = static_cast<int64_t>(std::min(lr.size(), smoothed.size()));
    if (n < 3) return -1;
    const auto lowest = static_cast<int64_t>(std::min_element(smoothed.begin(), smoothed.begin() + n) - smoothed.begin());
    const int64_t end = std::max<int64_t>(lowest, 1);  // the descent before the lowest point
    int64_t best = 0;
    double bestSlope = HUGE_VAL;
    for (int64_t i = 0; i <= end; ++i) {
        const int64_t a = std::max<int64_t>(i - 1, 0), b = std::min<int64_t>(i + 1, n - 1);
        const double slope = (smoothed[b] - smoothed[a]) / (std::log(lr[b]) - std::log(lr[a]));
        if (slope < bestSlope) {
            bestSlope = slope;
            best = i;
        }
    }
    return best;
}

cv::Mat plotLrRange(const std::vector<double>& lr, const std::vector<double>& smoothed, int64_t suggestion, int width,
                    int height) {
    cv::Mat img(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
    const size_t n = std::min(lr.size(), smoothed.size());
    if (n < 2) return img;
    const int left = 70, right = 20, top = 20, bottom = 50;
    const double x0 = std::log10(lr.front()), x1 = std::log10(lr[n - 1]);
    double y0 = *std::min_element(smoothed.begin(), smoothed.begin() + static_cast<std::ptrdiff_t>(n));
    double y1 = *std::max_element(smoothed.begin(), smoothed.begin() + static_cast<std::ptrdiff_t>(n));
    if (!(y1 > y0)) y1 = y0 + 1;
    const auto px = [&](double x) { return left + (x - x0) / (x1 - x0) * (width - left - right); };
    const auto py = [&](double y) { return top + (y1 - y) / (y1 - y0) * (height - top - bottom); };
    const cv::Scalar axis(80, 80, 80), curve(180, 90, 20), mark(30, 30, 220);
    cv::rectangle(img, cv::Point(left, top), cv::Point(width - right, height - bottom), axis, 1);
    char label[32];
    for (int e = static_cast<int>(std::ceil(x0)); e <= static_cast<int>(std::floor(x1)); ++e) {
        const int x = static_cast<int>(std::lround(px(e)));
        cv::line(img, cv::Point(x, height - bottom), cv::Point(x, height - bottom + 5), axis, 1);
        std::snprintf(label, sizeof label, "1e%d", e);
        cv::putText(img, label, cv::Point(x - 14, height - bottom + 20), cv::FONT_HERSHEY_SIMPLEX, 0.4, axis, 1,
                    cv::LINE_AA);
    }
    for (double y : {y0, 0.5 * (y0 + y1), y1}) {
        std::snprintf(label, sizeof label, "%.3g", y);
        cv::putText(img, label, cv::Point(5, static_cast<int>(std::lround(py(y))) + 4), cv::FONT_HERSHEY_SIMPLEX, 0.4,
                    axis, 1, cv::LINE_AA);
    }
    cv::putText(img, "learning rate (log scale)", cv::Point(width / 2 - 80, height - 10), cv::FONT_HERSHEY_SIMPLEX,
                0.45, axis, 1, cv::LINE_AA);
    std::vector<cv::Point> points;
    for (size_t i = 0; i < n; ++i)
        if (std::isfinite(smoothed[i]))
            points.emplace_back(static_cast<int>(std::lround(px(std::log10(lr[i])))),
                                static_cast<int>(std::lround(py(smoothed[i]))));
    cv::polylines(img, points, false, curve, 2, cv::LINE_AA);
    if (suggestion >= 0 && static_cast<size_t>(suggestion) < n) {
        const cv::Point p(static_cast<int>(std::lround(px(std::log10(lr[suggestion])))),
                          static_cast<int>(std::lround(py(smoothed[suggestion]))));
        cv::circle(img, p, 6, mark, 2, cv::LINE_AA);
        std::snprintf(label, sizeof label, "suggested %.2e", lr[suggestion]);
        cv::putText(img, label, cv::Point(std::min(p.x + 10, width - 170), std::max(p.y - 10, top + 12)),
                    cv::FONT_HERSHEY_SIMPLEX, 0.45, mark, 1, cv::LINE_AA);
    }
    return img;
}

}  // namespace synthforge::train
