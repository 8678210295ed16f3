#include "widgets/runs/run_images_view.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QSlider>
#include <QtConcurrent/QtConcurrentRun>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>
#include <string>

#include "core/io/tensorboard_reader.h"

namespace synthforge::widgets {

namespace {

/// The tag shown first: the training loop's prediction grids when there are some.
const QString kPreferredTag = QStringLiteral("val/predictions");
constexpr int kCacheKiB = 256 * 1024;

QString wallTimeText(double wallTime) {
    return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(wallTime * 1000.0))
        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

/// One run's picture with a caption above it, scaled to fit and centred.
class ImagePane : public QWidget {
public:
    explicit ImagePane(QWidget* parent) : QWidget(parent) {
        setMinimumSize(160, 120);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    }

    void setContent(const QString& caption, const QImage& image, const QString& placeholder) {
        caption_ = caption;
        image_ = image;
        placeholder_ = placeholder;
        update();
    }

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter p(this);
        // A grey backdrop shows where a picture with white edges ends.
        p.fillRect(rect(), palette().window().color().darker(108));
        QFont bold = font();
        bold.setBold(true);
        p.setFont(bold);
        const int captionHeight = fontMetrics().height() + 8;
        p.setPen(palette().text().color());
        p.drawText(QRect(4, 0, width() - 8, captionHeight), Qt::AlignLeft | Qt::AlignVCenter,
                   fontMetrics().elidedText(caption_, Qt::ElideMiddle, width() - 8));
        const QRect area = rect().adjusted(4, captionHeight, -4, -4);
        if (image_.isNull() || area.isEmpty()) {
            p.setFont(font());
            p.setPen(palette().placeholderText().color());
            p.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
            return;
        }
        QSize fitted = image_.size().scaled(area.size(), Qt::KeepAspectRatio);
        // Smooth when shrinking; when enlarging small grids, whole pixels
        // show what the network predicted better than a blur does.
        p.setRenderHint(QPainter::SmoothPixmapTransform, fitted.width() < image_.width());
        const QRect target(area.x() + (area.width() - fitted.width()) / 2,
                           area.y() + (area.height() - fitted.height()) / 2, fitted.width(), fitted.height());
        p.drawImage(target, image_);
    }

private:
    QString caption_;
    QImage image_;
    QString placeholder_;
};

}  // namespace

RunImagesView::RunImagesView(QWidget* parent) : QWidget(parent) {
    cache_.setMaxCost(kCacheKiB);
    auto* layout = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Images"), this));
    tagCombo_ = new QComboBox(this);
    tagCombo_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    controls->addWidget(tagCombo_);
    slider_ = new QSlider(Qt::Horizontal, this);
    slider_->setPageStep(1);
    slider_->setTracking(true);
    controls->addWidget(slider_, 1);
    stepLabel_ = new QLabel(this);
    stepLabel_->setMinimumWidth(
        stepLabel_->fontMetrics().horizontalAdvance(QStringLiteral("step 0000000 (000 of 000)  0000-00-00 00:00:00")));
    controls->addWidget(stepLabel_);
    layout->addLayout(controls);
    warning_ = new QLabel(this);
    warning_->setTextFormat(Qt::PlainText);
    warning_->setWordWrap(true);
    warning_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    warning_->setStyleSheet(
        QStringLiteral("QLabel { background: #fff4d6; color: #7a4b00; border: 1px solid #e0c070; padding: 6px; }"));
    warning_->hide();
    layout->addWidget(warning_);
    auto* panes = new QHBoxLayout;
    for (int k = 0; k < 2; ++k) {
        auto* pane = new ImagePane(this);
        panes->addWidget(pane);
        panes_.push_back(pane);
    }
    layout->addLayout(panes, 1);

    connect(tagCombo_, &QComboBox::currentTextChanged, this, [this] { fillSteps(currentStep(), false); });
    connect(slider_, &QSlider::valueChanged, this, [this] { showStep(); });
    connect(&reader_, &QFutureWatcher<ReadResult>::finished, this, &RunImagesView::readFinished);
    setRuns({});
}

