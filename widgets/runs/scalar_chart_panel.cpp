#include "widgets/runs/scalar_chart_panel.h"

#include <algorithm>
#include <cmath>

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSlider>
#include <QToolButton>
#include <QResizeEvent>
#include <QVBoxLayout>

#include "widgets/runs/scalar_chart_view.h"

namespace synthforge::widgets {

namespace {
constexpr int kSliderSteps = 1000;  // smoothing in steps of 0.001, as TensorBoard's slider
constexpr int kMinChartWidth = 420;  // charts per row follow the panel's width
}  // namespace

ScalarChartPanel::ScalarChartPanel(QWidget* parent) : QWidget(parent) {
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Smoothing")));
    smoothingSlider_ = new QSlider(Qt::Horizontal);
    smoothingSlider_->setRange(0, kSliderSteps - 1);
    smoothingSlider_->setValue(static_cast<int>(std::lround(smoothing_ * kSliderSteps)));
    smoothingSlider_->setMinimumWidth(160);
    smoothingSlider_->setToolTip(tr("Exponential moving average weight, as TensorBoard's (0: raw values)"));
    controls->addWidget(smoothingSlider_);
    smoothingValue_ = new QLabel(QString::number(smoothing_, 'f', 3));
    smoothingValue_->setMinimumWidth(40);
    controls->addWidget(smoothingValue_);
    controls->addSpacing(12);
    logCheck_ = new QCheckBox(tr("Log y"));
    controls->addWidget(logCheck_);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("x axis")));
    xAxisCombo_ = new QComboBox;
    xAxisCombo_->addItem(tr("Step"));
    xAxisCombo_->addItem(tr("Relative time"));
    controls->addWidget(xAxisCombo_);
    controls->addSpacing(12);
    filterEdit_ = new QLineEdit;
    filterEdit_->setPlaceholderText(tr("Filter tags (regular expression)"));
    filterEdit_->setClearButtonEnabled(true);
    controls->addWidget(filterEdit_, 1);

    content_ = new QWidget;
    groupsLayout_ = new QVBoxLayout(content_);
    groupsLayout_->setContentsMargins(4, 4, 4, 4);
    scroll_ = new QScrollArea;
    scroll_->setWidgetResizable(true);
    scroll_->setWidget(content_);
    emptyLabel_ = new QLabel(tr("No scalars yet: select runs that have logged values."));
    emptyLabel_->setAlignment(Qt::AlignCenter);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(scroll_, 1);
    relayout();

    connect(smoothingSlider_, &QSlider::valueChanged, this,
            [this](int v) { setSmoothing(static_cast<double>(v) / kSliderSteps); });
    connect(logCheck_, &QCheckBox::toggled, this, &ScalarChartPanel::setLogY);
    connect(xAxisCombo_, &QComboBox::currentIndexChanged, this, [this](int i) {
        setXAxisKind(i == 1 ? runs::XAxisKind::RelativeWallTime : runs::XAxisKind::Step);
    });
    connect(filterEdit_, &QLineEdit::textChanged, this, &ScalarChartPanel::setTagFilter);
}

ScalarChartPanel::~ScalarChartPanel() = default;

QString ScalarChartPanel::groupOf(const QString& tag) {
    const qsizetype slash = tag.indexOf('/');
    return slash < 0 ? tag : tag.left(slash);
}

QStringList ScalarChartPanel::tags() const {
    QStringList out;
    for (const auto& [tag, view] : charts_) out << tag;
    return out;
}

QStringList ScalarChartPanel::runNames() const {
    QStringList out;
    for (const auto& [run, tags] : runTags_) out << run;
    return out;
}

ScalarChartView* ScalarChartPanel::chart(const QString& tag) const {
    const auto it = charts_.find(tag);
    return it == charts_.end() ? nullptr : it->second;
}

void ScalarChartPanel::setRun(const QString& runName, const QColor& colour,
                              const std::map<std::string, std::vector<runs::ScalarPoint>>& scalars) {
    bool tagsChanged = false;
    std::set<QString> now;
    for (const auto& [tagStd, points] : scalars) {
        if (points.empty()) continue;  // e.g. a validation metric before the first validation
        const QString tag = QString::fromStdString(tagStd);
        now.insert(tag);
        ScalarChartView*& view = charts_[tag];
        if (!view) {
            view = new ScalarChartView(tag, content_);
            view->setSmoothing(smoothing_);
            view->setLogY(logY_);
            view->setXAxisKind(xKind_);
            tagsChanged = true;
        }
        view->setRunSeries(runName, colour, points);
    }
    std::set<QString>& had = runTags_[runName];
    for (const QString& tag : had) {
        if (now.count(tag)) continue;
        const auto it = charts_.find(tag);
        if (it == charts_.end()) continue;
        it->second->removeRun(runName);
        if (!it->second->hasRuns()) {
            delete it->second;
            charts_.erase(it);
            tagsChanged = true;
        }
    }
    had = std::move(now);
    if (tagsChanged) relayout();
}

