#include "widgets/dataset/dataset_browser.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QHBoxLayout>
#include <QImage>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListView>
#include <QPixmap>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <opencv2/core.hpp>

#include "widgets/dataset/dataset_model.h"
#include "widgets/mat_image.h"

namespace synthforge::widgets {

DatasetBrowser::DatasetBrowser(QWidget* parent) : QWidget(parent), model_(new DatasetModel(this)) {
    auto* box = new QHBoxLayout(this);
    auto* left = new QVBoxLayout;
    auto* toggles = new QHBoxLayout;
    landmarks_ = new QCheckBox(tr("Landmarks"), this);
    landmarks_->setChecked(true);
    landmarks_->setToolTip(tr("Stored 2d_kps: green visible, red occluded (kps_visible)"));
    segmentation_ = new QCheckBox(tr("Segmentation"), this);
    segmentation_->setChecked(true);
    segmentation_->setToolTip(tr("Stored seg/ ids in the manifest's classes"));
    opacity_ = new QSlider(Qt::Horizontal, this);
    opacity_->setRange(0, 100);
    opacity_->setValue(40);
    opacity_->setMaximumWidth(80);
    opacity_->setToolTip(tr("Segmentation opacity"));
    base_ = new QComboBox(this);
    base_->addItems({tr("Image"), tr("Depth"), tr("Normals")});
    base_->setToolTip(tr("What the overlays are drawn on: the stored image, depth/ as a colour map, or "
                         "normals/ (datasets generated with --normals)"));
    toggles->addWidget(landmarks_);
    toggles->addWidget(segmentation_);
    toggles->addWidget(opacity_);
    toggles->addWidget(base_);
    toggles->addStretch(1);
    left->addLayout(toggles);

    picture_ = new QLabel(tr("File → Open dataset… (Ctrl+Shift+O)"), this);
    picture_->setAlignment(Qt::AlignCenter);
    picture_->setMinimumSize(160, 160);
    picture_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    left->addWidget(picture_, 1);
    caption_ = new QLabel(this);
    left->addWidget(caption_);

    auto* buttons = new QHBoxLayout;
    auto* prev = new QPushButton(tr("◀"), this);
    prev->setToolTip(tr("Previous sample (Page Up, Alt+Left)"));
    auto* next = new QPushButton(tr("▶"), this);
    next->setToolTip(tr("Next sample (Page Down, Alt+Right)"));
    openScene_ = new QPushButton(tr("Open as scene"), this);
    openScene_->setToolTip(tr("Load this sample's annotation JSON as the editor's scene, re-render it and "
                              "compare with the stored image"));
    openScene_->setEnabled(false);
    buttons->addWidget(prev);
    buttons->addWidget(next);
    buttons->addWidget(openScene_);
    predict_ = new QPushButton(tr("Predict…"), this);
    predict_->setObjectName(QStringLiteral("predictButton"));
    predict_->setToolTip(tr("Run a trained network (synthforge predict) on this dataset's images; the run centre "
                            "shows its landmarks, segmentation and depth"));
    predict_->setEnabled(false);
    buttons->addWidget(predict_);
    buttons->addStretch(1);
    left->addLayout(buttons);
    compare_ = new QLabel(tr("Compare with stored: –"), this);
    compare_->setToolTip(tr("Max absolute pixel difference between the editor's re-render and the stored image"));
    left->addWidget(compare_);
    box->addLayout(left, 1);

    list_ = new QListView(this);
    list_->setModel(model_);
    list_->setViewMode(QListView::IconMode);
    list_->setIconSize(QSize(DatasetModel::kThumbnailSize, DatasetModel::kThumbnailSize));
    list_->setGridSize(QSize(DatasetModel::kThumbnailSize + 16, DatasetModel::kThumbnailSize + 24));
    list_->setUniformItemSizes(true);  // lets the view lay out without asking every row for its thumbnail
    list_->setMovement(QListView::Static);
    list_->setResizeMode(QListView::Adjust);
    list_->setSelectionMode(QAbstractItemView::SingleSelection);
    box->addWidget(list_, 2);

    next_ = new QAction(tr("&Next sample"), this);
    next_->setShortcuts({QKeySequence(Qt::Key_PageDown), QKeySequence(Qt::ALT | Qt::Key_Right)});
    previous_ = new QAction(tr("&Previous sample"), this);
    previous_->setShortcuts({QKeySequence(Qt::Key_PageUp), QKeySequence(Qt::ALT | Qt::Key_Left)});
    connect(next_, &QAction::triggered, this, &DatasetBrowser::nextSample);
    connect(previous_, &QAction::triggered, this, &DatasetBrowser::previousSample);
    connect(next, &QPushButton::clicked, this, &DatasetBrowser::nextSample);
    connect(prev, &QPushButton::clicked, this, &DatasetBrowser::previousSample);
    connect(openScene_, &QPushButton::clicked, this, &DatasetBrowser::openAsScene);
    connect(predict_, &QPushButton::clicked, this, &DatasetBrowser::predictOnImages);

    connect(list_->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) { currentChanged(current.isValid() ? current.row() : -1); });
    connect(&loader_, &QFutureWatcher<Loaded>::finished, this, &DatasetBrowser::loadFinished);
    for (QCheckBox* c : {landmarks_, segmentation_}) connect(c, &QCheckBox::toggled, this, &DatasetBrowser::redraw);
    connect(base_, &QComboBox::currentIndexChanged, this, &DatasetBrowser::redraw);
    connect(opacity_, &QSlider::valueChanged, this, &DatasetBrowser::redraw);
}

