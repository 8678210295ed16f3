#pragma once
// The residual heatmap's colour scale: a distance (generator-world units)
// to a colour on a perceptually ordered ramp (dark blue, teal, green,
// yellow: viridis' anchor colours), clamped at the scale's maximum, and the
// legend's tick values in millimetres of the head (FLAME metres * 1000).

#include <vector>

#include <Eigen/Core>

namespace synthforge::widgets {

/// Millimetres of the head per generator-world unit: the FLAME-to-world map
/// scales metres by 2.5 (docs/design.md).
double mmPerGeneratorUnit();

class HeatScale {
public:
    /// 0 .. maxValue in generator units; std::invalid_argument unless maxValue > 0 and finite.
    explicit HeatScale(float maxValue);

    /// A maximum that reads well: the 95th percentile of `values` rounded up
    /// to 1, 2 or 5 times a power of ten in millimetres, so one far outlier
    /// (an eyeball inside the skin) does not wash out the rest. 1 mm's worth
    /// for no values or all zero.
    static HeatScale fitting(const std::vector<float>& values);

    float maxValue() const { return max_; }
    double maxMm() const { return max_ * mmPerGeneratorUnit(); }
    /// RGB in 0..1; values below 0 or NaN take the low end, above the maximum the top.
    Eigen::Vector3f colour(float value) const;
    /// The ramp at t in [0, 1] (clamped).
    static Eigen::Vector3f ramp(float t);
    std::vector<Eigen::Vector3f> colours(const std::vector<float>& values) const;
    /// Tick values in mm: 0 and equal steps up to maxMm() (`count` >= 2 ticks).
    std::vector<double> ticksMm(int count = 5) const;

private:
    float max_;
};

}  // namespace synthforge::widgets