RunImagesView::~RunImagesView() { reader_.waitForFinished(); }

void RunImagesView::setRuns(const QString& runA, const QString& runB) {
    ++generation_;  // a read in flight is for the previous runs
    runs_.clear();
    for (const QString& dir : {runA, runB})
        if (!dir.isEmpty()) runs_.push_back({dir, QFileInfo(dir).fileName(), {}, {}});
    if (runs_.size() == 2 && runs_[0].name == runs_[1].name) runs_[1].name += QStringLiteral(" [2]");
    panes_[1]->setVisible(runs_.size() == 2);
    warnings_.clear();
    warning_->hide();
    fillTags();
    fillSteps(-1, true);
    followAfterRead_ = true;
    keepAfterRead_ = -1;
    startRead();
}

void RunImagesView::reload() {
    followAfterRead_ = !steps_.isEmpty() && slider_->value() == slider_->maximum();
    keepAfterRead_ = currentStep();
    startRead();
}

void RunImagesView::startRead() {
    if (busy_) {
        again_ = true;
        return;
    }
    busy_ = true;
    std::vector<RunCursor> cursors;
    for (const Run& run : runs_) cursors.push_back({run.dir, run.name, run.files});
    const int generation = generation_;
    reader_.setFuture(QtConcurrent::run([cursors, generation]() {
        ReadResult r;
        r.generation = generation;
        for (const RunCursor& c : cursors) r.runs.push_back(readNew(c));
        return r;
    }));
}

void RunImagesView::readFinished() {
    busy_ = false;
    const ReadResult r = reader_.result();
    if (r.generation == generation_ && r.runs.size() == static_cast<std::size_t>(runs_.size())) {
        warnings_.clear();
        for (int k = 0; k < runs_.size(); ++k) {
            Run& run = runs_[k];
            const RunDelta& d = r.runs[static_cast<std::size_t>(k)];
            if (d.restarted) run.images.clear();
            run.files = d.files;
            for (const NewImage& image : d.images) {
                QMap<qint64, Entry>& series = run.images[image.tag];
                const auto it = series.constFind(image.step);
                // A step logged twice (a resumed run) shows the later picture.
                if (it != series.constEnd() && it->wallTime > image.entry.wallTime) continue;
                series.insert(image.step, image.entry);
            }
            warnings_ << d.warnings;
        }
        warning_->setText(warnings_.join(QLatin1Char('\n')));
        warning_->setVisible(!warnings_.isEmpty());
        fillTags();
        fillSteps(keepAfterRead_, followAfterRead_);
        emit loaded();
    }
    if (again_) {
        again_ = false;
        startRead();
    }
}