DatasetBrowser::~DatasetBrowser() { loader_.waitForFinished(); }

bool DatasetBrowser::openDataset(const QString& dir) {
    std::shared_ptr<const DatasetIndex> index;
    try {
        // Only the manifest and a directory listing: cheap on the GUI thread.
        index = std::make_shared<const DatasetIndex>(loadDatasetIndex(QDir::cleanPath(dir).toStdString()));
    } catch (const std::exception& e) {
        emit errorReported(tr("Cannot open dataset"), QString::fromUtf8(e.what()));
        return false;
    }
    index_ = index;
    shown_.reset();
    row_ = -1;
    model_->setIndex(*index_);
    openScene_->setEnabled(false);
    predict_->setEnabled(true);
    compare_->setText(tr("Compare with stored: –"));
    if (index_->samples.empty()) {
        picture_->setText(tr("This dataset holds no complete sample yet."));
        caption_->clear();
    } else {
        setCurrentRow(0);
    }
    return true;
}

QString DatasetBrowser::datasetDir() const { return index_ ? QString::fromStdString(index_->dir) : QString(); }
int DatasetBrowser::sampleCount() const { return model_->rowCount(); }

void DatasetBrowser::setCurrentRow(int row) {
    if (row < 0 || row >= sampleCount()) return;
    // Through the view's selection, so that a click and a key press take the same path.
    list_->setCurrentIndex(model_->index(row));
}

void DatasetBrowser::nextSample() { setCurrentRow(std::min(row_ + 1, sampleCount() - 1)); }
void DatasetBrowser::previousSample() { setCurrentRow(std::max(row_ - 1, 0)); }

void DatasetBrowser::currentChanged(int row) {
    if (row == row_ || row < 0) return;
    row_ = row;
    list_->scrollTo(model_->index(row));
    if (!loader_.isRunning()) startLoad();  // else loadFinished() starts the latest row
}

void DatasetBrowser::startLoad() {
    if (!index_ || row_ < 0) return;
    auto index = index_;
    const auto row = static_cast<std::size_t>(row_);
    loader_.setFuture(QtConcurrent::run([index, row]() -> Loaded {
        Loaded r;
        r.index = index;
        r.row = static_cast<int>(row);
        try {
            r.sample = std::make_shared<const StoredSample>(loadStoredSample(*index, row));
        } catch (const std::exception& e) {
            r.error = QString::fromUtf8(e.what());
        }
        return r;
    }));
}

