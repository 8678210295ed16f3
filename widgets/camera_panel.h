#pragma once
// The orbit camera: yaw, pitch (degrees), EG3D FOV with the true vertical FOV
// beside it, radius; "Random camera" draws from the dataset sampler and
// "Frontal" resets the view.

#include <cstdint>

#include <QWidget>

#include "core/generate/sampler.h"

class QLabel;

namespace synthforge::widgets {

class ParamSlider;
class SceneDocument;

class CameraPanel : public QWidget {
    Q_OBJECT
public:
    explicit CameraPanel(SceneDocument* doc, QWidget* parent = nullptr);

    /// Sample `index` of the dataset sampler's camera stream (one undo step).
    void randomCamera();
    void frontal();
    void setSamplerConfig(const generate::SamplerConfig& c) { sampler_ = c; }
    QLabel* trueFovLabel() const { return trueFov_; }

private:
    void sync();
    ParamSlider* add(const QString& label, double min, double max, double step, int decimals,
                     void (*set)(camera::OrbitCamera&, double), const char* key);

    SceneDocument* doc_;
    ParamSlider *yaw_, *pitch_, *fov_, *radius_;
    QLabel* trueFov_;
    generate::SamplerConfig sampler_;
    std::uint64_t nextRandom_ = 1;  ///< sample index for the next random camera
};

}  // namespace synthforge::widgets
