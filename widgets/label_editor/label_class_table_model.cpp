#include "widgets/label_editor/label_class_table_model.h"

#include <algorithm>

#include <QColor>

#include "widgets/label_editor/label_edit_document.h"

namespace synthforge::widgets {

LabelClassTableModel::LabelClassTableModel(LabelEditDocument* doc, QObject* parent)
    : QAbstractTableModel(parent), doc_(doc) {
    // Any class change may add, drop or move rows: reset rather than diff.
    const auto reset = [this] {
        beginResetModel();
        endResetModel();
    };
    connect(doc_, &LabelEditDocument::classesChanged, this, reset);
    connect(doc_, &LabelEditDocument::documentReset, this, reset);
}

int LabelClassTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(doc_->order().size());
}

int LabelClassTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

int LabelClassTableModel::idAt(int row) const {
    const auto& order = doc_->order();
    return row >= 0 && row < static_cast<int>(order.size()) ? order[static_cast<std::size_t>(row)] : -1;
}

int LabelClassTableModel::rowOf(int id) const {
    const auto& order = doc_->order();
    const auto it = std::find(order.begin(), order.end(), id);
    return it == order.end() ? -1 : static_cast<int>(it - order.begin());
}

QVariant LabelClassTableModel::data(const QModelIndex& index, int role) const {
    const int id = idAt(index.row());
    const annotate::ClassEntry* c = doc_->classes().findById(id);
    if (!c) return {};
    switch (index.column()) {
    case Key:
        if (role == Qt::DisplayRole && index.row() < 10) return QString::number((index.row() + 1) % 10);
        break;
    case Name:
        if (role == Qt::DisplayRole || role == Qt::EditRole) return QString::fromStdString(c->name);
        if (role == Qt::DecorationRole) return QColor(c->color[0], c->color[1], c->color[2]);
        if (role == Qt::ToolTipRole)
            return tr("rgb(%1, %2, %3); double-click to rename").arg(c->color[0]).arg(c->color[1]).arg(c->color[2]);
        break;
    case Id:
        if (role == Qt::DisplayRole) return c->id;
        break;
    case Flip:
        if (role == Qt::DisplayRole && c->flip != c->id) {
            const annotate::ClassEntry* f = doc_->classes().findById(c->flip);
            return f ? QString::fromStdString(f->name) : QString::number(c->flip);
        }
        break;
    default: break;
    }
    return {};
}

QVariant LabelClassTableModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case Key: return tr("Key");
    case Name: return tr("Class");
    case Id: return tr("Id");
    case Flip: return tr("Flip");
    default: return {};
    }
}

Qt::ItemFlags LabelClassTableModel::flags(const QModelIndex& index) const {
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.column() == Name) f |= Qt::ItemIsEditable;
    return f;
}

bool LabelClassTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role != Qt::EditRole || index.column() != Name) return false;
    const int id = idAt(index.row());
    if (id < 0) return false;
    emit renameRequested(id, value.toString());
    return true;
}

}  // namespace synthforge::widgets
