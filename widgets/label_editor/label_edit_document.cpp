#include "widgets/label_editor/label_edit_document.h"

#include <algorithm>
#include <stdexcept>

#include <QUndoStack>

#include "core/labelmap/brush.h"
#include "core/labelmap/label_file.h"
#include "widgets/label_editor/label_edit_commands.h"

namespace synthforge::widgets {

LabelEditDocument::LabelEditDocument(QObject* parent) : QObject(parent), undo_(new QUndoStack(this)) {}

void LabelEditDocument::reset(labelmap::LabelCanvas canvas, annotate::ClassTable classes) {
    emit aboutToReset();
    undo_->clear();
    canvas_ = std::move(canvas);
    classes_ = std::move(classes);
    fixOrder();
    image_ = canvas_.empty() ? QImage() : QImage(canvas_.size(), canvas_.size(), QImage::Format_RGB32);
    repaint(canvas_.bounds());
    ++revision_;
    emit documentReset();
}

void LabelEditDocument::fixOrder() {
    // Keep the user's order for ids that still exist, append new ones by id.
    std::vector<int> order;
    for (int id : order_)
        if (classes_.findById(id) && std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
    for (const annotate::ClassEntry& c : classes_.entries())
        if (std::find(order.begin(), order.end(), c.id) == order.end()) order.push_back(c.id);
    order_ = std::move(order);
}

void LabelEditDocument::pushStroke(labelmap::StrokeRecord record, const QString& text) {
    if (record.empty()) return;
    const labelmap::TexelRect dirty = record.dirty();
    undo_->push(new LabelStrokeCommand(this, std::move(record), text));
    refresh(dirty);
}

bool LabelEditDocument::editClasses(annotate::ClassTable table, std::vector<int> order, const QString& text,
                                    QString* error) {
    try {
        if (!canvas_.empty()) labelmap::checkIdsInTable(canvas_.toMat(), table, "class table");
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
    undo_->push(new LabelClassesCommand(this, classes_, order_, std::move(table), std::move(order), text));
    return true;
}

void LabelEditDocument::applyUndo(const labelmap::StrokeRecord& record) { refresh(canvas_.undo(record)); }
void LabelEditDocument::applyRedo(const labelmap::StrokeRecord& record) { refresh(canvas_.redo(record)); }

void LabelEditDocument::restoreClasses(const annotate::ClassTable& table, const std::vector<int>& order) {
    classes_ = table;
    order_ = order;
    fixOrder();
    repaint(canvas_.bounds());
    ++revision_;
    emit classesChanged();  // ids did not change: no mapChanged
}

void LabelEditDocument::refresh(const labelmap::TexelRect& rect) {
    if (rect.empty()) return;
    repaint(rect);
    ++revision_;
    emit mapChanged(toQRect(rect));
}

void LabelEditDocument::refreshPreview(const labelmap::TexelRect& rect) {
    if (rect.empty()) return;
    repaint(rect);
    emit previewChanged(toQRect(rect));
}

void LabelEditDocument::setBrushSize(int diameter) {
    diameter = std::clamp(diameter, labelmap::kMinBrushDiameter, labelmap::kMaxBrushDiameter);
    if (diameter == brushSize_) return;
    brushSize_ = diameter;
    emit brushSizeChanged(diameter);
}

void LabelEditDocument::setMirrorEnabled(bool on) {
    if (on == mirrorOn_) return;
    mirrorOn_ = on;
    emit mirrorEnabledChanged(on);
}

void LabelEditDocument::setBrushClass(int id) {
    if (id == brushClass_) return;
    brushClass_ = id;
    emit brushClassChanged(id);
}

void LabelEditDocument::repaint(const labelmap::TexelRect& r) {
    if (image_.isNull() || r.empty()) return;
    const auto colors = classes_.colorMap();
    QRgb lut[256];
    for (int i = 0; i < 256; ++i) lut[i] = qRgb(colors[i][0], colors[i][1], colors[i][2]);
    const int x0 = std::max(0, r.x), y0 = std::max(0, r.y);
    const int x1 = std::min(canvas_.size(), r.x + r.width), y1 = std::min(canvas_.size(), r.y + r.height);
    for (int y = y0; y < y1; ++y) {
        auto* row = reinterpret_cast<QRgb*>(image_.scanLine(y));
        for (int x = x0; x < x1; ++x) row[x] = lut[canvas_.get(x, y)];
    }
}

}  // namespace synthforge::widgets
