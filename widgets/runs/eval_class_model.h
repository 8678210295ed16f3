#pragma once
// The per-class segmentation scores of one or two eval results as a table
// model for the evaluation view. Rows are classes, matched between the two
// results by name (a Stage II or zero-shot result names the benchmark's
// classes, which may sit at other ids than ours). With one result the
// columns are id, class, F1, IoU, precision, recall and ground-truth
// pixels; with two they are id, class, then F1 and IoU of each and their
// difference (second minus first).
//
// DisplayRole is formatted text ("-" for a class a result does not score);
// kSortRole is the number itself (an invalid QVariant when not scored) so
// that EvalClassSortProxy sorts numerically, unscored cells last.

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QString>
#include <QVector>

#include "core/train/evaluator.h"

namespace synthforge::widgets {

class EvalClassModel : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr int kSortRole = Qt::UserRole + 1;

    enum class Column { Id, Class, F1A, F1B, F1Delta, IoUA, IoUB, IoUDelta, PrecisionA, RecallA, GtPixelsA };

    explicit EvalClassModel(QObject* parent = nullptr);

    /// `b` may be null (one result). The model copies what it shows.
    void setResults(const QString& nameA, const train::EvalResult* a, const QString& nameB, const train::EvalResult* b);
    void clear();

    bool comparing() const { return compare_; }
    /// The model column showing `c`, or -1 when it is not shown in this mode.
    int columnOf(Column c) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Scores {
        bool present = false;  ///< the result has this class
        double f1 = 0, iou = 0, precision = 0, recall = 0;
        quint64 gtPixels = 0;
    };
    struct Row {
        int id = 0;
        QString name;
        Scores s[2];
    };
    /// The number behind a cell (NaN when there is none).
    double number(const Row& row, Column c) const;

    QVector<Column> columns_;
    QVector<Row> rows_;
    QString names_[2];
    bool compare_ = false;
};

/// Sorts EvalClassModel by kSortRole with unscored cells last in either
/// order (QSortFilterProxyModel alone puts invalid values first when
/// descending, burying the classes that matter under the ones not scored).
class EvalClassSortProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit EvalClassSortProxy(QObject* parent = nullptr);

protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;
};

}  // namespace synthforge::widgets