void DatasetBrowser::loadFinished() {
    const Loaded r = loader_.result();
    if (r.index != index_ || r.row != row_) {
        startLoad();  // the selection or the dataset moved on meanwhile: load the latest
        return;
    }
    if (!r.error.isEmpty()) {
        picture_->setText(tr("Cannot show this sample:\n%1").arg(r.error));
        openScene_->setEnabled(false);
        emit errorReported(tr("Cannot read sample"), r.error);
        return;
    }
    shown_ = r.sample;
    caption_->setText(tr("%1  (%2 of %3, %4×%5)")
                          .arg(QString::fromStdString(shown_->name))
                          .arg(row_ + 1)
                          .arg(sampleCount())
                          .arg(shown_->image.cols)
                          .arg(shown_->image.rows));
    openScene_->setEnabled(true);
    redraw();
    emit sampleShown(row_);
}

cv::Mat DatasetBrowser::composed() const {
    if (!shown_) return {};
    StoredOverlays o;
    o.landmarks = landmarks_->isChecked();
    o.segmentation = segmentation_->isChecked();
    o.opacity = static_cast<float>(opacity_->value()) / 100.0f;
    o.base = static_cast<StoredOverlays::Base>(base_->currentIndex());
    return composeStoredSample(*shown_, index_ ? index_->classes.get() : nullptr, o);
}

void DatasetBrowser::redraw() {
    const cv::Mat bgr = composed();
    if (bgr.empty()) return;
    // Small datasets (64²) would look blurred when smoothed up; keep pixels crisp then.
    const bool upscale = picture_->width() > bgr.cols * 2;
    picture_->setPixmap(QPixmap::fromImage(toQImage(bgr)).scaled(
        picture_->size(), Qt::KeepAspectRatio, upscale ? Qt::FastTransformation : Qt::SmoothTransformation));
}

void DatasetBrowser::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    redraw();
}

void DatasetBrowser::setLandmarksShown(bool on) { landmarks_->setChecked(on); }
void DatasetBrowser::setSegmentationShown(bool on) { segmentation_->setChecked(on); }
void DatasetBrowser::setDepthShown(bool on) { base_->setCurrentIndex(on ? 1 : 0); }
void DatasetBrowser::setNormalsShown(bool on) { base_->setCurrentIndex(on ? 2 : 0); }

void DatasetBrowser::predictOnImages() {
    if (!index_) return;
    emit predictRequested(QDir(datasetDir()).filePath(QStringLiteral("images")));
}

void DatasetBrowser::openAsScene() {
    if (!shown_ || !index_) return;
    compareRef_ = shown_->image;
    compareName_ = QString::fromStdString(shown_->name);
    lastDiff_ = -1;
    compare_->setText(tr("Compare with stored %1: rendering…").arg(compareName_));
    emit openAsSceneRequested(QString::fromStdString(index_->annotationPath(shown_->row)));
}

int DatasetBrowser::compareWith(const cv::Mat& rendered) {
    if (compareRef_.empty()) return -1;
    if (rendered.size() != compareRef_.size() || rendered.type() != compareRef_.type()) {
        lastDiff_ = -1;
        compare_->setText(tr("<span style='color:#c00'>Compare with stored %1: the re-render is %2×%3, the stored "
                             "image %4×%5</span>")
                              .arg(compareName_).arg(rendered.cols).arg(rendered.rows)
                              .arg(compareRef_.cols).arg(compareRef_.rows));
    } else {
        lastDiff_ = static_cast<int>(cv::norm(rendered, compareRef_, cv::NORM_INF));
        compare_->setText(lastDiff_ == 0
                              ? tr("<span style='color:#080'>Compare with stored %1: max |Δ| = 0 — reproducible</span>")
                                    .arg(compareName_)
                              : tr("<span style='color:#c00'>Compare with stored %1: max |Δ| = %2 — differs</span>")
                                    .arg(compareName_).arg(lastDiff_));
    }
    emit compared(lastDiff_);
    return lastDiff_;
}

}  // namespace synthforge::widgets
