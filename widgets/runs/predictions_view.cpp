#include "widgets/runs/predictions_view.h"

#include <QDir>
#include <QFile>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QResizeEvent>
#include <QSplitter>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace synthforge::widgets {

namespace {

constexpr int kThumb = 112;
constexpr qint64 kMaxJsonBytes = 64ll << 20;

/// A label that shows an image scaled to fit, keeping its aspect.
class FitLabel : public QLabel {
public:
    explicit FitLabel(QWidget* parent = nullptr) : QLabel(parent) {
        setAlignment(Qt::AlignCenter);
        setMinimumSize(160, 160);
        setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    }
    void setImage(const QImage& image, const QString& placeholder) {
        image_ = image;
        placeholder_ = placeholder;
        refresh();
    }

protected:
    void resizeEvent(QResizeEvent* e) override {
        QLabel::resizeEvent(e);
        refresh();
    }

private:
    void refresh() {
        if (image_.isNull()) {
            setPixmap({});
            setText(placeholder_);
            return;
        }
        setPixmap(QPixmap::fromImage(image_.scaled(size(), Qt::KeepAspectRatio, Qt::SmoothTransformation)));
    }
    QImage image_;
    QString placeholder_;
};

}  // namespace

PredictionsView::PredictionsView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    summary_ = new QLabel(this);
    error_ = new QLabel(this);
    error_->setWordWrap(true);
    error_->setStyleSheet(QStringLiteral("color: #c62828;"));
    error_->hide();
    layout->addWidget(summary_);
    layout->addWidget(error_);
    auto* split = new QSplitter(Qt::Horizontal, this);
    list_ = new QListWidget(split);
    list_->setViewMode(QListView::IconMode);
    list_->setIconSize(QSize(kThumb, kThumb));
    list_->setResizeMode(QListView::Adjust);
    list_->setMovement(QListView::Static);
    list_->setMinimumWidth(kThumb + 40);
    auto* big = new QWidget(split);
    auto* bigLayout = new QHBoxLayout(big);
    for (auto*& l : large_) {
        l = new FitLabel(big);
        bigLayout->addWidget(l, 1);
    }
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    layout->addWidget(split, 1);
    connect(list_, &QListWidget::currentRowChanged, this, [this] { showCurrent(); });
    connect(&watcher_, &QFutureWatcher<Read>::finished, this, &PredictionsView::readFinished);
    setRun({});
}

PredictionsView::~PredictionsView() {
    watcher_.waitForFinished();
}

void PredictionsView::setRun(const QString& dir) {
    dir_ = dir;
    items_.clear();
    list_->clear();
    summary_->setText(dir.isEmpty() ? tr("Select a predict run.") : tr("Reading…"));
    error_->hide();
    showCurrent();
    if (!dir.isEmpty()) reload();
}

void PredictionsView::reload() {
    if (dir_.isEmpty()) return;
    if (busy_) {
        again_ = true;
        return;
    }
    busy_ = true;
    const QString dir = dir_;
    watcher_.setFuture(QtConcurrent::run([dir] { return readPredictions(dir); }));
}

