#include "widgets/panels/param_slider.h"

#include <cmath>

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>

namespace synthforge::widgets {

ParamSlider::ParamSlider(const QString& label, double min, double max, double step, int decimals, QWidget* parent)
    : QWidget(parent), min_(min), step_(step) {
    label_ = new QLabel(label, this);
    label_->setFixedWidth(76);  // equal label columns keep the sliders aligned
    slider_ = new QSlider(Qt::Horizontal, this);
    slider_->setRange(0, toTicks(max));
    spin_ = new QDoubleSpinBox(this);
    spin_->setRange(min, max);
    spin_->setDecimals(decimals);
    spin_->setSingleStep(step * 10);
    spin_->setKeyboardTracking(false);  // one edit per typed number, not per key
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(label_);
    row->addWidget(slider_, 1);
    row->addWidget(spin_);
    setValueSilently(0.0 < min ? min : (0.0 > max ? max : 0.0));

    connect(slider_, &QSlider::valueChanged, this, [this](int ticks) {
        const double v = min_ + ticks * step_;
        const QSignalBlocker block(spin_);
        spin_->setValue(v);
        emit valueEdited(v);
    });
    connect(spin_, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        const QSignalBlocker block(slider_);
        slider_->setValue(toTicks(v));
        emit valueEdited(v);
    });
    connect(slider_, &QSlider::sliderPressed, this, &ParamSlider::dragStarted);
    connect(slider_, &QSlider::sliderReleased, this, &ParamSlider::dragFinished);
}

int ParamSlider::toTicks(double v) const { return static_cast<int>(std::lround((v - min_) / step_)); }

double ParamSlider::value() const { return spin_->value(); }

void ParamSlider::setValueSilently(double v) {
    const QSignalBlocker a(slider_), b(spin_);
    spin_->setValue(v);
    slider_->setValue(toTicks(v));
}

}  // namespace synthforge::widgets
