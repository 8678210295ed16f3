#include "widgets/label_editor/label_autosave.h"

#include <QtConcurrent/QtConcurrentRun>

#include "widgets/label_editor/label_edit_document.h"

namespace synthforge::widgets {

LabelAutosave::LabelAutosave(LabelEditDocument* doc, QObject* parent) : QObject(parent), doc_(doc) {
    idle_.setSingleShot(true);
    idle_.setInterval(kDefaultIdleMs);
    connect(&idle_, &QTimer::timeout, this, &LabelAutosave::fire);
    connect(&watcher_, &QFutureWatcher<QString>::finished, this, &LabelAutosave::finished);
    connect(doc_, &LabelEditDocument::mapChanged, this, &LabelAutosave::changed);
    connect(doc_, &LabelEditDocument::classesChanged, this, &LabelAutosave::changed);
    // A freshly loaded or reset map is what is on disk: nothing to recover yet.
    connect(doc_, &LabelEditDocument::documentReset, this, [this] {
        idle_.stop();
        writtenRevision_ = doc_->revision();
    });
}

LabelAutosave::~LabelAutosave() { watcher_.waitForFinished(); }

void LabelAutosave::setRecoveryPath(const QString& path) {
    path_ = path;
    if (path_.isEmpty()) idle_.stop();
}

void LabelAutosave::changed() {
    if (path_.isEmpty() || doc_->revision() == writtenRevision_) return;
    idle_.start();  // restart: write only once the user pauses
}

void LabelAutosave::fire() {
    if (path_.isEmpty() || doc_->canvas().empty()) return;
    if (watcher_.isRunning()) {
        again_ = true;
        return;
    }
    again_ = false;
    // The snapshot is taken here, on the GUI thread; the worker gets copies only.
    const cv::Mat ids = doc_->canvas().toMat();
    const annotate::ClassTable classes = doc_->classes();
    const std::string path = path_.toStdString(), document = document_.toStdString();
    const std::uint64_t seq = ++sequence_;
    writtenRevision_ = doc_->revision();
    watcher_.setFuture(QtConcurrent::run([ids, classes, path, document, seq]() -> QString {
        try {
            labelmap::writeRecovery(path, ids, classes, document, seq);
        } catch (const std::exception& e) {
            return QString::fromStdString(e.what());
        }
        return {};
    }));
}

void LabelAutosave::finished() {
    const QString err = watcher_.result();
    if (err.isEmpty()) emit written(path_);
    else emit failed(err);
    if (again_ || doc_->revision() != writtenRevision_) idle_.start();
}

bool LabelAutosave::writeNow(QString* error) {
    watcher_.waitForFinished();
    if (path_.isEmpty() || doc_->canvas().empty()) return false;
    try {
        labelmap::writeRecovery(path_.toStdString(), doc_->canvas(), doc_->classes(), document_.toStdString(),
                                ++sequence_);
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
    writtenRevision_ = doc_->revision();
    idle_.stop();
    return true;
}

bool LabelAutosave::available() const {
    if (path_.isEmpty()) return false;
    return labelmap::hasNewerRecovery(path_.toStdString(), document_.toStdString());
}

bool LabelAutosave::restore(QString* error) {
    watcher_.waitForFinished();
    try {
        labelmap::RecoveryState s = labelmap::loadRecovery(path_.toStdString());
        if (!doc_->canvas().empty() && s.canvas.size() != doc_->canvas().size())
            throw std::runtime_error(path_.toStdString() + ": size: " + std::to_string(s.canvas.size()) +
                                     " but the head's label map is " + std::to_string(doc_->canvas().size()));
        doc_->reset(std::move(s.canvas), std::move(s.classes));
        sequence_ = s.sequence;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
    return true;
}

void LabelAutosave::discard() {
    watcher_.waitForFinished();
    idle_.stop();
    if (!path_.isEmpty()) labelmap::discardRecovery(path_.toStdString());
}

}  // namespace synthforge::widgets
