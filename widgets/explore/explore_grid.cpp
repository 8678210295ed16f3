#include "widgets/explore/explore_grid.h"

#include <algorithm>
#include <exception>
#include <functional>
#include <stdexcept>

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include "core/generate/explore/marked_cells_config.h"
#include "core/io/file_util.h"
#include "core/scene/scene.h"
#include "widgets/panels/scene_document.h"

namespace synthforge::widgets {

namespace {

const char* const kAxes[] = {"seed", "yaw", "pitch", "fov", "jaw", "shape:0", "shape:1", "shape:2", "expr:0", "expr:1", "expr:2"};

/// A sensible range for an axis name (the user can change it).
std::pair<double, double> defaultRange(const QString& axis, int steps) {
    if (axis == QLatin1String("seed")) return {0.0, std::max(0, steps - 1)};
    if (axis == QLatin1String("yaw") || axis == QLatin1String("pitch")) return {-0.6, 0.6};
    if (axis == QLatin1String("fov")) return {14.0, 30.0};
    if (axis == QLatin1String("jaw")) return {0.0, 0.4};
    return {-2.0, 2.0};
}

/// A grid tile: a picture that reports clicks (Ctrl+click separately).
class CellView : public QLabel {
public:
    CellView(int row, int col, std::function<void(int, int, bool)> onClick, QWidget* parent)
        : QLabel(parent), row_(row), col_(col), onClick_(std::move(onClick)) {
        setAlignment(Qt::AlignCenter);
        setCursor(Qt::PointingHandCursor);
        setToolTip(tr("Click: load as the scene (undoable). Ctrl+click: mark for export."));
    }

protected:
    void mousePressEvent(QMouseEvent* e) override {
        if (e->button() == Qt::LeftButton) onClick_(row_, col_, e->modifiers() & Qt::ControlModifier);
    }

private:
    int row_, col_;
    std::function<void(int, int, bool)> onClick_;
};


}  // namespace

ExploreGrid::ExploreGrid(SceneDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
    auto* outer = new QVBoxLayout(this);
    auto makeAxisRow = [this](const QString& label, QComboBox*& axis, QDoubleSpinBox*& from, QDoubleSpinBox*& to,
                              QSpinBox*& steps) {
        auto* row = new QHBoxLayout;
        row->addWidget(new QLabel(label, this));
        axis = new QComboBox(this);
        axis->setEditable(true);  // shape:12 and the like can be typed
        for (const char* a : kAxes) axis->addItem(QString::fromLatin1(a));
        axis->setToolTip(tr("seed (the latent code), yaw, pitch, fov, jaw, shape:K or expr:K"));
        from = new QDoubleSpinBox(this);
        to = new QDoubleSpinBox(this);
        for (QDoubleSpinBox* b : {from, to}) {
            b->setRange(-1000.0, 1000.0);
            b->setDecimals(2);
            b->setSingleStep(0.1);
        }
        steps = new QSpinBox(this);
        steps->setRange(1, 16);
        steps->setValue(4);
        steps->setSuffix(tr(" steps"));
        row->addWidget(axis, 1);
        row->addWidget(new QLabel(tr("from"), this));
        row->addWidget(from);
        row->addWidget(new QLabel(tr("to"), this));
        row->addWidget(to);
        row->addWidget(steps);
        connect(axis, &QComboBox::currentTextChanged, this, [from, to, steps](const QString& name) {
            const auto [lo, hi] = defaultRange(name, steps->value());
            from->setValue(lo);
            to->setValue(hi);
        });
        return row;
    };
    outer->addLayout(makeAxisRow(tr("Rows"), rowAxis_, rowFrom_, rowTo_, rowSteps_));
    outer->addLayout(makeAxisRow(tr("Columns"), colAxis_, colFrom_, colTo_, colSteps_));
    auto* actions = new QHBoxLayout;
    overlay_ = new QComboBox(this);
    overlay_->addItems({QStringLiteral("none"), QStringLiteral("landmarks"), QStringLiteral("segmentation")});
    overlay_->setToolTip(tr("Overlay drawn on every cell"));
    renderButton_ = new QPushButton(tr("Render grid"), this);
    exportButton_ = new QPushButton(tr("Export marked…"), this);
    exportButton_->setToolTip(tr("Write each marked cell as a scene file"));
    exportConfigButton_ = new QPushButton(tr("Marked as sampler config…"), this);
    exportConfigButton_->setToolTip(
        tr("Write a sampler config whose stratified bins are centred on the marked rows and columns "
           "(synthforge generate --sampler-config FILE draws a dataset there)"));
    status_ = new QLabel(this);
    actions->addWidget(new QLabel(tr("Overlay"), this));
    actions->addWidget(overlay_);
    actions->addWidget(renderButton_);
    actions->addWidget(exportButton_);
    actions->addWidget(exportConfigButton_);
    actions->addWidget(status_, 1);
    outer->addLayout(actions);

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    cellsHost_ = new QWidget;
    cellsLayout_ = new QGridLayout(cellsHost_);
    cellsLayout_->setSpacing(4);
    scroll->setWidget(cellsHost_);
    outer->addWidget(scroll, 1);

    setAxis(true, QStringLiteral("yaw:-0.6:0.6:4"));
    setAxis(false, QStringLiteral("expr:0:-2:2:4"));
    connect(renderButton_, &QPushButton::clicked, this, [this] { render(); });
    connect(exportButton_, &QPushButton::clicked, this, [this] {
        if (marked_.empty()) {
            showError(tr("Ctrl+click cells to mark them first."));
            return;
        }
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export marked cells as scenes"));
        if (dir.isEmpty()) return;
        try {
            status_->setText(tr("Wrote %1 scene files to %2").arg(exportMarked(dir)).arg(dir));
        } catch (const std::exception& e) {
            QMessageBox::critical(this, tr("Export failed"), QString::fromUtf8(e.what()));
        }
    });
    connect(exportConfigButton_, &QPushButton::clicked, this, [this] {
        if (marked_.empty()) {
            showError(tr("Ctrl+click cells to mark them first."));
            return;
        }
        const QString path = QFileDialog::getSaveFileName(this, tr("Export marked cells as a sampler config"),
                                                          QStringLiteral("marked.sampler.json"), tr("JSON (*.json)"));
        if (path.isEmpty()) return;
        try {
            const QString note = exportMarkedConfig(path);
            status_->setStyleSheet(QString());
            status_->setText(tr("Wrote %1").arg(path) + (note.isEmpty() ? QString() : QStringLiteral("; ") + note));
        } catch (const std::invalid_argument& e) {
            showError(QString::fromUtf8(e.what()));
        } catch (const std::exception& e) {
            QMessageBox::critical(this, tr("Export failed"), QString::fromUtf8(e.what()));
        }
    });
}

ExploreGrid::~ExploreGrid() {
    job_.reset();  // workers post to this widget: they must end first
}

QString ExploreGrid::axisText(bool rows) const {
    const QComboBox* axis = rows ? rowAxis_ : colAxis_;
    const QDoubleSpinBox* from = rows ? rowFrom_ : colFrom_;
    const QDoubleSpinBox* to = rows ? rowTo_ : colTo_;
    const QSpinBox* steps = rows ? rowSteps_ : colSteps_;
    return QStringLiteral("%1:%2:%3:%4").arg(axis->currentText().trimmed()).arg(from->value()).arg(to->value()).arg(steps->value());
}

bool ExploreGrid::setAxis(bool rows, const QString& text) {
    try {
        const generate::GridAxis a = generate::GridAxis::parse(text.toStdString(), rows ? "rows" : "columns");
        QComboBox* axis = rows ? rowAxis_ : colAxis_;
        QSpinBox* steps = rows ? rowSteps_ : colSteps_;
        steps->setValue(std::min(a.steps, steps->maximum()));
        axis->setCurrentText(QString::fromStdString(a.name()));
        (rows ? rowFrom_ : colFrom_)->setValue(a.from);
        (rows ? rowTo_ : colTo_)->setValue(a.to);
        return true;
    } catch (const std::invalid_argument& e) {
        showError(QString::fromUtf8(e.what()));
        return false;
    }
}

void ExploreGrid::showError(const QString& text) {
    status_->setText(text);
    status_->setStyleSheet(QStringLiteral("color: #b00020"));
}

bool ExploreGrid::render() {
    generate::GridRequest g;
    try {
        g.rows = generate::GridAxis::parse(axisText(true).toStdString(), "rows");
        g.cols = generate::GridAxis::parse(axisText(false).toStdString(), "columns");
    } catch (const std::invalid_argument& e) {
        showError(QString::fromUtf8(e.what()));
        return false;
    }
    g.overlay = overlay_->currentText().toStdString();
    grid_ = g;
    job_.reset();
    const int generation = ++generation_;
    rowsN_ = g.rows.steps;
    colsN_ = g.cols.steps;
    filled_ = 0;
    marked_.clear();
    specs_.clear();
    rebuildCells();
    for (int r = 0; r < rowsN_; ++r)
        for (int c = 0; c < colsN_; ++c)
            cellWidget(r, c)->setToolTip(QString::fromStdString(generate::gridCellCaption(g, r, c)) +
                                         tr("\nClick: load as the scene (undoable). Ctrl+click: mark for export."));
    status_->setStyleSheet(QString());
    status_->setText(tr("Rendering 0 / %1 cells…").arg(rowsN_ * colsN_));

    const scene::Scene sc = doc_->scene();
    CellRenderJob::Callbacks cb;
    cb.specs = [this, generation](std::vector<generate::SampleSpec> specs) {
        if (generation == generation_) specs_ = std::move(specs);
    };
    cb.cell = [this, generation](int i, QImage image) { cellReady(generation, i, image); };
    cb.error = [this, generation](QString msg) {
        if (generation == generation_) showError(msg);
    };
    job_ = std::make_unique<CellRenderJob>(
        this, sc, tile_, g.overlay,
        [g, sc](const generate::SamplePipeline& p) mutable {
            g.base = sc.toSampleSpec(p.generator->capabilities().latentDim);
            std::vector<generate::SampleSpec> specs;
            for (int r = 0; r < g.rows.steps; ++r)
                for (int c = 0; c < g.cols.steps; ++c) specs.push_back(generate::gridCellSpec(p, g, r, c));
            return specs;
        },
        std::move(cb));
    return true;
}

scene::Scene ExploreGrid::sceneOfCell(int row, int col) const {
    const generate::SampleSpec& s = cellSpec(row, col);
    scene::Scene sc = doc_->scene();
    sc.params = s.params;
    sc.camera = s.camera;
    sc.z = s.z;
    sc.assets = s.assets;
    return sc;
}

void ExploreGrid::rebuildCells() {
    for (QWidget* w : cellWidgets_) delete w;
    cellWidgets_.clear();
    for (int r = 0; r < rowsN_; ++r)
        for (int c = 0; c < colsN_; ++c) {
            auto* cell = new CellView(r, c, [this](int row, int col, bool mark) {
                if (mark)
                    toggleMark(row, col);
                else
                    loadCell(row, col);
            }, cellsHost_);
            cell->setFixedSize(tile_ + 6, tile_ + 6);
            cell->setText(QStringLiteral("…"));
            cellsLayout_->addWidget(cell, r, c);
            cellWidgets_.push_back(cell);
        }
}

void ExploreGrid::cellReady(int generation, int index, const QImage& image) {
    if (generation != generation_ || index < 0 || index >= static_cast<int>(cellWidgets_.size())) return;
    static_cast<QLabel*>(cellWidgets_[static_cast<std::size_t>(index)])->setPixmap(QPixmap::fromImage(image));
    ++filled_;
    const int n = rowsN_ * colsN_;
    status_->setText(filled_ < n ? tr("Rendering %1 / %2 cells…").arg(filled_).arg(n)
                                 : tr("%1 cells. Click one to load it; Ctrl+click to mark.").arg(n));
    if (filled_ == n) emit finished();
}

const generate::SampleSpec& ExploreGrid::cellSpec(int row, int col) const {
    const int i = row * colsN_ + col;
    if (row < 0 || col < 0 || row >= rowsN_ || col >= colsN_ || i >= static_cast<int>(specs_.size()))
        throw std::out_of_range("ExploreGrid: no such cell");
    return specs_[static_cast<std::size_t>(i)];
}

QWidget* ExploreGrid::cellWidget(int row, int col) const {
    if (row < 0 || col < 0 || row >= rowsN_ || col >= colsN_) return nullptr;
    return cellWidgets_[static_cast<std::size_t>(row * colsN_ + col)];
}

QString ExploreGrid::status() const { return status_->text(); }

void ExploreGrid::loadCell(int row, int col) {
    if (row * colsN_ + col >= static_cast<int>(specs_.size())) return;  // not rendered yet
    doc_->apply(sceneOfCell(row, col), tr("Load grid cell (%1, %2)").arg(row + 1).arg(col + 1));
}

void ExploreGrid::toggleMark(int row, int col) {
    QWidget* w = cellWidget(row, col);
    if (!w) return;
    const auto key = std::make_pair(row, col);
    if (marked_.erase(key) == 0) marked_.insert(key);
    w->setStyleSheet(marked_.count(key) ? QStringLiteral("border: 3px solid #e0a000") : QString());
    status_->setText(tr("%n cell(s) marked", nullptr, static_cast<int>(marked_.size())));
}

int ExploreGrid::exportMarked(const QString& dir) const {
    int written = 0;
    for (const auto& [r, c] : marked_) {
        const scene::Scene sc = sceneOfCell(r, c);
        const QString path = QDir(dir).filePath(QStringLiteral("cell_r%1_c%2.scene.json").arg(r).arg(c));
        scene::saveScene(sc, path.toStdString());
        ++written;
    }
    return written;
}

}  // namespace synthforge::widgets

namespace synthforge::widgets {

QString ExploreGrid::exportMarkedConfig(const QString& path) const {
    // The default ranges for everything the grid does not sweep: the studio
    // has no sampler config of its own; the user edits the file for others.
    const generate::MarkedCellsConfig m = generate::samplerConfigForCells(
        generate::SamplerConfig{}, grid_, std::vector<std::pair<int, int>>(marked_.begin(), marked_.end()));
    io::writeFileAtomic(path.toStdString(), generate::samplerConfigToJson(m.config));
    return QString::fromStdString(m.note);
}

}  // namespace synthforge::widgets
