#pragma once
// One labelled parameter: a slider for dragging and a spin box for typing,
// kept in step. A drag reports dragStarted/dragFinished around its edits so
// that the document can merge them into one undo step.

#include <QWidget>

class QDoubleSpinBox;
class QLabel;
class QSlider;

namespace synthforge::widgets {

class ParamSlider : public QWidget {
    Q_OBJECT
public:
    /// `step` is the slider's resolution; the spin box shows `decimals`.
    ParamSlider(const QString& label, double min, double max, double step, int decimals, QWidget* parent = nullptr);

    double value() const;
    /// Shows `v` without emitting valueEdited (document -> widget sync).
    void setValueSilently(double v);
    QSlider* slider() const { return slider_; }
    QDoubleSpinBox* spinBox() const { return spin_; }
    QLabel* label() const { return label_; }

signals:
    void valueEdited(double value);  ///< the user changed the value
    void dragStarted();
    void dragFinished();

private:
    int toTicks(double v) const;
    QLabel* label_;
    QSlider* slider_;
    QDoubleSpinBox* spin_;
    double min_, step_;
};

}  // namespace synthforge::widgets
