#include "widgets/runs/eval_class_model.h"

#include <QBrush>
#include <QColor>

#include <cmath>
#include <limits>

namespace synthforge::widgets {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QString score(double v) { return std::isfinite(v) ? QString::number(v, 'f', 4) : QStringLiteral("-"); }

QString delta(double v) {
    if (!std::isfinite(v)) return QStringLiteral("-");
    return (v > 0 ? QStringLiteral("+") : QString()) + QString::number(v, 'f', 4);
}

bool isDelta(EvalClassModel::Column c) {
    return c == EvalClassModel::Column::F1Delta || c == EvalClassModel::Column::IoUDelta;
}

}  // namespace

EvalClassModel::EvalClassModel(QObject* parent) : QAbstractTableModel(parent) {}

void EvalClassModel::clear() { setResults({}, nullptr, {}, nullptr); }

void EvalClassModel::setResults(const QString& nameA, const train::EvalResult* a, const QString& nameB,
                                const train::EvalResult* b) {
    beginResetModel();
    rows_.clear();
    names_[0] = nameA;
    names_[1] = nameB;
    compare_ = a && b;
    using C = Column;
    columns_ = compare_ ? QVector<Column>{C::Id, C::Class, C::F1A, C::F1B, C::F1Delta, C::IoUA, C::IoUB, C::IoUDelta}
                        : QVector<Column>{C::Id, C::Class, C::F1A, C::IoUA, C::PrecisionA, C::RecallA, C::GtPixelsA};
    const train::EvalResult* results[2] = {a, b};
    if (!a && b) {  // one result given as the second: show it as the only one
        results[0] = b;
        results[1] = nullptr;
        names_[0] = nameB;
    }
    for (int k = 0; k < 2; ++k) {
        if (!results[k]) continue;
        for (const train::ClassEval& c : results[k]->classes) {
            const QString name = QString::fromStdString(c.name);
            int at = -1;
            for (int r = 0; r < rows_.size() && at < 0; ++r)
                if (rows_[r].name == name) at = r;
            if (at < 0) {
                rows_.push_back(Row{c.id, name, {}});
                at = rows_.size() - 1;
            }
            rows_[at].s[k] = Scores{true, c.f1, c.iou, c.precision, c.recall, c.gtPixels};
        }
    }
    endResetModel();
}

int EvalClassModel::columnOf(Column c) const { return static_cast<int>(columns_.indexOf(c)); }

int EvalClassModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_.size(); }

int EvalClassModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : columns_.size(); }

double EvalClassModel::number(const Row& row, Column c) const {
    auto get = [&](int k, double Scores::*field) { return row.s[k].present ? row.s[k].*field : kNaN; };
    switch (c) {
        case Column::F1A: return get(0, &Scores::f1);
        case Column::F1B: return get(1, &Scores::f1);
        case Column::F1Delta: return get(1, &Scores::f1) - get(0, &Scores::f1);
        case Column::IoUA: return get(0, &Scores::iou);
        case Column::IoUB: return get(1, &Scores::iou);
        case Column::IoUDelta: return get(1, &Scores::iou) - get(0, &Scores::iou);
        case Column::PrecisionA: return get(0, &Scores::precision);
        case Column::RecallA: return get(0, &Scores::recall);
        case Column::GtPixelsA: return row.s[0].present ? static_cast<double>(row.s[0].gtPixels) : kNaN;
        default: return kNaN;
    }
}

QVariant EvalClassModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rows_.size() || index.column() >= columns_.size()) return {};
    const Row& row = rows_[index.row()];
    const Column c = columns_[index.column()];
    if (c == Column::Id) {
        if (role == Qt::DisplayRole || role == kSortRole) return row.id;
        if (role == Qt::TextAlignmentRole) return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    if (c == Column::Class) return role == Qt::DisplayRole || role == kSortRole ? QVariant(row.name) : QVariant();
    const double v = number(row, c);
    switch (role) {
        case Qt::DisplayRole:
            if (c == Column::GtPixelsA)
                return std::isfinite(v) ? QString::number(row.s[0].gtPixels) : QStringLiteral("-");
            return isDelta(c) ? delta(v) : score(v);
        case kSortRole: return std::isfinite(v) ? QVariant(v) : QVariant();
        case Qt::TextAlignmentRole: return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        case Qt::ForegroundRole:
            // Higher F1 and IoU are better: green when the second result gains.
            if (isDelta(c) && std::isfinite(v) && v != 0.0)
                return QBrush(v > 0 ? QColor(0, 128, 0) : QColor(192, 0, 0));
            return {};
        default: return {};
    }
}

QVariant EvalClassModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= columns_.size()) return {};
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole) return {};
    const QString& a = names_[0];
    const QString& b = names_[1];
    switch (columns_[section]) {
        case Column::Id: return QStringLiteral("id");
        case Column::Class: return QStringLiteral("class");
        case Column::F1A: return compare_ ? QStringLiteral("F1 %1").arg(a) : QStringLiteral("F1");
        case Column::F1B: return QStringLiteral("F1 %1").arg(b);
        case Column::F1Delta:
            return role == Qt::ToolTipRole ? QStringLiteral("F1 of %1 minus F1 of %2").arg(b, a)
                                           : QStringLiteral("\u0394 F1");
        case Column::IoUA: return compare_ ? QStringLiteral("IoU %1").arg(a) : QStringLiteral("IoU");
        case Column::IoUB: return QStringLiteral("IoU %1").arg(b);
        case Column::IoUDelta:
            return role == Qt::ToolTipRole ? QStringLiteral("IoU of %1 minus IoU of %2").arg(b, a)
                                           : QStringLiteral("\u0394 IoU");
        case Column::PrecisionA: return QStringLiteral("precision");
        case Column::RecallA: return QStringLiteral("recall");
        case Column::GtPixelsA: return QStringLiteral("gt pixels");
    }
    return {};
}

EvalClassSortProxy::EvalClassSortProxy(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(EvalClassModel::kSortRole);
}

bool EvalClassSortProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    const QVariant l = left.data(sortRole());
    const QVariant r = right.data(sortRole());
    // The view reverses the comparison when descending; "missing is
    // greatest" ascending and "missing is least" descending keep it last.
    const bool descending = sortOrder() == Qt::DescendingOrder;
    if (!l.isValid() || !r.isValid()) {
        if (l.isValid() == r.isValid()) return false;
        return descending ? !l.isValid() : !r.isValid();
    }
    if (l.typeId() == QMetaType::QString) return QString::compare(l.toString(), r.toString(), Qt::CaseInsensitive) < 0;
    return l.toDouble() < r.toDouble();
}

}  // namespace synthforge::widgets
