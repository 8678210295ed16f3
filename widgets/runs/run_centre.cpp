#include "widgets/runs/run_centre.h"

#include <QAction>
#include <QComboBox>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSet>
#include <QSignalBlocker>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "core/jobs/terminal_progress.h"
#include "core/runs/run_scalars.h"
#include "core/runs/scalar_groups.h"
#include "widgets/runs/eval_view.h"
#include "widgets/runs/launch_dialog.h"
#include "widgets/runs/predictions_view.h"
#include "widgets/runs/verification_view.h"
#include "widgets/runs/run_images_view.h"
#include "widgets/runs/run_monitor.h"
#include "widgets/runs/run_table_model.h"
#include "widgets/runs/scalar_chart_panel.h"
#include "widgets/runs/scalar_chart_view.h"

namespace synthforge::widgets {

namespace {
const char* kWorkspaceKey = "runs/workspace";
const char* kConfigColumnsKey = "runs/configColumns";
}

RunCentre::RunCentre(QWidget* parent)
    : QWidget(parent), monitor_(new RunMonitor(this)), model_(new RunTableModel(this)) {
    const QStringList configColumns = QSettings().value(QString::fromLatin1(kConfigColumnsKey)).toStringList();
    model_->setConfigColumns(configColumns.isEmpty() ? QStringList{QStringLiteral("recipe"), QStringLiteral("preset"),
                                                                   QStringLiteral("optimizer.lr"), QStringLiteral("size")}
                                                     : configColumns);
    proxy_ = new QSortFilterProxyModel(this);
    proxy_->setSourceModel(model_);
    proxy_->setSortRole(RunTableModel::sortRole());
    proxy_->setFilterKeyColumn(-1);
    proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* toolbar = new QToolBar(this);
    toolbar->setObjectName(QStringLiteral("runsToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    layout->addWidget(toolbar);

    buildActions();
    auto* newButton = new QToolButton(toolbar);
    newButton->setText(tr("New run"));
    newButton->setPopupMode(QToolButton::InstantPopup);
    auto* newMenu = new QMenu(newButton);
    const std::pair<const char*, const char*> kinds[] = {{"generate", "Generate a dataset…"},
                                                          {"train", "Train (Stage I)…"},
                                                          {"finetune", "Fine-tune (Stage II)…"},
                                                          {"eval", "Evaluate…"},
                                                          {"predict", "Predict on images…"},
                                                          {"fr train", "Train face recognition…"},
                                                          {"fr eval", "Evaluate face recognition…"},
                                                          {"transfer train", "Train realism transfer…"},
                                                          {"transfer apply", "Translate a dataset…"},
                                                          {"transfer eval", "Measure a translation…"}};
    for (const auto& [command, label] : kinds) {
        const QString c = QString::fromLatin1(command);
        newMenu->addAction(tr(label), this, [this, c] { newRun(c); });
    }
    newButton->setMenu(newMenu);
    toolbar->addWidget(newButton);
    toolbar->addSeparator();
    for (QAction* a : {stop_, resume_, rerun_, openFolder_, delete_}) toolbar->addAction(a);
    toolbar->addSeparator();
    filter_ = new QLineEdit(toolbar);
    filter_->setPlaceholderText(tr("Filter runs (name, kind, status, config…)"));
    filter_->setClearButtonEnabled(true);
    filter_->setMaximumWidth(320);
    toolbar->addWidget(filter_);
    connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);

    auto* wsRow = new QHBoxLayout;
    workspaceLabel_ = new QLabel(this);
    workspaceLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* change = new QToolButton(this);
    change->setText(tr("Change…"));
    connect(change, &QToolButton::clicked, this, &RunCentre::chooseWorkspace);
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("runsStatus"));
    status_->setWordWrap(true);
    wsRow->addWidget(new QLabel(tr("Workspace:"), this));
    wsRow->addWidget(workspaceLabel_, 1);
    wsRow->addWidget(change);
    layout->addLayout(wsRow);

    auto* split = new QSplitter(Qt::Vertical, this);
    table_ = new QTableView(split);
    table_->setObjectName(QStringLiteral("runsTable"));
    table_->setModel(proxy_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(RunTableModel::Started, Qt::DescendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    table_->setAlternatingRowColors(true);
    table_->setContextMenuPolicy(Qt::ActionsContextMenu);
    table_->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(table_->horizontalHeader(), &QHeaderView::customContextMenuRequested, this, [this](const QPoint& at) {
        QMenu menu(this);
        QMenu* config = menu.addMenu(tr("Config columns"));
        for (const QString& key : configKeys()) {
            QAction* a = config->addAction(key);
            a->setCheckable(true);
            a->setChecked(model_->configColumns().contains(key));
            connect(a, &QAction::toggled, this, [this, key](bool on) { toggleConfigColumn(key, on); });
        }
        if (config->isEmpty()) config->addAction(tr("(no config.json in these runs)"))->setEnabled(false);
        menu.exec(table_->horizontalHeader()->mapToGlobal(at));
    });
    for (QAction* a : {stop_, resume_, rerun_, openFolder_, delete_}) table_->addAction(a);
    views_ = new QTabWidget(split);
    views_->setDocumentMode(true);
    details_ = new QPlainTextEdit;
    details_->setReadOnly(true);
    details_->setObjectName(QStringLiteral("runDetails"));
    details_->setLineWrapMode(QPlainTextEdit::NoWrap);
    scalars_ = new ScalarChartPanel;
    auto* scalarsPage = new QWidget;
    auto* scalarsLayout = new QVBoxLayout(scalarsPage);
    scalarsLayout->setContentsMargins(0, 0, 0, 0);
    scalarWarnings_ = new QLabel(scalarsPage);
    scalarWarnings_->setObjectName(QStringLiteral("scalarWarnings"));
    scalarWarnings_->setWordWrap(true);
    scalarWarnings_->setStyleSheet(QStringLiteral("color: #8a5a00; background: #fff4d6; padding: 4px;"));
    scalarWarnings_->hide();
    auto* groupRow = new QHBoxLayout;
    groupRow->setContentsMargins(8, 4, 8, 0);
    groupRow->addWidget(new QLabel(tr("Group runs by"), scalarsPage));
    groupBy_ = new QComboBox(scalarsPage);
    groupBy_->setObjectName(QStringLiteral("groupBy"));
    groupBy_->setToolTip(tr("Runs with the same value are drawn as one curve: their mean at the steps all of them "
                            "have (e.g. group the seeds of one setting)"));
    groupBy_->addItem(tr("(no grouping)"));
    groupBy_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    groupRow->addWidget(groupBy_);
    groupRow->addStretch(1);
    scalarsLayout->addLayout(groupRow);
    connect(groupBy_, &QComboBox::currentIndexChanged, this, [this] { redrawScalars(selectedRuns()); });
    scalarsLayout->addWidget(scalarWarnings_);
    scalarsLayout->addWidget(scalars_, 1);
    images_ = new RunImagesView;
    eval_ = new EvalView;
    views_->addTab(scalarsPage, tr("Scalars"));
    views_->addTab(images_, tr("Images"));
    views_->addTab(eval_, tr("Evaluation"));
    predictions_ = new PredictionsView;
    views_->addTab(predictions_, tr("Predictions"));
    verification_ = new VerificationView;
    views_->addTab(verification_, tr("Verification"));
    views_->addTab(details_, tr("Details"));
    table_->setWordWrap(false);
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 8);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    layout->addWidget(split, 1);
    layout->addWidget(status_);

    connect(monitor_, &RunMonitor::runsChanged, this, &RunCentre::onRunsChanged);
    connect(&scalarWatcher_, &QFutureWatcher<QStringList>::finished, this, &RunCentre::scalarsRead);
    connect(monitor_, &RunMonitor::workspaceError, this, [this](const QString& m) { setStatus(m, true); });
    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        updateDetails();
        updateViews(false);
        emit selectionChanged(selectedRuns());
    });
    connect(table_, &QTableView::doubleClicked, this, [this] { openSelectedFolder(); });