PredictionsView::Read PredictionsView::readPredictions(const QString& dir) {
    Read r;
    r.dir = dir;
    const QString path = QDir(dir).filePath(QStringLiteral("predictions.json"));
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        r.error = tr("%1: cannot be read (the run has not written it yet, or it is not a predict run)").arg(path);
        return r;
    }
    if (f.size() > kMaxJsonBytes) {
        r.error = tr("%1: larger than %2 MiB").arg(path).arg(kMaxJsonBytes >> 20);
        return r;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &parseError);
    if (doc.isNull() || !doc.isObject()) {
        r.error = tr("%1: not valid JSON (%2)").arg(path, parseError.errorString());
        return r;
    }
    const QJsonObject o = doc.object();
    if (o.value(QStringLiteral("format")).toString() != QLatin1String("synthforge-predictions")) {
        r.error = tr("%1: format: expected \"synthforge-predictions\"").arg(path);
        return r;
    }
    if (o.value(QStringLiteral("version")).toInt() != 1) {
        r.error = tr("%1: version: %2 is not one this studio reads (1)").arg(path).arg(o.value(QStringLiteral("version")).toInt());
        return r;
    }
    const QJsonValue images = o.value(QStringLiteral("images"));
    if (!images.isArray()) {
        r.error = tr("%1: images: expected an array").arg(path);
        return r;
    }
    const QDir d(dir);
    for (const QJsonValue& v : images.toArray()) {
        if (!v.isObject()) continue;
        const QJsonObject im = v.toObject();
        Item item;
        item.name = im.value(QStringLiteral("name")).toString();
        item.input = im.value(QStringLiteral("input")).toString();
        item.status = im.value(QStringLiteral("status")).toString();
        item.error = im.value(QStringLiteral("error")).toString();
        // Only the run's own output files, by name: a hostile file must not
        // point the view elsewhere.
        for (const QJsonValue& out : im.value(QStringLiteral("outputs")).toArray()) {
            const QString name = out.toString();
            if (name.isEmpty() || name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\'))) continue;
            if (name.endsWith(QLatin1String("_seg_overlay.png"))) item.segOverlay = d.filePath(name);
            else if (name.endsWith(QLatin1String("_overlay.png"))) item.overlay = d.filePath(name);
        }
        if (!item.overlay.isEmpty()) {
            const QImage full(item.overlay);
            if (!full.isNull()) item.thumbnail = full.scaled(kThumb, kThumb, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        }
        r.items.push_back(item);
    }
    const int failed = static_cast<int>(std::count_if(r.items.begin(), r.items.end(),
                                                      [](const Item& i) { return i.status != QLatin1String("ok"); }));
    r.summary = tr("%1 images, %2 failed; model %3 (%4 weights)")
                    .arg(r.items.size())
                    .arg(failed)
                    .arg(o.value(QStringLiteral("model")).toString(),
                         QFileInfo(o.value(QStringLiteral("weights")).toString()).fileName());
    return r;
}

void PredictionsView::readFinished() {
    busy_ = false;
    const Read r = watcher_.result();
    if (r.dir == dir_) {
        const int keep = list_->currentRow();
        items_ = r.items;
        list_->clear();
        for (const Item& item : items_) {
            auto* entry = new QListWidgetItem(QIcon(QPixmap::fromImage(item.thumbnail)), item.name, list_);
            if (item.status != QLatin1String("ok")) {
                entry->setForeground(QColor(198, 40, 40));
                entry->setToolTip(item.error);
                entry->setText(item.name + tr(" (failed)"));
            } else {
                entry->setToolTip(item.input);
            }
        }
        summary_->setText(r.error.isEmpty() ? r.summary : QString());
        error_->setText(r.error);
        error_->setVisible(!r.error.isEmpty());
        if (!items_.isEmpty()) list_->setCurrentRow(keep >= 0 && keep < items_.size() ? keep : 0);
        showCurrent();
        emit loaded();
    }
    if (again_) {
        again_ = false;
        reload();
    }
}

int PredictionsView::failedCount() const {
    return static_cast<int>(
        std::count_if(items_.begin(), items_.end(), [](const Item& i) { return i.status != QLatin1String("ok"); }));
}

void PredictionsView::setCurrent(int k) {
    list_->setCurrentRow(k);
}

int PredictionsView::current() const {
    return list_->currentRow();
}

void PredictionsView::showCurrent() {
    const int k = list_->currentRow();
    const Item* item = k >= 0 && k < items_.size() ? &items_[k] : nullptr;
    shown_[0] = item && !item->overlay.isEmpty() ? QImage(item->overlay) : QImage();
    shown_[1] = item && !item->segOverlay.isEmpty() ? QImage(item->segOverlay) : QImage();
    const QString none = !item ? QString() : item->status != QLatin1String("ok") ? item->error : tr("(not written)");
    static_cast<FitLabel*>(large_[0])->setImage(shown_[0], none);
    static_cast<FitLabel*>(large_[1])->setImage(shown_[1], item && item->status == QLatin1String("ok") ? tr("(no segmentation)") : QString());
}

QImage PredictionsView::shownImage(int which) const {
    return which >= 0 && which < 2 ? shown_[which] : QImage();
}

QString PredictionsView::errorText() const {
    return error_->text();
}

}  // namespace synthforge::widgets
