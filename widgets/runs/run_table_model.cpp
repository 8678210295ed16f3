#include "widgets/runs/run_table_model.h"

#include <cmath>
#include <unordered_map>

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include "core/jobs/terminal_progress.h"

namespace synthforge::widgets {

namespace {

double metric(const jobs::RunState& s, const char* key) {
    auto it = s.lastMetrics.find(key);
    return it == s.lastMetrics.end() ? std::nan("") : it->second;
}

QVariant metricText(double v) {
    if (!std::isfinite(v)) return {};
    return QString::number(v, 'g', 4);
}

/// NaN compares false both ways, which breaks a sort; no value sorts first instead.
QVariant sortable(double v) {
    return std::isfinite(v) ? QVariant(v) : QVariant();
}

QColor statusColour(jobs::RunStatus s) {
    switch (s) {
        case jobs::RunStatus::Running: return QColor(25, 118, 210);
        case jobs::RunStatus::Finished: return QColor(46, 125, 50);
        case jobs::RunStatus::Stopped: return QColor(158, 105, 0);
        case jobs::RunStatus::Failed: return QColor(198, 40, 40);
        case jobs::RunStatus::Stale: return QColor(117, 117, 117);
    }
    return {};
}

}  // namespace

QString runProgressText(const jobs::RunState& s) {
    if (s.status != jobs::RunStatus::Running || !s.heartbeat) return {};
    const jobs::Heartbeat& h = *s.heartbeat;
    QString text = QString::fromStdString(h.stage) + " ";
    if (h.total > 0)
        text += QString::number(static_cast<int>(std::floor(100.0 * static_cast<double>(h.done) / static_cast<double>(h.total)))) + "%";
    else
        text += QString::number(h.done);
    if (h.eta >= 0) text += QString::fromUtf8(" · ETA ") + QString::fromStdString(jobs::formatDuration(h.eta));
    return text;
}

RunTableModel::RunTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void RunTableModel::setRuns(const std::vector<jobs::RunState>& runs) {
    std::unordered_map<std::string, std::size_t> incoming;
    for (std::size_t i = 0; i < runs.size(); ++i) incoming[runs[i].dir] = i;
    // Remove vanished rows from the bottom up so indices stay valid.
    for (int row = static_cast<int>(runs_.size()) - 1; row >= 0; --row) {
        if (incoming.count(runs_[static_cast<std::size_t>(row)].dir)) continue;
        beginRemoveRows({}, row, row);
        runs_.erase(runs_.begin() + row);
        endRemoveRows();
    }
    std::unordered_map<std::string, std::size_t> present;
    for (std::size_t i = 0; i < runs_.size(); ++i) present[runs_[i].dir] = i;
    for (const jobs::RunState& s : runs) {
        auto it = present.find(s.dir);
        if (it != present.end()) {
            runs_[it->second] = s;
            const int row = static_cast<int>(it->second);
            emit dataChanged(index(row, 0), index(row, columnCount() - 1));
        } else {
            const int row = static_cast<int>(runs_.size());
            beginInsertRows({}, row, row);
            runs_.push_back(s);
            endInsertRows();
        }
    }
}

const jobs::RunState* RunTableModel::runAt(const QString& dir) const {
    const std::string d = dir.toStdString();
    for (const jobs::RunState& s : runs_)
        if (s.dir == d) return &s;
    return nullptr;
}

void RunTableModel::setConfigColumns(const QStringList& keys) {
    beginResetModel();
    configColumns_ = keys;
    endResetModel();
}

int RunTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(runs_.size());
}

int RunTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : FixedColumns + static_cast<int>(configColumns_.size());
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    static const char* names[FixedColumns] = {"Name", "Kind", "Status", "Progress", "Step",
                                              "Loss", "Val NME", "Val mIoU", "Started", "Duration"};
    if (section < FixedColumns) return tr(names[section]);
    const int c = section - FixedColumns;
    return c < configColumns_.size() ? configColumns_[c] : QVariant();
}

QVariant RunTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const jobs::RunState& s = runs_[static_cast<std::size_t>(index.row())];
    switch (role) {
        case Qt::DisplayRole: return display(s, index.column());
        case Qt::UserRole: return sortValue(s, index.column());
        case Qt::UserRole + 1: return QString::fromStdString(s.dir);
        case Qt::ForegroundRole:
            if (index.column() == Status) return QBrush(statusColour(s.status));
            return {};
        case Qt::ToolTipRole: {
            QStringList lines;
            for (const std::string& w : s.warnings) lines << QString::fromStdString(w);
            if (index.column() == Status)
                for (const std::string& l : s.stderrTail) lines << QString::fromStdString(l);
            return lines.isEmpty() ? QVariant() : QVariant(lines.join('\n'));
        }
        default: return {};
    }
}

QVariant RunTableModel::display(const jobs::RunState& s, int column) const {
    switch (column) {
        case Name: return QString::fromStdString(s.name) + (s.warnings.empty() ? QString() : QStringLiteral(" ⚠"));
        case Kind: return QString::fromStdString(s.kind);
        case Status: return QString::fromLatin1(jobs::runStatusName(s.status));
        case Progress: return runProgressText(s);
        case Step: return s.lastStep >= 0 ? QVariant(static_cast<qlonglong>(s.lastStep)) : QVariant();
        case Loss: return metricText(metric(s, "total"));
        case ValNme: return metricText(metric(s, "val_nme"));
        case ValMiou: return metricText(metric(s, "val_miou"));
        case Started:
            if (!s.record) return {};
            return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(s.record->startTime * 1000.0))
                .toString(QStringLiteral("yyyy-MM-dd HH:mm"));
        case Duration: return s.duration >= 0 ? QString::fromStdString(jobs::formatDuration(s.duration)) : QString();
        default: {
            const int c = column - FixedColumns;
            if (c >= configColumns_.size()) return {};
            auto it = s.config.find(configColumns_[c].toStdString());
            return it == s.config.end() ? QVariant() : QVariant(QString::fromStdString(it->second));
        }
    }
}

QVariant RunTableModel::sortValue(const jobs::RunState& s, int column) const {
    switch (column) {
        case Status: return static_cast<int>(s.status);
        case Progress:
            return s.heartbeat && s.heartbeat->total > 0
                       ? static_cast<double>(s.heartbeat->done) / static_cast<double>(s.heartbeat->total)
                       : -1.0;
        case Step: return static_cast<double>(s.lastStep);
        case Loss: return sortable(metric(s, "total"));
        case ValNme: return sortable(metric(s, "val_nme"));
        case ValMiou: return sortable(metric(s, "val_miou"));
        case Started: return s.record ? s.record->startTime : 0.0;
        case Duration: return s.duration;
        default: {
            const QVariant d = display(s, column);
            bool ok = false;
            const double v = d.toString().toDouble(&ok);
            return ok ? QVariant(v) : d;
        }
    }
}

}  // namespace synthforge::widgets