    const QString ws = QSettings().value(QString::fromLatin1(kWorkspaceKey)).toString();
    setWorkspace(ws.isEmpty() ? QString::fromStdString(jobs::defaultWorkspace()) : ws);
    updateActions();
}

RunCentre::~RunCentre() {
    scalarWatcher_.waitForFinished();
}

void RunCentre::buildActions() {
    stop_ = new QAction(tr("Stop"), this);
    stop_->setToolTip(tr("Stop the selected runs: they write a checkpoint and exit (resume later)"));
    connect(stop_, &QAction::triggered, this, &RunCentre::stopSelected);
    resume_ = new QAction(tr("Resume"), this);
    resume_->setToolTip(tr("Continue the selected stopped run from its last checkpoint (--resume)"));
    connect(resume_, &QAction::triggered, this, &RunCentre::resumeSelected);
    rerun_ = new QAction(tr("Run again…"), this);
    rerun_->setToolTip(tr("A new run with the selected run's settings, changed as you like"));
    connect(rerun_, &QAction::triggered, this, &RunCentre::rerunSelected);
    openFolder_ = new QAction(tr("Open folder"), this);
    connect(openFolder_, &QAction::triggered, this, &RunCentre::openSelectedFolder);
    delete_ = new QAction(tr("Delete…"), this);
    delete_->setToolTip(tr("Move the selected runs' folders to the trash"));
    delete_->setShortcut(QKeySequence::Delete);
    delete_->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(delete_, &QAction::triggered, this, &RunCentre::deleteSelected);
}

