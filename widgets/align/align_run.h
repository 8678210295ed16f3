#pragma once
// Runs `synthforge align` for the alignment view and follows it: the losses
// it appends to <out>/losses.csv (polled, LossesTail), its JSON progress
// lines on stderr, and its exit. Stop sends SIGINT, as Ctrl+C would (the
// command then exits 130), and kills it if it has not exited a few seconds
// later.
//
// The program is injectable (setProgram), so tests run a fake command; by
// default it is the CLI next to the studio (synthforgeProgram()).

#include <memory>
#include <vector>

#include <QObject>
#include <QProcess>

#include "widgets/runs/cli_child.h"
#include <QString>
#include <QStringList>

#include "widgets/align/losses_tail.h"

class QTimer;

namespace synthforge::widgets {

struct AlignRunOptions {
    QString head = QStringLiteral("default");  ///< "default" or a head model file
    QString generator = QStringLiteral("procedural");  ///< or a TorchScript file
    double psi = 0.7;  ///< passed (--psi) only with a TorchScript file
    int samples = 8;
    int steps = 200;
    QString outDir;  ///< the fit directory to write
};

/// The command's arguments, e.g. {"align", "--generator", "procedural", "--head",
/// "default", "--samples", "8", "--steps", "200", "--out", DIR, "--progress", "json"},
/// with "--psi", P after the generator when it is a TorchScript file.
QStringList alignArguments(const AlignRunOptions& options);

/// The exit code `synthforge` uses for an interrupted command.
inline constexpr int kInterruptedExitCode = 130;

class AlignRun : public QObject {
    Q_OBJECT
public:
    explicit AlignRun(QObject* parent = nullptr);
    ~AlignRun() override;

    void setProgram(const QString& program) { program_ = program; }
    QString program() const;
    /// How often losses.csv is read while the command runs (ms).
    void setPollInterval(int ms);

    /// Starts the command (output folder created first). False, with the
    /// reason in *error, when one is running, the folder cannot be made or the
    /// program does not start.
    bool start(const AlignRunOptions& options, QString* error = nullptr);
    bool running() const;
    /// SIGINT now; kill after `graceMs` if still running.
    void stop(int graceMs = 5000);

    QString outDir() const { return outDir_; }
    const std::vector<std::string>& lossNames() const { return tail_ ? tail_->names() : noNames_; }
    const std::vector<LossRow>& rows() const { return rows_; }
    /// The last progress line's "done"/"total" (0 when none yet).
    qint64 progressDone() const { return done_; }
    qint64 progressTotal() const { return total_; }
    /// stderr lines that were not progress (errors, warnings), last few kept.
    QString messages() const { return stderr_.messages.join(QLatin1Char('\n')); }

signals:
    void started();
    /// Rows [first, rows().size()) are new.
    void lossesAppended(int first);
    void progress(qint64 done, qint64 total);
    /// ok: exit code 0. stopped: exit code 130 (or killed after stop()).
    void finished(bool ok, bool stopped, int exitCode, const QString& message);

private:
    void poll();
    void readStderr();
    void onFinished(int exitCode, QProcess::ExitStatus status);

    QString program_;
    QProcess* process_ = nullptr;
    QTimer* poll_;
    std::unique_ptr<LossesTail> tail_;
    std::vector<LossRow> rows_;
    std::vector<std::string> noNames_;
    QString outDir_;
    CliStderr stderr_;
    qint64 done_ = 0, total_ = 0;
    bool stopRequested_ = false;
};

}  // namespace synthforge::widgets
