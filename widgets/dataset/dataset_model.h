#pragma once
// The samples of an open dataset as a list model for the browser's
// thumbnail view. Thumbnails are decoded lazily, when the view first asks
// for one, on a small private thread pool (never on the GUI thread: a PNG
// decode is several ms and a view asks for dozens at once); the model caches
// them and emits dataChanged when each arrives.

#include <QAbstractListModel>
#include <QHash>
#include <QImage>
#include <QSet>
#include <QThreadPool>

#include "widgets/dataset/dataset_index.h"

namespace synthforge::widgets {

class DatasetModel : public QAbstractListModel {
    Q_OBJECT
public:
    static constexpr int kThumbnailSize = 96;  ///< longest side, pixels

    explicit DatasetModel(QObject* parent = nullptr);
    ~DatasetModel() override;

    /// Replaces the dataset (resets the model and drops every thumbnail).
    void setIndex(DatasetIndex index);
    const DatasetIndex& datasetIndex() const { return index_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    /// DisplayRole: the sample's name; DecorationRole: its thumbnail once
    /// loaded (a request starts on first use; a grey placeholder until then).
    QVariant data(const QModelIndex& idx, int role) const override;

    /// Thumbnails in the cache (for tests).
    int cachedThumbnails() const { return static_cast<int>(cache_.size()); }
    /// Blocks until every requested thumbnail has been decoded (tests, shutdown).
    void waitForThumbnails();

private:
    void requestThumbnail(int row) const;

    DatasetIndex index_;
    quint64 generation_ = 0;  ///< bumped by setIndex: late thumbnails of an old dataset are dropped
    // Mutable: data() is const but fills the cache on demand.
    mutable QHash<int, QImage> cache_;
    mutable QSet<int> pending_;
    mutable QThreadPool pool_;
};

}  // namespace synthforge::widgets
