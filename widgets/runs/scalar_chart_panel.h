#pragma once
// The run centre's scalars panel, as TensorBoard's: one chart per tag,
// grouped by the part of the tag before its first '/' ("train/loss" and
// "train/lr" under "train"), with the selected runs overlaid in their
// colours. Above the charts: the smoothing slider (default 0.6, TensorBoard's),
// a log-y toggle, the x axis (step or time since the run's start) and a tag
// filter. Groups fold by their header.
//
// Feed it with setRun() whenever a run's curves change (e.g. after a
// runs::RunScalarSource::poll() that returned true): only that run's lines
// are redone.

#include <map>
#include <set>
#include <string>
#include <vector>

#include <QColor>
#include <QString>
#include <QStringList>
#include <QWidget>

#include "core/runs/scalar_series.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QScrollArea;
class QSlider;
class QVBoxLayout;

namespace synthforge::widgets {

class ScalarChartView;

class ScalarChartPanel : public QWidget {
    Q_OBJECT
public:
    explicit ScalarChartPanel(QWidget* parent = nullptr);
    ~ScalarChartPanel() override;

    /// Shows (or updates) `runName`'s curves in `colour`; tags it no longer
    /// has lose its lines, charts left without runs go.
    void setRun(const QString& runName, const QColor& colour,
                const std::map<std::string, std::vector<runs::ScalarPoint>>& scalars);
    void removeRun(const QString& runName);
    void clearRuns();
    QStringList runNames() const;

    void setSmoothing(double weight);  ///< clamped to [0, 0.999]
    double smoothing() const { return smoothing_; }
    void setLogY(bool on);
    bool logY() const { return logY_; }
    void setXAxisKind(runs::XAxisKind kind);
    runs::XAxisKind xAxisKind() const { return xKind_; }
    /// Shows only tags matching this regular expression (case-insensitive; empty: all).
    void setTagFilter(const QString& pattern);

    /// Every tag of every run, sorted.
    QStringList tags() const;
    /// The chart of a tag, or null.
    ScalarChartView* chart(const QString& tag) const;
    /// "train/loss" -> "train"; a tag without '/' is its own group.
    static QString groupOf(const QString& tag);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    static int columnsForWidth(int width);
    void relayout();

    double smoothing_ = 0.6;
    bool logY_ = false;
    runs::XAxisKind xKind_ = runs::XAxisKind::Step;
    QString filter_;
    int chartColumns_ = 2;
    std::map<QString, ScalarChartView*> charts_;
    std::map<QString, std::set<QString>> runTags_;  ///< run -> its tags
    std::set<QString> folded_;                      ///< folded groups
    QSlider* smoothingSlider_ = nullptr;
    QLabel* smoothingValue_ = nullptr;
    QCheckBox* logCheck_ = nullptr;
    QComboBox* xAxisCombo_ = nullptr;
    QLineEdit* filterEdit_ = nullptr;
    QScrollArea* scroll_ = nullptr;
    QWidget* content_ = nullptr;
    QVBoxLayout* groupsLayout_ = nullptr;
    QLabel* emptyLabel_ = nullptr;
};

}  // namespace synthforge::widgets