void ScalarChartPanel::removeRun(const QString& runName) {
    if (!runTags_.count(runName)) return;
    setRun(runName, QColor(), {});  // drops its lines and the charts left empty
    runTags_.erase(runName);
}

void ScalarChartPanel::clearRuns() {
    for (auto& [tag, view] : charts_) delete view;
    charts_.clear();
    runTags_.clear();
    relayout();
}

void ScalarChartPanel::setSmoothing(double weight) {
    weight = std::clamp(weight, 0.0, 0.999);
    if (weight == smoothing_) return;
    smoothing_ = weight;
    const QSignalBlocker block(smoothingSlider_);
    smoothingSlider_->setValue(static_cast<int>(std::lround(weight * kSliderSteps)));
    smoothingValue_->setText(QString::number(weight, 'f', 3));
    for (auto& [tag, view] : charts_) view->setSmoothing(weight);
}

void ScalarChartPanel::setLogY(bool on) {
    logY_ = on;
    const QSignalBlocker block(logCheck_);
    logCheck_->setChecked(on);
    for (auto& [tag, view] : charts_) view->setLogY(on);
}

void ScalarChartPanel::setXAxisKind(runs::XAxisKind kind) {
    xKind_ = kind;
    const QSignalBlocker block(xAxisCombo_);
    xAxisCombo_->setCurrentIndex(kind == runs::XAxisKind::Step ? 0 : 1);
    for (auto& [tag, view] : charts_) view->setXAxisKind(kind);
}

void ScalarChartPanel::setTagFilter(const QString& pattern) {
    if (pattern == filter_) return;
    filter_ = pattern;
    if (filterEdit_->text() != pattern) {
        const QSignalBlocker block(filterEdit_);
        filterEdit_->setText(pattern);
    }
    relayout();
}

int ScalarChartPanel::columnsForWidth(int width) { return std::max(1, width / kMinChartWidth); }

void ScalarChartPanel::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    // The panel's own width: the scroll area's viewport is laid out later.
    const int columns = columnsForWidth(width() - 40);
    if (columns != chartColumns_) {
        chartColumns_ = columns;
        relayout();
    }
}

void ScalarChartPanel::relayout() {
    // Charts survive a relayout: only the group frames are rebuilt.
    for (auto& [tag, view] : charts_) {
        view->hide();
        view->setParent(content_);
    }
    while (QLayoutItem* item = groupsLayout_->takeAt(0)) {
        if (QWidget* w = item->widget(); w && w != emptyLabel_) delete w;
        delete item;
    }
    const QRegularExpression re(filter_, QRegularExpression::CaseInsensitiveOption);
    std::map<QString, std::vector<ScalarChartView*>> groups;
    for (const auto& [tag, view] : charts_)
        if (filter_.isEmpty() || !re.isValid() || re.match(tag).hasMatch()) groups[groupOf(tag)].push_back(view);

    for (const auto& [group, views] : groups) {
        const bool folded = folded_.count(group) > 0;
        auto* header = new QToolButton;
        header->setText(QStringLiteral("%1  (%2)").arg(group).arg(views.size()));
        header->setArrowType(folded ? Qt::RightArrow : Qt::DownArrow);
        header->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        header->setAutoRaise(true);
        QFont f = header->font();
        f.setBold(true);
        header->setFont(f);
        connect(header, &QToolButton::clicked, this, [this, group = group] {
            if (!folded_.erase(group)) folded_.insert(group);
            relayout();
        });
        groupsLayout_->addWidget(header);
        if (folded) continue;
        auto* box = new QWidget;
        auto* grid = new QGridLayout(box);
        grid->setContentsMargins(0, 0, 0, 0);
        for (std::size_t i = 0; i < views.size(); ++i) {
            grid->addWidget(views[i], static_cast<int>(i) / chartColumns_, static_cast<int>(i) % chartColumns_);
            views[i]->show();
        }
        for (int c = 0; c < chartColumns_; ++c) grid->setColumnStretch(c, 1);
        groupsLayout_->addWidget(box);
    }
    emptyLabel_->setVisible(groups.empty());
    groupsLayout_->addWidget(emptyLabel_);
    groupsLayout_->addStretch(1);
}

}  // namespace synthforge::widgets