void RunCentre::setWorkspace(const QString& dir) {
    workspaceLabel_->setText(QDir::toNativeSeparators(dir));
    QSettings().setValue(QString::fromLatin1(kWorkspaceKey), dir);
    model_->setRuns({});
    monitor_->setWorkspace(dir);
}

QString RunCentre::workspace() const {
    return monitor_->workspace();
}

void RunCentre::chooseWorkspace() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Runs workspace"), workspace());
    if (!dir.isEmpty()) setWorkspace(dir);
}

void RunCentre::onRunsChanged() {
    const bool first = model_->rowCount() == 0;
    model_->setRuns(monitor_->runs());
    refreshGroupKeys();
    if (first && model_->rowCount() > 0) table_->resizeColumnsToContents();
    if (!pendingSelect_.isEmpty() && selectRun(pendingSelect_)) pendingSelect_.clear();
    updateActions();
    updateDetails();
    updateViews(true);
}

void RunCentre::updateScalars() {
    // Not scalarWatcher_.isRunning(): it turns false before finished() is
    // delivered, and a new future set in between would drop that result.
    if (scalarBusy_) {
        scalarAgain_ = true;
        return;
    }
    const QStringList selected = selectedRuns();
    // Runs no longer selected leave the charts and drop their readers.
    for (auto it = scalarSources_.begin(); it != scalarSources_.end();) {
        if (selected.contains(it->first)) {
            ++it;
            continue;
        }
        scalars_->removeRun(QDir(it->first).dirName());
        it = scalarSources_.erase(it);
    }
    std::vector<std::pair<QString, std::shared_ptr<runs::RunScalarSource>>> work;
    for (const QString& d : selected) {
        auto& source = scalarSources_[d];
        if (!source) source = std::make_shared<runs::RunScalarSource>(d.toStdString());
        work.emplace_back(d, source);
    }
    if (work.empty()) {
        if (!drawnGroups_.isEmpty()) {
            scalars_->clearRuns();
            drawnGroups_.clear();
        }
        return;
    }
    scalarBusy_ = true;
    scalarWatcher_.setFuture(QtConcurrent::run([work]() {
        QStringList changed;
        for (const auto& [dir, source] : work)
            if (source->poll()) changed << dir;
        return changed;
    }));
}

void RunCentre::scalarsRead() {
    scalarBusy_ = false;
    const QStringList changed = scalarWatcher_.result();
    const QStringList selected = selectedRuns();
    redrawScalars(changed);
    // What could not be read (a corrupt metrics.csv row, a cut event file)
    // is said above the charts; what could be read is drawn.
    QStringList warnings;
    for (const QString& d : selected) {
        auto it = scalarSources_.find(d);
        if (it == scalarSources_.end()) continue;
        for (const std::string& w : it->second->warnings()) warnings << QString::fromStdString(w);
    }
    scalarWarnings_->setText(warnings.isEmpty() ? QString()
                                                : QStringLiteral("⚠ ") + warnings.mid(0, 3).join(QStringLiteral("\n⚠ ")) +
                                                      (warnings.size() > 3 ? tr("\n(%1 more)").arg(warnings.size() - 3) : QString()));
    scalarWarnings_->setVisible(!warnings.isEmpty());
    if (scalarAgain_) {
        scalarAgain_ = false;
        updateScalars();
    }
}

