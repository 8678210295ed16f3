#pragma once
// The run centre: every run of a workspace in one sortable, filterable
// table (multi-select), with actions to launch, stop, resume, run again with
// changes, open the folder and delete to the trash, and views of the
// selected runs below it (scalars, images, evaluation, details).
//
// The workspace is a folder of run folders (default ~/SynthForge/runs,
// remembered in QSettings under "runs/workspace"). Everything shown is read
// from the run folders (core/jobs/run_state.h) by a RunMonitor on a worker
// thread, so runs started from a terminal show up too, and a restarted
// studio picks its running jobs up again with no bookkeeping of its own.

#include <functional>
#include <map>
#include <memory>

#include <QFutureWatcher>

#include <QStringList>
#include <QWidget>

#include "widgets/runs/run_launcher.h"

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace synthforge::runs {
class RunScalarSource;
}

namespace synthforge::widgets {
class EvalView;
class PredictionsView;
class VerificationView;
class RunImagesView;
class ScalarChartPanel;
class RunMonitor;
class RunTableModel;

class RunCentre : public QWidget {
    Q_OBJECT
public:
    explicit RunCentre(QWidget* parent = nullptr);
    ~RunCentre() override;

    /// Shows the runs of `dir` and remembers it (QSettings).
    void setWorkspace(const QString& dir);
    QString workspace() const;

    /// The New run dialog for `command` with `options` filled in (for
    /// example "predict" with --images from the dataset browser); launches
    /// what the user accepts.
    void newRunWith(const QString& command, const QStringList& options);

    RunMonitor* monitor() const { return monitor_; }
    RunTableModel* model() const { return model_; }
    QTableView* table() const { return table_; }
    QTabWidget* views() const { return views_; }
    RunImagesView* imagesView() const { return images_; }
    ScalarChartPanel* scalarsView() const { return scalars_; }
    EvalView* evalView() const { return eval_; }
    PredictionsView* predictionsView() const { return predictions_; }
    VerificationView* verificationView() const { return verification_; }

    QAction* stopAction() const { return stop_; }
    QAction* resumeAction() const { return resume_; }
    QAction* rerunAction() const { return rerun_; }
    QAction* openFolderAction() const { return openFolder_; }
    QAction* deleteAction() const { return delete_; }

    /// Starts a job and selects its run once it appears. False (and an error
    /// message in the status line and `error`) when it could not start.
    bool launch(const LaunchRequest& request, QString* error = nullptr);

    /// The run folders selected in the table, in table order.
    QStringList selectedRuns() const;
    /// Selects the run in `dir` (once it is in the table); false when it is not.
    bool selectRun(const QString& dir);

    /// Runs of the workspace running on this machine (for the close prompt).
    QStringList runningHere() const;
    /// Sends SIGINT to every run in `dirs` that runs here; returns how many.
    int stopRuns(const QStringList& dirs);

    /// How "New …" and "Run again with changes" get a command line from the
    /// user: given the command and initial arguments, return the request to
    /// launch (empty arguments = cancelled). Default: the launch dialog
    /// (launch_dialog.h); tests set a function.
    using LaunchPrompt = std::function<LaunchRequest(const QString& command, const QStringList& initial)>;
    void setLaunchPrompt(LaunchPrompt prompt) { prompt_ = std::move(prompt); }
    /// How Delete asks for confirmation (default: a message box); tests answer it.
    void setConfirm(std::function<bool(const QString& question)> confirm) { confirm_ = std::move(confirm); }
    /// The Scalars view's grouping: "" (none), "kind" or a dotted config
    /// key; runs with the same value are drawn as their mean curve.
    QString groupKey() const;
    void setGroupKey(const QString& key);
    /// The warnings shown above the scalar charts ("" when none).
    QString scalarWarnings() const;

    /// Every dotted config.json key of the runs in the table, sorted: what the
    /// header's context menu offers as columns.
    QStringList configKeys() const;
    /// Shows or hides config key `key` as a column (remembered in QSettings).
    void toggleConfigColumn(const QString& key, bool on);

    /// The first "<name>-N" (N = 2, 3, ...) beside `dir` that does not exist:
    /// where "Run again" puts the new run.
    static QString freshSibling(const QString& dir);

    /// A message for the user (errors of actions, launches).
    QString statusText() const;

signals:
    /// The selection changed; views of the selected runs follow it.
    void selectionChanged(const QStringList& dirs);

private:
    void buildActions();
    void updateActions();
    void updateDetails();
    /// Points the views at the selected runs (the first two that have what
    /// each view shows); `live` reloads them for runs still writing.
    void updateViews(bool live);
    /// Follows the selected runs' scalars: new data is read on a worker
    /// thread, incrementally (each source keeps its file offsets), and only
    /// runs whose curves changed are redrawn.
    void updateScalars();
    void scalarsRead();
    /// Draws the selected runs (`changed` ones only, unless grouped or
    /// switching mode) into the Scalars view.
    void redrawScalars(const QStringList& changed);
    void refreshGroupKeys();
    void onRunsChanged();
    void chooseWorkspace();
    void newRun(const QString& command);
    /// The launch dialog for `command`, pre-filled with `initial`; an empty
    /// request when cancelled.
    LaunchRequest promptWithDialog(const QString& command, const QStringList& initial);
    void stopSelected();
    void resumeSelected();
    void rerunSelected();
    void openSelectedFolder();
    void deleteSelected();
    void setStatus(const QString& text, bool error);

    RunMonitor* monitor_;
    RunTableModel* model_;
    QSortFilterProxyModel* proxy_;
    QTableView* table_;
    QTabWidget* views_;
    QPlainTextEdit* details_;
    RunImagesView* images_;
    ScalarChartPanel* scalars_;
    std::map<QString, std::shared_ptr<runs::RunScalarSource>> scalarSources_;
    QFutureWatcher<QStringList> scalarWatcher_;
    bool scalarBusy_ = false;
    bool scalarAgain_ = false;
    EvalView* eval_;
    PredictionsView* predictions_;
    VerificationView* verification_;
    QString shownPredictions_;
    int shownPredictionsStatus_ = -1;
    QStringList shownImages_, shownEvals_, shownFrEvals_;
    qint64 lastLiveReload_ = 0;
    QLabel* workspaceLabel_;
    QLabel* status_;
    QLineEdit* filter_;
    QAction* stop_ = nullptr;
    QAction* resume_ = nullptr;
    QAction* rerun_ = nullptr;
    QAction* openFolder_ = nullptr;
    QAction* delete_ = nullptr;
    QString pendingSelect_;
    LaunchPrompt prompt_;
    std::function<bool(const QString&)> confirm_;
    QLabel* scalarWarnings_;
    QComboBox* groupBy_;
    QStringList drawnGroups_;
    bool redrawAll_ = false;
};

}  // namespace synthforge::widgets
