#pragma once
// Autosave of the label editor to a recovery file (labelmap/recovery.h), and
// the restore side of it. After each change the idle timer restarts; when it
// fires (a few seconds without changes) the map is snapshot on the GUI thread
// (canvas.toMat(), ~1 ms at 1024²) and encoded and written on a worker, so
// painting never waits for PNG compression. The write is atomic, so a crash
// or kill at any moment leaves a complete old or new recovery file.
//
// At start (or when a map is opened) the dock asks available(): a recovery
// file newer than the saved map means the last session ended without saving
// its edits; restore() loads it into the document. Saving or declining
// discards it.

#include <cstdint>
#include <optional>

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

#include "core/labelmap/recovery.h"

namespace synthforge::widgets {

class LabelEditDocument;

class LabelAutosave : public QObject {
    Q_OBJECT
public:
    static constexpr int kDefaultIdleMs = 3000;

    explicit LabelAutosave(LabelEditDocument* doc, QObject* parent = nullptr);
    ~LabelAutosave() override;

    /// Where recovery goes; autosave is off while it is empty.
    void setRecoveryPath(const QString& path);
    QString recoveryPath() const { return path_; }
    /// The map file the edits belong to (stored in the recovery file; a
    /// recovery newer than it is offered).
    void setDocumentPath(const QString& path) { document_ = path; }
    void setIdleMs(int ms) { idle_.setInterval(ms); }
    int idleMs() const { return idle_.interval(); }

    /// A recovery file newer than the saved map exists.
    bool available() const;
    /// Loads the recovery file into the document (one reset, undo history
    /// cleared). Returns false and sets `error` for an unreadable file; the
    /// map is then kept.
    bool restore(QString* error);
    /// Removes the recovery file (after a save or a declined restore).
    void discard();
    /// Writes now (synchronously), e.g. before quitting; false on failure.
    bool writeNow(QString* error = nullptr);
    /// Autosaves written so far.
    std::uint64_t sequence() const { return sequence_; }

signals:
    void written(const QString& path);
    void failed(const QString& message);

private:
    void changed();
    void fire();
    void finished();

    LabelEditDocument* doc_;
    QString path_, document_;
    QTimer idle_;
    QFutureWatcher<QString> watcher_;  ///< the worker's error text ("" = written)
    std::uint64_t sequence_ = 0;
    quint64 writtenRevision_ = 0;
    bool again_ = false;  ///< a change arrived while writing
};

}  // namespace synthforge::widgets
