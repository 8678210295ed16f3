#pragma once
// The residual heatmap's legend: the colour ramp as a vertical bar with its
// tick values in millimetres, and a title saying what is measured.

#include <QWidget>

#include "widgets/align/heat_scale.h"

namespace synthforge::widgets {

class HeatLegend : public QWidget {
    Q_OBJECT
public:
    explicit HeatLegend(QWidget* parent = nullptr);

    void setScale(const HeatScale& scale);
    const HeatScale& scale() const { return scale_; }
    /// The tick labels as drawn, top to bottom (for tests).
    QStringList tickLabels() const;

    QSize sizeHint() const override { return {150, 220}; }
    QSize minimumSizeHint() const override { return {130, 140}; }

protected:
    void paintEvent(QPaintEvent* e) override;

private:
    HeatScale scale_;
};

}  // namespace synthforge::widgets
