#include "widgets/panels/camera_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "widgets/panels/param_slider.h"
#include "widgets/panels/scene_document.h"

namespace synthforge::widgets {

namespace {
constexpr double kDegPerRad = 57.29577951308232;
}

CameraPanel::CameraPanel(SceneDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
    auto* box = new QVBoxLayout(this);
    // Yaw and pitch are shown in degrees; the scene stores radians (docs/design.md).
    yaw_ = add(tr("Yaw°"), -90, 90, 0.1, 1, [](camera::OrbitCamera& c, double v) { c.yaw = float(v / kDegPerRad); }, "yaw");
    pitch_ = add(tr("Pitch°"), -80, 80, 0.1, 1, [](camera::OrbitCamera& c, double v) { c.pitch = float(v / kDegPerRad); }, "pitch");
    fov_ = add(tr("FOV°"), 5, 60, 0.1, 1, [](camera::OrbitCamera& c, double v) { c.eg3dFovDeg = float(v); }, "fov");
    fov_->setToolTip(tr("EG3D field of view (the generator's convention); the true vertical FOV is shown below"));
    trueFov_ = new QLabel(this);
    box->addWidget(trueFov_);
    radius_ = add(tr("Radius"), 1.0, 8.0, 0.01, 2, [](camera::OrbitCamera& c, double v) { c.radius = float(v); }, "radius");
    // The look-at point: the 3D viewport's pan moves it (scenes store it as "pivot").
    auto* pivotRow = new QHBoxLayout;
    pivot_ = new QLabel(this);
    pivot_->setToolTip(tr("The point the camera looks at; panning the 3D viewport moves it"));
    resetPan_ = new QPushButton(tr("Reset pan"), this);
    resetPan_->setToolTip(tr("Look at EG3D's pivot (0, 0, 0.2) again"));
    pivotRow->addWidget(pivot_, 1);
    pivotRow->addWidget(resetPan_);
    box->addLayout(pivotRow);
    connect(resetPan_, &QPushButton::clicked, this, &CameraPanel::resetPan);

    auto* buttons = new QHBoxLayout;
    auto* random = new QPushButton(tr("Random camera"), this);
    random->setToolTip(tr("Draw a camera from the dataset sampler's ranges"));
    auto* front = new QPushButton(tr("Frontal"), this);
    buttons->addWidget(random);
    buttons->addWidget(front);
    box->addLayout(buttons);
    box->addStretch(1);
    connect(random, &QPushButton::clicked, this, &CameraPanel::randomCamera);
    connect(front, &QPushButton::clicked, this, &CameraPanel::frontal);
    connect(doc_, &SceneDocument::changed, this, &CameraPanel::sync);
    sync();
}

ParamSlider* CameraPanel::add(const QString& label, double min, double max, double step, int decimals,
                              void (*set)(camera::OrbitCamera&, double), const char* key) {
    auto* s = new ParamSlider(label, min, max, step, decimals, this);
    layout()->addWidget(s);
    const QString k = QString::fromLatin1(key);
    connect(s, &ParamSlider::valueEdited, this, [this, set, k](double v) {
        camera::OrbitCamera c = doc_->scene().camera;
        set(c, v);
        doc_->setCamera(c, k);
    });
    connect(s, &ParamSlider::dragStarted, doc_, &SceneDocument::beginDrag);
    connect(s, &ParamSlider::dragFinished, doc_, &SceneDocument::endDrag);
    return s;
}

void CameraPanel::sync() {
    const camera::OrbitCamera& c = doc_->scene().camera;
    yaw_->setValueSilently(c.yaw * kDegPerRad);
    pitch_->setValueSilently(c.pitch * kDegPerRad);
    fov_->setValueSilently(c.eg3dFovDeg);
    radius_->setValueSilently(c.radius);
    trueFov_->setText(tr("True vertical FOV: %1°").arg(c.verticalFovDeg(), 0, 'f', 2));
    pivot_->setText(tr("Looks at (%1, %2, %3)")
                        .arg(double(c.pivot.x()), 0, 'f', 3)
                        .arg(double(c.pivot.y()), 0, 'f', 3)
                        .arg(double(c.pivot.z()), 0, 'f', 3));
    resetPan_->setEnabled(c.pivot != camera::defaultPivot());
}

void CameraPanel::resetPan() {
    camera::OrbitCamera c = doc_->scene().camera;
    if (c.pivot == camera::defaultPivot()) return;
    c.pivot = camera::defaultPivot();
    doc_->setCamera(c, QStringLiteral("reset pan"));
}

void CameraPanel::randomCamera() {
    // The dataset sampler's camera stream depends only on (seed, index); the
    // head model does not enter it, so an empty model is enough here.
    static const head::HeadModel noModel;
    const generate::SampleSpec spec = generate::drawSample(sampler_, noModel, 0, nextRandom_++);
    doc_->setCamera(spec.camera, QStringLiteral("random camera"));
}

void CameraPanel::frontal() {
    camera::OrbitCamera c = doc_->scene().camera;
    c.yaw = c.pitch = 0.0f;
    doc_->setCamera(c, QStringLiteral("frontal"));
}

}  // namespace synthforge::widgets
