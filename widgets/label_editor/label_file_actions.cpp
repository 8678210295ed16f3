#include "widgets/label_editor/label_file_actions.h"

#include <stdexcept>

#include <QDir>
#include <QFileInfo>
#include <QUndoStack>

#include "core/labelmap/label_file.h"
#include "widgets/label_editor/label_edit_document.h"

namespace synthforge::widgets {

LabelFileActions::LabelFileActions(LabelEditDocument* doc, QObject* parent) : QObject(parent), doc_(doc) {}

QString LabelFileActions::tablePathFor(const QString& pngPath) {
    const QFileInfo fi(pngPath);
    return fi.dir().filePath(fi.completeBaseName() + QStringLiteral(".classes.json"));
}

bool LabelFileActions::modified() const { return doc_->revision() != savedRevision_; }

void LabelFileActions::markSaved() { savedRevision_ = doc_->revision(); }

bool LabelFileActions::load(const QString& pngPath) {
    try {
        const int expected = doc_->canvas().empty() ? 0 : doc_->canvas().size();
        labelmap::LabelMapFiles files = labelmap::loadLabelMapFiles(
            pngPath.toStdString(), tablePathFor(pngPath).toStdString(), expected);
        doc_->reset(std::move(files.canvas), std::move(files.classes));
    } catch (const std::exception& e) {
        emit error(tr("Cannot load the label map"), QString::fromStdString(e.what()));
        return false;
    }
    path_ = pngPath;
    markSaved();
    emit documentLoaded(pngPath);
    return true;
}

bool LabelFileActions::save(const QString& pngPath) {
    try {
        labelmap::saveLabelMapFiles(pngPath.toStdString(), tablePathFor(pngPath).toStdString(), doc_->canvas(),
                                    doc_->classes());
    } catch (const std::exception& e) {
        emit error(tr("Cannot save the label map"), QString::fromStdString(e.what()));
        return false;
    }
    path_ = pngPath;
    markSaved();
    emit documentSaved(pngPath);
    return true;
}

bool LabelFileActions::exportPreview(const QString& pngPath) {
    try {
        labelmap::saveColorPreview(pngPath.toStdString(), doc_->canvas(), doc_->classes());
    } catch (const std::exception& e) {
        emit error(tr("Cannot export the colour preview"), QString::fromStdString(e.what()));
        return false;
    }
    return true;
}

bool LabelFileActions::importColorMap(const QString& path, const Resolver& resolve) {
    try {
        if (doc_->canvas().empty()) throw std::runtime_error("there is no label map to import into");
        labelmap::ColorImport import = labelmap::importColorMapFile(path.toStdString(), doc_->classes());
        if (import.ids.rows != doc_->canvas().size() || import.ids.cols != doc_->canvas().size())
            throw std::runtime_error(path.toStdString() + ": size: " + std::to_string(import.ids.cols) + "x" +
                                     std::to_string(import.ids.rows) + " but the label map is " +
                                     std::to_string(doc_->canvas().size()) + "x" +
                                     std::to_string(doc_->canvas().size()));
        if (import.unmatchedCount > 0) {
            if (!resolve || !resolve(import)) return false;  // cancelled: nothing changes
            if (import.unmatchedCount > 0)
                throw std::runtime_error(path.toStdString() + ": " + std::to_string(import.unmatchedCount) +
                                         " pixels still match no class");
        }
        doc_->pushStroke(labelmap::applyColorImport(doc_->canvas(), import), tr("Import colour map"));
    } catch (const std::exception& e) {
        emit error(tr("Cannot import the colour map"), QString::fromStdString(e.what()));
        return false;
    }
    return true;
}

}  // namespace synthforge::widgets