QString RunCentre::groupKey() const {
    return groupBy_->currentIndex() <= 0 ? QString() : groupBy_->currentText();
}

void RunCentre::setGroupKey(const QString& key) {
    const int i = key.isEmpty() ? 0 : groupBy_->findText(key);
    if (i >= 0) groupBy_->setCurrentIndex(i);
}

void RunCentre::redrawScalars(const QStringList& changed) {
    const QStringList selected = selectedRuns();
    const QString key = groupKey();
    if (key.isEmpty()) {
        if (!drawnGroups_.isEmpty()) {
            // Leaving grouped mode: every selected run is drawn again.
            scalars_->clearRuns();
            drawnGroups_.clear();
            redrawAll_ = true;
        }
        for (const QString& d : redrawAll_ ? selected : changed) {
            auto it = scalarSources_.find(d);
            const int index = static_cast<int>(selected.indexOf(d));
            if (it == scalarSources_.end() || index < 0) continue;  // deselected meanwhile
            scalars_->setRun(QDir(d).dirName(), runPaletteColour(index), it->second->scalars());
        }
        redrawAll_ = false;
        return;
    }
    // Grouped: one curve per value of the key, the mean of its runs.
    std::map<QString, std::vector<const runs::ScalarMap*>> groups;
    for (const QString& d : selected) {
        auto it = scalarSources_.find(d);
        const jobs::RunState* s = model_->runAt(d);
        if (it == scalarSources_.end() || !s) continue;
        QString value = tr("(none)");
        if (key == QLatin1String("kind")) {
            value = QString::fromStdString(s->kind);
        } else {
            auto c = s->config.find(key.toStdString());
            if (c != s->config.end()) value = QString::fromStdString(c->second);
        }
        groups[value].push_back(&it->second->scalars());
    }
    scalars_->clearRuns();
    drawnGroups_.clear();
    int index = 0;
    for (const auto& [value, members] : groups) {
        const QString count = members.size() == 1 ? tr("1 run") : tr("%1 runs").arg(members.size());
        const QString name = QStringLiteral("%1=%2 (%3)").arg(key, value, count);
        scalars_->setRun(name, runPaletteColour(index++), runs::meanOfRuns(members));
        drawnGroups_ << name;
    }
    redrawAll_ = true;  // back in ungrouped mode, draw everything
}

void RunCentre::refreshGroupKeys() {
    const QString keep = groupBy_->currentText();
    const int keepIndex = groupBy_->currentIndex();
    QStringList keys{QStringLiteral("kind")};
    keys << configKeys();
    QStringList have;
    for (int i = 1; i < groupBy_->count(); ++i) have << groupBy_->itemText(i);
    if (have == keys) return;
    const QSignalBlocker block(groupBy_);
    while (groupBy_->count() > 1) groupBy_->removeItem(1);
    groupBy_->addItems(keys);
    groupBy_->setCurrentIndex(keepIndex <= 0 ? 0 : std::max(0, static_cast<int>(groupBy_->findText(keep))));
}

