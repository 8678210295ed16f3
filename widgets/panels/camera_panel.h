#pragma once
// The orbit camera: yaw, pitch (degrees), EG3D FOV with the true vertical FOV
// beside it, radius; "Random camera" draws from the dataset sampler and
// "Frontal" resets the view.

#include <cstdint>

#include <QWidget>

#include "core/generate/sampler.h"

class QLabel;
class QPushButton;

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
    /// Back to EG3D's pivot (undoes the 3D viewport's pan; one undo step).
    void resetPan();
    QLabel* pivotLabel() const { return pivot_; }
    void setSamplerConfig(const generate::SamplerConfig& c) { sampler_ = c; }
    QLabel* trueFovLabel() const { return trueFov_; }

private:
    void sync();
    ParamSlider* add(const QString& label, double min, double max, double step, int decimals,
                     void (*set)(camera::OrbitCamera&, double), const char* key);

    SceneDocument* doc_;
    ParamSlider *yaw_, *pitch_, *fov_, *radius_;
    QLabel* trueFov_;
    QLabel* pivot_;
    QPushButton* resetPan_;
    generate::SamplerConfig sampler_;
    std::uint64_t nextRandom_ = 1;  ///< sample index for the next random camera
};

}  // namespace synthforge::widgets
