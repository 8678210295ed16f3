#pragma once
// The label editor's class list as a Qt model: one row per class in the
// document's display order, with its number key, colour, name, id and flip
// partner. Names are edited in place; the edit is handed to the panel as a
// request (renameRequested) so that it goes through the undo stack and the
// table's validation like every other class edit.

#include <QAbstractTableModel>

namespace synthforge::widgets {

class LabelEditDocument;

class LabelClassTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Key, Name, Id, Flip, ColumnCount };

    explicit LabelClassTableModel(LabelEditDocument* doc, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;

    /// Class id of a row, -1 outside; row of an id, -1 when absent.
    int idAt(int row) const;
    int rowOf(int id) const;

signals:
    void renameRequested(int id, const QString& name);

private:
    LabelEditDocument* doc_;
};

}  // namespace synthforge::widgets