void RunCentre::updateViews(bool live) {
    updateScalars();
    QStringList withImages, withEval, withFrEval;
    bool running = false;
    for (const QString& d : selectedRuns()) {
        const jobs::RunState* s = model_->runAt(d);
        if (!s) continue;
        running |= s->status == jobs::RunStatus::Running;
        if (QDir(d).entryList({QStringLiteral("events.out.tfevents.*")}, QDir::Files).size() > 0) withImages << d;
        if (QFile::exists(QDir(d).filePath(QStringLiteral("eval.json")))) withEval << d;
        if (QFile::exists(QDir(d).filePath(QStringLiteral("fr_eval.json")))) withFrEval << d;
    }
    if (withFrEval != shownFrEvals_) {
        shownFrEvals_ = withFrEval;
        verification_->setRuns(withFrEval);
    }
    QString predictRun;
    int predictStatus = -1;
    for (const QString& d : selectedRuns()) {
        const jobs::RunState* s = model_->runAt(d);
        if (s && s->kind == "predict") {
            predictRun = d;
            predictStatus = static_cast<int>(s->status);
            break;
        }
    }
    if (predictRun != shownPredictions_) {
        shownPredictions_ = predictRun;
        shownPredictionsStatus_ = predictStatus;
        predictions_->setRun(predictRun);
    } else if (!predictRun.isEmpty() &&
               (predictStatus != shownPredictionsStatus_ || predictStatus == static_cast<int>(jobs::RunStatus::Running))) {
        // predictions.json is written when the run ends: read again then (and while it runs).
        shownPredictionsStatus_ = predictStatus;
        predictions_->reload();
    }
    withImages = withImages.mid(0, 2);
    withEval = withEval.mid(0, 2);
    if (withImages != shownImages_) {
        shownImages_ = withImages;
        images_->setRuns(withImages.value(0), withImages.value(1));
    } else if (live && running && !withImages.isEmpty()) {
        // Reading is incremental and off the GUI thread; once a second is
        // as often as new prediction grids are worth looking for.
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (now - lastLiveReload_ > 1000) {
            lastLiveReload_ = now;
            images_->reload();
        }
    }
    if (withEval != shownEvals_) {
        shownEvals_ = withEval;
        if (withEval.isEmpty())
            eval_->clear();
        else
            eval_->loadFiles(withEval.value(0), withEval.value(1));
    }
}

QStringList RunCentre::configKeys() const {
    QSet<QString> keys;
    for (const jobs::RunState& r : model_->runs())
        for (const auto& entry : r.config) keys.insert(QString::fromStdString(entry.first));
    QStringList sorted(keys.begin(), keys.end());
    sorted.sort();
    return sorted;
}

void RunCentre::toggleConfigColumn(const QString& key, bool on) {
    QStringList columns = model_->configColumns();
    columns.removeAll(key);
    if (on) columns << key;
    model_->setConfigColumns(columns);
    QSettings().setValue(QString::fromLatin1(kConfigColumnsKey), columns);
}

QStringList RunCentre::selectedRuns() const {
    QStringList dirs;
    const QModelIndexList rows = table_->selectionModel()->selectedRows();
    QList<int> order;
    for (const QModelIndex& r : rows) order << r.row();
    std::sort(order.begin(), order.end());
    for (int row : order) dirs << proxy_->index(row, 0).data(RunTableModel::dirRole()).toString();
    return dirs;
}

