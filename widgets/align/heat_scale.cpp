#include "widgets/align/heat_scale.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/align/surface_distance.h"
#include "core/camera/orbit_camera.h"

namespace synthforge::widgets {

double mmPerGeneratorUnit() { return 1000.0 / camera::kFlameToWorldScale; }

HeatScale::HeatScale(float maxValue) : max_(maxValue) {
    if (!(maxValue > 0.0f) || !std::isfinite(maxValue))
        throw std::invalid_argument("HeatScale: maxValue must be positive and finite, got " + std::to_string(maxValue));
}

HeatScale HeatScale::fitting(const std::vector<float>& values) {
    const double p95 = align::summarize(values).p95 * mmPerGeneratorUnit();
    double mm = 1.0;
    if (p95 > 0.0 && std::isfinite(p95)) {
        const double decade = std::pow(10.0, std::floor(std::log10(p95)));
        mm = 10.0 * decade;
        for (double m : {1.0, 2.0, 5.0})
            if (m * decade >= p95) {
                mm = m * decade;
                break;
            }
    }
    return HeatScale(static_cast<float>(mm / mmPerGeneratorUnit()));
}

Eigen::Vector3f HeatScale::ramp(float t) {
    // viridis at 0, 1/4, 1/2, 3/4, 1, linearly between.
    static const std::array<Eigen::Vector3f, 5> stops = {
        Eigen::Vector3f(0.267f, 0.005f, 0.329f), Eigen::Vector3f(0.229f, 0.322f, 0.546f),
        Eigen::Vector3f(0.128f, 0.567f, 0.551f), Eigen::Vector3f(0.369f, 0.789f, 0.383f),
        Eigen::Vector3f(0.993f, 0.906f, 0.144f)};
    if (!(t > 0.0f)) return stops.front();  // also NaN
    if (t >= 1.0f) return stops.back();
    const float x = t * static_cast<float>(stops.size() - 1);
    const int i = static_cast<int>(x);
    const float f = x - static_cast<float>(i);
    return stops[static_cast<std::size_t>(i)] * (1.0f - f) + stops[static_cast<std::size_t>(i) + 1] * f;
}

Eigen::Vector3f HeatScale::colour(float value) const { return ramp(value / max_); }

std::vector<Eigen::Vector3f> HeatScale::colours(const std::vector<float>& values) const {
    std::vector<Eigen::Vector3f> out;
    out.reserve(values.size());
    for (float v : values) out.push_back(colour(v));
    return out;
}

std::vector<double> HeatScale::ticksMm(int count) const {
    count = std::max(count, 2);
    std::vector<double> ticks;
    for (int i = 0; i < count; ++i) ticks.push_back(maxMm() * i / (count - 1));
    return ticks;
}

}  // namespace synthforge::widgets