RunImagesView::RunDelta RunImagesView::readNew(const RunCursor& c) {
    RunDelta d;
    d.files = c.files;
    const QDir dir(c.dir);
    if (!dir.exists()) {
        d.warnings << tr("%1: no such folder").arg(QDir::toNativeSeparators(c.dir));
        return d;
    }
    const QStringList files =
        dir.entryList({QStringLiteral("events.out.tfevents.*")}, QDir::Files | QDir::Readable, QDir::Name);
    for (const QString& fileName : files) {
        const QString path = dir.filePath(fileName);
        const QString shownName = c.name + QLatin1Char('/') + fileName;
        FileCursor& cursor = d.files[path];
        const qint64 size = QFileInfo(path).size();
        if (size < cursor.offset) {
            // Rewritten shorter: everything of this run is read again.
            d.restarted = true;
            for (FileCursor& f : d.files) f = FileCursor{};
            RunCursor again{c.dir, c.name, {}};
            RunDelta fresh = readNew(again);
            fresh.restarted = true;
            return fresh;
        }
        if (!cursor.error.isEmpty()) {
            d.warnings << cursor.error;  // a corrupt record ends what is read of a file
            continue;
        }
        io::TbReadOptions options;
        options.allowTruncatedTail = true;
        options.stopAtCorruption = true;
        options.startOffset = static_cast<std::uint64_t>(cursor.offset);
        io::TbEventFile events;
        try {
            events = io::readTensorBoardFile(QFile::encodeName(path).toStdString(), options);
        } catch (const std::exception& e) {
            d.warnings << tr("%1: %2").arg(shownName, QString::fromLocal8Bit(e.what()));
            continue;
        }
        cursor.offset = static_cast<qint64>(events.completeBytes);
        cursor.images += static_cast<int>(events.images.size());
        for (io::TbImage& image : events.images)
            d.images.push_back({QString::fromStdString(image.tag), image.step,
                                Entry{path, image.wallTime,
                                      QByteArray(reinterpret_cast<const char*>(image.encoded.data()),
                                                 static_cast<qsizetype>(image.encoded.size()))}});
        if (!events.error.empty()) {
            QString why = QString::fromLocal8Bit(events.error.c_str());
            if (why.startsWith(path + QStringLiteral(": "))) why.remove(0, path.size() + 2);
            cursor.error = tr("%1: unreadable from %2; showing the %3 images before it")
                               .arg(shownName, why)
                               .arg(cursor.images);
            d.warnings << cursor.error;
        } else if (cursor.offset < size) {
            d.warnings << tr("%1: the last %2 bytes are not a complete record (the run may be writing it, or the "
                             "file was cut short); showing the images before them")
                              .arg(shownName)
                              .arg(size - cursor.offset);
        }
    }
    if (files.isEmpty()) d.warnings << tr("%1: no event files (events.out.tfevents.*)").arg(c.name);
    return d;
}

QStringList RunImagesView::tags() const {
    QStringList out;
    for (const Run& run : runs_)
        for (auto it = run.images.keyBegin(); it != run.images.keyEnd(); ++it)
            if (!out.contains(*it)) out << *it;
    out.sort();
    return out;
}

QString RunImagesView::currentTag() const { return tagCombo_->currentText(); }

bool RunImagesView::setCurrentTag(const QString& tag) {
    const int index = tagCombo_->findText(tag);
    if (index < 0) return false;
    tagCombo_->setCurrentIndex(index);
    return true;
}

void RunImagesView::fillTags() {
    const QString keep = currentTag();
    const QStringList all = tags();
    const QSignalBlocker block(tagCombo_);
    tagCombo_->clear();
    tagCombo_->addItems(all);
    int index = tagCombo_->findText(keep);
    if (index < 0) index = tagCombo_->findText(kPreferredTag);
    tagCombo_->setCurrentIndex(index < 0 ? (all.isEmpty() ? -1 : 0) : index);
}

void RunImagesView::fillSteps(qint64 keep, bool followLast) {
    steps_.clear();
    const QString tag = currentTag();
    for (const Run& run : runs_) {
        const auto series = run.images.constFind(tag);
        if (series == run.images.constEnd()) continue;
        for (auto it = series->keyBegin(); it != series->keyEnd(); ++it) steps_.push_back(*it);
    }
    std::sort(steps_.begin(), steps_.end());
    steps_.erase(std::unique(steps_.begin(), steps_.end()), steps_.end());
    {
        const QSignalBlocker block(slider_);
        slider_->setRange(0, std::max<int>(0, static_cast<int>(steps_.size()) - 1));
        slider_->setEnabled(steps_.size() > 1);
    }
    if (steps_.isEmpty() || followLast || keep < 0) {
        const QSignalBlocker block(slider_);
        slider_->setValue(followLast ? slider_->maximum() : 0);
    } else {
        const QSignalBlocker block(slider_);
        const auto it = std::upper_bound(steps_.begin(), steps_.end(), keep);
        slider_->setValue(it == steps_.begin() ? 0 : static_cast<int>(it - steps_.begin()) - 1);
    }
    showStep();
}

