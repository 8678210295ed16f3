#pragma once
// The label editor's files, on top of labelmap/label_file.h and
// color_import.h: save/load the map (8-bit class-id PNG) with its class table
// (JSON beside it: "<name>.classes.json"), import a colour-coded map, export a
// colour preview. A failure never touches the map being edited: the engine
// returns a new canvas only when every check passed, and it is swapped in
// only then. Failures are reported through `error` (the dock shows a message
// box and writes stderr).

#include <functional>

#include <QObject>
#include <QString>

#include "core/labelmap/color_import.h"

namespace synthforge::widgets {

class LabelEditDocument;

class LabelFileActions : public QObject {
    Q_OBJECT
public:
    explicit LabelFileActions(LabelEditDocument* doc, QObject* parent = nullptr);

    /// "<dir>/<stem>.classes.json" for "<dir>/<stem>.png".
    static QString tablePathFor(const QString& pngPath);

    /// The map file last loaded or saved ("" for an unsaved map).
    QString documentPath() const { return path_; }
    void setDocumentPath(const QString& path) { path_ = path; }
    /// Whether the map changed since the last save/load.
    bool modified() const;
    void markSaved();

    /// Loads map and table; the map must match the current map's size when
    /// there is one (the head's UV atlas resolution).
    bool load(const QString& pngPath);
    bool save(const QString& pngPath);
    bool exportPreview(const QString& pngPath);
    /// Imports a colour-coded map of the current size as one undo step. When
    /// pixels match no class, `resolve` is asked (the dialog in the studio,
    /// a function in tests); it assigns them through labelmap::assignUnmatched
    /// and returns false to cancel. Still-unmatched pixels refuse the import.
    using Resolver = std::function<bool(labelmap::ColorImport&)>;
    bool importColorMap(const QString& path, const Resolver& resolve);

signals:
    void error(const QString& title, const QString& message);
    /// A map was loaded or saved (the autosave then drops its recovery file).
    void documentSaved(const QString& pngPath);
    void documentLoaded(const QString& pngPath);

private:
    LabelEditDocument* doc_;
    QString path_;
    quint64 savedRevision_ = 0;
};

}  // namespace synthforge::widgets
