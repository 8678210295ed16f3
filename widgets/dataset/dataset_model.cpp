#include "widgets/dataset/dataset_model.h"

#include <QColor>
#include <QFuture>
#include <QString>
#include <QtConcurrent/QtConcurrentRun>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace synthforge::widgets {

namespace {
// Decodes and shrinks one image; runs on the pool, touches nothing shared.
QImage loadThumbnail(const std::string& path) {
    const cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
    if (bgr.empty()) return {};
    const double s = static_cast<double>(DatasetModel::kThumbnailSize) / std::max(bgr.cols, bgr.rows);
    cv::Mat small;
    cv::resize(bgr, small, cv::Size(), s, s, s < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    return QImage(small.data, small.cols, small.rows, static_cast<qsizetype>(small.step), QImage::Format_BGR888).copy();
}
}  // namespace

DatasetModel::DatasetModel(QObject* parent) : QAbstractListModel(parent) {
    // Two decoders keep thumbnails coming without starving the generator view's worker.
    pool_.setMaxThreadCount(2);
}

DatasetModel::~DatasetModel() {
    // Workers capture only paths; waiting makes sure no continuation is queued to a dead model.
    pool_.waitForDone();
}

void DatasetModel::setIndex(DatasetIndex index) {
    beginResetModel();
    index_ = std::move(index);
    ++generation_;
    cache_.clear();
    pending_.clear();
    endResetModel();
}

int DatasetModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(index_.samples.size());
}

QVariant DatasetModel::data(const QModelIndex& idx, int role) const {
    if (!idx.isValid() || idx.row() >= rowCount()) return {};
    const int row = idx.row();
    if (role == Qt::DisplayRole) return QString::fromStdString(index_.samples[static_cast<std::size_t>(row)]);
    if (role == Qt::ToolTipRole) return QString::fromStdString(index_.imagePath(static_cast<std::size_t>(row)));
    if (role == Qt::DecorationRole) {
        const auto it = cache_.constFind(row);
        if (it != cache_.constEnd()) return *it;
        requestThumbnail(row);
        // A same-sized placeholder: the view sizes items from the first one it
        // measures, which must not be an item without a picture yet.
        static const QImage placeholder = [] {
            QImage i(kThumbnailSize, kThumbnailSize, QImage::Format_RGB888);
            i.fill(QColor(200, 200, 200));
            return i;
        }();
        return placeholder;
    }
    return {};
}

void DatasetModel::requestThumbnail(int row) const {
    if (pending_.contains(row)) return;
    pending_.insert(row);
    const std::string path = index_.imagePath(static_cast<std::size_t>(row));
    const quint64 generation = generation_;
    auto* self = const_cast<DatasetModel*>(this);  // the continuation updates the cache on the GUI thread
    QtConcurrent::run(&pool_, [path] { return loadThumbnail(path); })
        .then(self, [self, row, generation](const QImage& image) {
            if (generation != self->generation_) return;  // an older dataset's thumbnail
            self->pending_.remove(row);
            self->cache_.insert(row, image);
            const QModelIndex i = self->index(row);
            emit self->dataChanged(i, i, {Qt::DecorationRole});
        });
}

void DatasetModel::waitForThumbnails() { pool_.waitForDone(); }

}  // namespace synthforge::widgets
