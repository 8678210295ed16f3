#pragma once
// The run centre's table: one row per run of the workspace (core's
// jobs::RunState), with name, kind, status, progress and ETA, step, key
// metrics, start time, duration and chosen config.json fields as columns.
// Rows are matched by run folder when new states arrive, so the selection
// and the sort survive every poll.
//
// Sorting: Qt::UserRole holds a sortable value (numbers as doubles, times as
// seconds), which RunTableModel::sortRole() names for a QSortFilterProxyModel.

#include <vector>

#include <QAbstractTableModel>
#include <QStringList>

#include "core/jobs/run_state.h"

namespace synthforge::widgets {

class RunTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Kind, Status, Progress, Step, Loss, ValNme, ValMiou, Started, Duration, FixedColumns };
    static constexpr int sortRole() { return Qt::UserRole; }
    /// The run folder of a row (any column).
    static constexpr int dirRole() { return Qt::UserRole + 1; }

    explicit RunTableModel(QObject* parent = nullptr);

    /// Replaces the rows: rows of runs still present are updated in place,
    /// vanished ones removed, new ones appended.
    void setRuns(const std::vector<jobs::RunState>& runs);
    const std::vector<jobs::RunState>& runs() const { return runs_; }
    /// The state of the run in `dir`; null when it is not in the table.
    const jobs::RunState* runAt(const QString& dir) const;

    /// Dotted config.json keys shown as extra columns ("lr", "schedule.name").
    void setConfigColumns(const QStringList& keys);
    QStringList configColumns() const { return configColumns_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QVariant display(const jobs::RunState& s, int column) const;
    QVariant sortValue(const jobs::RunState& s, int column) const;

    std::vector<jobs::RunState> runs_;
    QStringList configColumns_;
};

/// "45% · ETA 1m12s" for a running job's heartbeat; "" otherwise.
QString runProgressText(const jobs::RunState& s);

}  // namespace synthforge::widgets