bool RunCentre::selectRun(const QString& dir) {
    const QString wanted = QDir::cleanPath(dir);
    for (int row = 0; row < proxy_->rowCount(); ++row) {
        const QString d = QDir::cleanPath(proxy_->index(row, 0).data(RunTableModel::dirRole()).toString());
        if (d != wanted) continue;
        table_->selectionModel()->select(proxy_->index(row, 0),
                                         QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        table_->scrollTo(proxy_->index(row, 0));
        return true;
    }
    return false;
}

void RunCentre::updateActions() {
    const QStringList dirs = selectedRuns();
    bool anyRunning = false, oneResumable = false;
    for (const QString& d : dirs) {
        const jobs::RunState* s = model_->runAt(d);
        if (!s) continue;
        anyRunning |= s->status == jobs::RunStatus::Running;
    }
    if (dirs.size() == 1)
        if (const jobs::RunState* s = model_->runAt(dirs.front())) {
            QString why;
            oneResumable = !resumeRequest(*s, &why).arguments.isEmpty();
            resume_->setToolTip(oneResumable ? tr("Continue this run from its last checkpoint (--resume)") : why);
        }
    stop_->setEnabled(anyRunning);
    resume_->setEnabled(oneResumable);
    rerun_->setEnabled(dirs.size() == 1 && model_->runAt(dirs.front()) && model_->runAt(dirs.front())->record);
    openFolder_->setEnabled(dirs.size() == 1);
    delete_->setEnabled(!dirs.isEmpty() && !anyRunning);
}

void RunCentre::updateDetails() {
    const QStringList dirs = selectedRuns();
    if (dirs.size() != 1) {
        details_->setPlainText(dirs.isEmpty() ? tr("Select a run.") : tr("%1 runs selected.").arg(dirs.size()));
        return;
    }
    const jobs::RunState* s = model_->runAt(dirs.front());
    if (!s) return;
    QString t;
    t += tr("Run       %1\n").arg(QString::fromStdString(s->dir));
    t += tr("Kind      %1\nStatus    %2\n").arg(QString::fromStdString(s->kind), QString::fromLatin1(jobs::runStatusName(s->status)));
    if (s->record) {
        QStringList argv;
        for (const std::string& a : s->record->argv) argv << QString::fromStdString(a);
        t += tr("Command   %1\n").arg(argv.join(' '));
        t += tr("Host      %1 (pid %2), attempt %3\n")
                 .arg(QString::fromStdString(s->record->host))
                 .arg(s->record->pid)
                 .arg(s->record->attempts);
        if (s->record->end) t += tr("Exit code %1\n").arg(s->record->end->exitCode);
    }
    const QString progress = runProgressText(*s);
    if (!progress.isEmpty()) t += tr("Progress  %1\n").arg(progress);
    if (s->duration >= 0) t += tr("Time      %1\n").arg(QString::fromStdString(jobs::formatDuration(s->duration)));
    for (const auto& [k, v] : s->lastMetrics) t += QStringLiteral("  %1 %2\n").arg(QString::fromStdString(k), -16).arg(v);
    if (!s->stderrTail.empty()) {
        t += tr("\nLast lines of stderr:\n");
        for (const std::string& l : s->stderrTail) t += QStringLiteral("  ") + QString::fromStdString(l) + '\n';
    }
    for (const std::string& w : s->warnings) t += tr("\nWarning: %1").arg(QString::fromStdString(w));
    details_->setPlainText(t);
}

bool RunCentre::launch(const LaunchRequest& request, QString* error) {
    const LaunchResult r = launchRun(request);
    if (!r.ok) {
        setStatus(r.error, true);
        if (error) *error = r.error;
        return false;
    }
    const QString workDir = request.workingDir.isEmpty() ? QDir::currentPath() : request.workingDir;
    pendingSelect_ = QDir(workDir).absoluteFilePath(request.runDir);
    setStatus(tr("Started %1 (pid %2) in %3").arg(request.arguments.value(0)).arg(r.pid).arg(pendingSelect_), false);
    monitor_->refresh();
    return true;
}

LaunchRequest RunCentre::promptWithDialog(const QString& command, const QStringList& initial) {
    const QString cli = synthforgeProgram();
    LaunchDialog dialog(cli, command, this);
    dialog.setWindowTitle(tr("New %1 run").arg(command));
    // The form exists once the CLI has described the command; fill it then.
    connect(&dialog, &LaunchDialog::schemaLoaded, &dialog, [&dialog, initial, this](bool ok, const QString& error) {
        if (!ok) {
            setStatus(error, true);
            return;
        }
        QString why;
        if (!initial.isEmpty() && !dialog.prefill(initial, &why)) setStatus(why, true);
    });
    dialog.loadSchema();
    if (dialog.exec() != QDialog::Accepted) return {};
    LaunchRequest r;
    r.program = cli;
    r.arguments = dialog.arguments();
    r.runDir = dialog.runDirectory();
    if (r.runDir.isEmpty()) {
        setStatus(tr("The command names no output folder (--out or --run-dir), so it cannot be followed as a run"), true);
        return {};
    }
    return r;
}

QString RunCentre::freshSibling(const QString& dir) {
    const QFileInfo info(dir);
    QString base = info.fileName();
    // "name-3" continues as "name-4", not "name-3-2".
    const int dash = static_cast<int>(base.lastIndexOf(QLatin1Char('-')));
    bool numbered = false;
    if (dash > 0) base.mid(dash + 1).toInt(&numbered);
    if (numbered) base = base.left(dash);
    for (int i = 2;; ++i) {
        const QString candidate = info.dir().filePath(QStringLiteral("%1-%2").arg(base).arg(i));
        if (!QFileInfo::exists(candidate)) return candidate;
    }
}

void RunCentre::newRun(const QString& command) { newRunWith(command, {}); }

void RunCentre::newRunWith(const QString& command, const QStringList& options) {
    LaunchRequest r = prompt_ ? prompt_(command, options) : promptWithDialog(command, options);
    if (r.arguments.isEmpty()) return;
    launch(r);
}

QStringList RunCentre::runningHere() const {
    QStringList dirs;
    const std::string host = jobs::hostName();
    for (const jobs::RunState& s : model_->runs())
        if (s.status == jobs::RunStatus::Running && s.record && s.record->host == host) dirs << QString::fromStdString(s.dir);
    return dirs;
}

int RunCentre::stopRuns(const QStringList& dirs) {
    int stopped = 0;
    QStringList errors;
    for (const QString& d : dirs) {
        const jobs::RunState* s = model_->runAt(d);
        if (!s) continue;
        QString why;
        if (stopRun(*s, &why))
            ++stopped;
        else
            errors << QStringLiteral("%1: %2").arg(QString::fromStdString(s->name), why);
    }
    if (!errors.isEmpty())
        setStatus(errors.join(QStringLiteral("; ")), true);
    else if (stopped > 0)
        setStatus(tr("Asked %n run(s) to stop; each writes a checkpoint first", nullptr, stopped), false);
    monitor_->refresh();
    return stopped;
}

void RunCentre::stopSelected() {
    stopRuns(selectedRuns());
}

void RunCentre::resumeSelected() {
    const QStringList dirs = selectedRuns();
    if (dirs.size() != 1) return;
    const jobs::RunState* s = model_->runAt(dirs.front());
    if (!s) return;
    QString why;
    const LaunchRequest r = resumeRequest(*s, &why);
    if (r.arguments.isEmpty()) {
        setStatus(why, true);
        return;
    }
    launch(r);
}

void RunCentre::rerunSelected() {
    const QStringList dirs = selectedRuns();
    if (dirs.size() != 1) return;
    const jobs::RunState* s = model_->runAt(dirs.front());
    if (!s || !s->record) return;
    QStringList args = rerunArguments(*s);
    QString command = args.isEmpty() ? QString() : args.takeFirst();
    // Commands in a group have two words ("fr train", "transfer apply").
    if ((command == QLatin1String("fr") || command == QLatin1String("transfer")) && !args.isEmpty())
        command += QLatin1Char(' ') + args.takeFirst();
    // A new run goes to a new folder beside the old one.
    for (int i = 0; i + 1 < args.size(); ++i)
        if (args[i] == QLatin1String("--out") || args[i] == QLatin1String("--run-dir")) {
            const QString cwd = QString::fromStdString(s->record->cwd);
            args[i + 1] = freshSibling(QDir(cwd.isEmpty() ? QDir::currentPath() : cwd).absoluteFilePath(args[i + 1]));
        }
    LaunchRequest r = prompt_ ? prompt_(command, args) : promptWithDialog(command, args);
    if (r.arguments.isEmpty()) return;
    if (r.workingDir.isEmpty()) r.workingDir = QString::fromStdString(s->record->cwd);
    launch(r);
}

void RunCentre::openSelectedFolder() {
    const QStringList dirs = selectedRuns();
    if (dirs.size() == 1) QDesktopServices::openUrl(QUrl::fromLocalFile(dirs.front()));
}

void RunCentre::deleteSelected() {
    const QStringList dirs = selectedRuns();
    if (dirs.isEmpty()) return;
    QStringList names;
    for (const QString& d : dirs) names << QDir(d).dirName();
    const QString question =
        tr("Move %n run folder(s) to the trash?\n\n%1", nullptr, static_cast<int>(dirs.size())).arg(names.join('\n'));
    const bool yes = confirm_ ? confirm_(question)
                              : QMessageBox::question(this, tr("Delete runs"), question,
                                                      QMessageBox::Yes | QMessageBox::Cancel,
                                                      QMessageBox::Cancel) == QMessageBox::Yes;
    if (!yes) return;
    QStringList failed;
    for (const QString& d : dirs)
        if (!QFile::moveToTrash(d)) failed << QDir(d).dirName();
    if (!failed.isEmpty())
        setStatus(tr("Could not move to the trash (no trash on this file system?): %1").arg(failed.join(", ")), true);
    else
        setStatus(tr("Moved %n run(s) to the trash", nullptr, static_cast<int>(dirs.size())), false);
    monitor_->refresh();
}

void RunCentre::setStatus(const QString& text, bool error) {
    status_->setText(text);
    status_->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

QString RunCentre::scalarWarnings() const {
    return scalarWarnings_->text();
}

QString RunCentre::statusText() const {
    return status_->text();
}

}  // namespace synthforge::widgets