qint64 RunImagesView::currentStep() const {
    const int i = slider_->value();
    return i >= 0 && i < steps_.size() ? steps_[i] : -1;
}

void RunImagesView::setCurrentStep(qint64 step) {
    if (steps_.isEmpty()) return;
    const auto it = std::upper_bound(steps_.begin(), steps_.end(), step);
    slider_->setValue(it == steps_.begin() ? 0 : static_cast<int>(it - steps_.begin()) - 1);
}

const RunImagesView::Entry* RunImagesView::entryAt(int k, qint64 step, qint64* at) const {
    *at = -1;
    if (k >= runs_.size() || step < 0) return nullptr;
    const auto series = runs_[k].images.constFind(currentTag());
    if (series == runs_[k].images.constEnd()) return nullptr;
    auto it = series->upperBound(step);
    if (it == series->constBegin()) return nullptr;
    --it;
    *at = it.key();
    return &it.value();
}

QImage RunImagesView::decode(const Entry& e, const QString& tag, qint64 step) const {
    const QString key = e.file + QLatin1Char('\n') + tag + QLatin1Char('\n') + QString::number(step);
    if (const QImage* hit = cache_.object(key)) return *hit;
    QImage image = QImage::fromData(e.encoded, "PNG");
    ++decoded_;
    if (!image.isNull())
        cache_.insert(key, new QImage(image), std::max<int>(1, static_cast<int>(image.sizeInBytes() / 1024)));
    return image;
}

qint64 RunImagesView::shownStep(int run) const {
    qint64 at;
    entryAt(run, currentStep(), &at);
    return at;
}

QImage RunImagesView::shownImage(int run) const {
    qint64 at;
    const Entry* e = entryAt(run, currentStep(), &at);
    return e ? decode(*e, currentTag(), at) : QImage();
}

QString RunImagesView::warningText() const { return warning_->text(); }

QString RunImagesView::stepText() const { return stepLabel_->text(); }

QWidget* RunImagesView::imagePane(int run) const { return run >= 0 && run < panes_.size() ? panes_[run] : nullptr; }

void RunImagesView::showStep() {
    const qint64 step = currentStep();
    if (step < 0) {
        stepLabel_->setText(runs_.isEmpty() ? QString() : tr("no images"));
    } else {
        // The wall time of the first run that logged this very step.
        QString when;
        for (int k = 0; k < runs_.size() && when.isEmpty(); ++k) {
            qint64 at;
            const Entry* e = entryAt(k, step, &at);
            if (e && at == step) when = wallTimeText(e->wallTime);
        }
        stepLabel_->setText(
            tr("step %1 (%2 of %3)  %4").arg(step).arg(slider_->value() + 1).arg(steps_.size()).arg(when));
    }
    for (int k = 0; k < panes_.size(); ++k) {
        auto* pane = static_cast<ImagePane*>(panes_[k]);
        if (k >= runs_.size()) {
            pane->setContent({}, {}, runs_.isEmpty() ? tr("No run chosen") : QString());
            continue;
        }
        const Run& run = runs_[k];
        qint64 at;
        const Entry* e = entryAt(k, step, &at);
        if (!e) {
            const QString why = run.images.isEmpty() ? tr("No images in the event files of %1").arg(run.name)
                                : !run.images.contains(currentTag())
                                    ? tr("%1 has no images tagged %2").arg(run.name, currentTag())
                                    : tr("No image at or before step %1").arg(step);
            pane->setContent(run.name, {}, why);
            continue;
        }
        const QImage image = decode(*e, currentTag(), at);
        const QString caption = tr("%1 \u2014 step %2, %3").arg(run.name).arg(at).arg(wallTimeText(e->wallTime));
        pane->setContent(caption, image,
                         image.isNull() ? tr("The picture at step %1 does not decode").arg(at) : QString());
    }
    emit stepShown(step);
}

}  // namespace synthforge::widgets
