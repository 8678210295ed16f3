#include "widgets/align/align_run.h"

#include <signal.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>

#include "core/align/alignment_fit.h"
#include "widgets/runs/run_launcher.h"

namespace synthforge::widgets {

QStringList alignArguments(const AlignRunOptions& o) {
    QStringList a{QStringLiteral("align"), QStringLiteral("--generator"), o.generator};
    if (o.generator != QLatin1String("procedural")) a << QStringLiteral("--psi") << QString::number(o.psi);
    return a + QStringList{QStringLiteral("--head"),    o.head,
            QStringLiteral("--samples"), QString::number(o.samples),
            QStringLiteral("--steps"),   QString::number(o.steps),
            QStringLiteral("--out"),     o.outDir,
            QStringLiteral("--progress"), QStringLiteral("json")};
}

AlignRun::AlignRun(QObject* parent) : QObject(parent), poll_(new QTimer(this)) {
    poll_->setInterval(250);
    connect(poll_, &QTimer::timeout, this, &AlignRun::poll);
}

AlignRun::~AlignRun() {
    if (running()) {
        process_->kill();
        process_->waitForFinished(3000);
    }
}

QString AlignRun::program() const { return program_.isEmpty() ? synthforgeProgram() : program_; }

void AlignRun::setPollInterval(int ms) { poll_->setInterval(ms); }

bool AlignRun::running() const { return process_ && process_->state() != QProcess::NotRunning; }

bool AlignRun::start(const AlignRunOptions& options, QString* error) {
    const auto fail = [error](const QString& why) {
        if (error) *error = why;
        return false;
    };
    if (running()) return fail(tr("An alignment is already running"));
    if (options.outDir.isEmpty()) return fail(tr("Choose a folder for the fit first"));
    if (options.generator.isEmpty()) return fail(tr("Choose a TorchScript generator file first"));
    const QString out = QDir(options.outDir).absolutePath();
    if (!QDir().mkpath(out)) return fail(tr("Cannot create %1").arg(out));
    // Losses of an earlier run in the same folder are not this run's.
    QFile::remove(QDir(out).filePath(QString::fromLatin1(align::kAlignmentLosses)));
    AlignRunOptions o = options;
    o.outDir = out;
    outDir_ = out;
    tail_ = std::make_unique<LossesTail>(QDir(out).filePath(QString::fromLatin1(align::kAlignmentLosses)).toStdString());
    rows_.clear();
    stderr_.clear();
    done_ = total_ = 0;
    stopRequested_ = false;
    if (process_) process_->deleteLater();
    process_ = makeCliChild(this, program(), alignArguments(o));
    connect(process_, &QProcess::readyReadStandardError, this, &AlignRun::readStderr);
    connect(process_, &QProcess::finished, this, &AlignRun::onFinished);
    QString why;
    if (!startCliChild(process_, &why)) return fail(why);
    poll_->start();
    emit started();
    return true;
}

void AlignRun::stop(int graceMs) {
    if (!running()) return;
    stopRequested_ = true;
    interruptCliChild(process_, this, graceMs);
}

void AlignRun::poll() {
    if (!tail_) return;
    std::vector<LossRow> fresh = tail_->poll();
    if (fresh.empty()) return;
    const int first = static_cast<int>(rows_.size());
    for (LossRow& r : fresh) rows_.push_back(std::move(r));
    emit lossesAppended(first);
}

void AlignRun::readStderr() {
    stderr_.take(process_->readAllStandardError(), [this](qint64 done, qint64 total) {
        done_ = done;
        total_ = total;
        emit progress(done_, total_);
    });
}

void AlignRun::onFinished(int exitCode, QProcess::ExitStatus status) {
    poll_->stop();
    poll();  // the last rows written before the exit
    readStderr();
    const bool crashed = status != QProcess::NormalExit;
    const bool stopped = exitCode == kInterruptedExitCode || (stopRequested_ && crashed);
    const bool ok = !crashed && exitCode == 0;
    QString message;
    if (ok)
        message = tr("Finished: %1 steps").arg(rows_.size());
    else if (stopped)
        message = tr("Stopped");
    else if (crashed)
        message = tr("The align command crashed");
    else
        message = tr("The align command failed (exit code %1)").arg(exitCode);
    if (!ok && !stopped && !stderr_.messages.isEmpty()) message += QStringLiteral(": ") + stderr_.messages.last();
    emit finished(ok, stopped, exitCode, message);
}

}  // namespace synthforge::widgets
