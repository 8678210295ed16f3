#include "widgets/align/heat_legend.h"

#include <QLinearGradient>
#include <QPainter>

namespace synthforge::widgets {

namespace {
QColor toQColor(const Eigen::Vector3f& c) { return QColor::fromRgbF(c.x(), c.y(), c.z()); }
constexpr int kTicks = 5;
}  // namespace

HeatLegend::HeatLegend(QWidget* parent) : QWidget(parent), scale_(1.0f) {
    setToolTip(tr("Distance from each head vertex to the iso-surface, in millimetres of the head "
                  "(generator units / 2.5 x 1000). The top colour also covers everything beyond."));
}

void HeatLegend::setScale(const HeatScale& scale) {
    scale_ = scale;
    update();
}

QStringList HeatLegend::tickLabels() const {
    QStringList out;
    const std::vector<double> ticks = scale_.ticksMm(kTicks);
    // Enough decimals for the quarter steps of a 1-2-5 maximum (float rounding aside).
    const int decimals = scale_.maxMm() < 1.99 ? 2 : (scale_.maxMm() < 19.9 ? 1 : 0);
    for (auto it = ticks.rbegin(); it != ticks.rend(); ++it) {
        QString s = QString::number(*it, 'f', decimals) + QStringLiteral(" mm");
        if (it == ticks.rbegin()) s.prepend(QStringLiteral("≥ "));
        out << s;
    }
    return out;
}

void HeatLegend::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics fm = fontMetrics();
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(0, 0, width(), fm.height()), Qt::AlignLeft, tr("Residual"));
    const int top = fm.height() + fm.height() / 2, bottom = height() - fm.height() / 2 - 2;
    if (bottom <= top) return;
    const QRect bar(4, top, 18, bottom - top);
    QLinearGradient g(bar.bottomLeft(), bar.topLeft());
    for (int i = 0; i <= 16; ++i) g.setColorAt(i / 16.0, toQColor(HeatScale::ramp(static_cast<float>(i) / 16.0f)));
    p.fillRect(bar, g);
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    const QStringList labels = tickLabels();
    for (int i = 0; i < labels.size(); ++i) {
        const int y = top + (bar.height() - 1) * i / (labels.size() - 1);
        p.drawLine(bar.right() + 1, y, bar.right() + 5, y);
        p.drawText(QRect(bar.right() + 8, y - fm.height() / 2, width() - bar.right() - 8, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, labels[i]);
    }
}

}  // namespace synthforge::widgets
