#include "core/eval/roc_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <opencv2/imgproc.hpp>

namespace synthforge::eval {

std::string rocCsv(const std::vector<RocPoint>& roc) {
    std::ostringstream out;
    out << "threshold,far,tar\n";
    char line[96];
    for (const RocPoint& p : roc) {
        std::snprintf(line, sizeof line, "%.6g,%.6g,%.6g\n", p.threshold, p.far, p.tar);
        out << line;
    }
    return out.str();
}

cv::Mat rocPlot(const std::vector<std::pair<std::string, std::vector<RocPoint>>>& curves) {
    constexpr int kW = 640, kH = 480, kLeft = 60, kRight = 20, kTop = 20, kBottom = 50;
    const int pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
    cv::Mat img(kH, kW, CV_8UC3, cv::Scalar(255, 255, 255));
    auto toPixel = [&](double far, double tar) {
        const double lx = std::clamp(std::log10(std::max(far, 1e-4)), -4.0, 0.0);
        return cv::Point(kLeft + static_cast<int>(std::lround((lx + 4.0) / 4.0 * pw)),
                         kTop + static_cast<int>(std::lround((1.0 - std::clamp(tar, 0.0, 1.0)) * ph)));
    };
    const cv::Scalar grid(225, 225, 225), axis(0, 0, 0);
    for (int d = -4; d <= 0; ++d) {
        const cv::Point a = toPixel(std::pow(10.0, d), 0.0), b = toPixel(std::pow(10.0, d), 1.0);
        cv::line(img, a, b, grid, 1);
        cv::putText(img, "1e" + std::to_string(d), a + cv::Point(-14, 18), cv::FONT_HERSHEY_SIMPLEX, 0.4, axis, 1, cv::LINE_AA);
    }
    for (int t = 0; t <= 10; ++t) {
        const cv::Point a = toPixel(1e-4, t / 10.0), b = toPixel(1.0, t / 10.0);
        cv::line(img, a, b, grid, 1);
        char label[8];
        std::snprintf(label, sizeof label, "%.1f", t / 10.0);
        cv::putText(img, label, a + cv::Point(-32, 4), cv::FONT_HERSHEY_SIMPLEX, 0.4, axis, 1, cv::LINE_AA);
    }
    cv::rectangle(img, toPixel(1e-4, 1.0), toPixel(1.0, 0.0), axis, 1);
    cv::putText(img, "FAR (log)", {kLeft + pw / 2 - 30, kH - 12}, cv::FONT_HERSHEY_SIMPLEX, 0.45, axis, 1, cv::LINE_AA);
    cv::putText(img, "TAR", {8, kTop - 6}, cv::FONT_HERSHEY_SIMPLEX, 0.45, axis, 1, cv::LINE_AA);
    const cv::Scalar colours[] = {{200, 90, 30}, {40, 60, 220}, {40, 160, 60}, {160, 60, 160}, {0, 140, 220}, {90, 90, 90}};
    for (std::size_t c = 0; c < curves.size(); ++c) {
        const cv::Scalar colour = colours[c % 6];
        std::vector<cv::Point> pts;
        for (const RocPoint& p : curves[c].second) pts.push_back(toPixel(p.far, p.tar));
        if (pts.size() >= 2) cv::polylines(img, pts, false, colour, 2, cv::LINE_AA);
        const cv::Point legend(kLeft + pw - 200, kTop + ph - 20 - 18 * static_cast<int>(curves.size() - 1 - c));
        cv::line(img, legend, legend + cv::Point(20, 0), colour, 2, cv::LINE_AA);
        cv::putText(img, curves[c].first, legend + cv::Point(26, 4), cv::FONT_HERSHEY_SIMPLEX, 0.45, axis, 1, cv::LINE_AA);
    }
    return img;
}

}  // namespace synthforge::eval
