#pragma once
// A `synthforge` command run as a child of a studio view (the Align tab's
// align and density runs, the Generator tab's TorchScript preview): one
// way to start it, to stop it as Ctrl+C would, and to read its JSON-lines
// progress, so the three views behave alike.

#include <functional>

#include <QByteArray>
#include <QProcess>
#include <QStringList>

namespace synthforge::widgets {

/// A child of `parent` that will run `program args` with no stdin and stdout
/// discarded (stderr carries progress and errors). Connect its signals, then
/// call startCliChild.
QProcess* makeCliChild(QObject* parent, const QString& program, const QStringList& args);
/// Starts `process` and waits up to 10 s for it. On failure deletes it, sets
/// it to null, puts "Cannot start <program>: <why>" in `why` and returns false.
bool startCliChild(QProcess*& process, QString* why);
/// SIGINT (the command stops cleanly, exit code 130), then a kill when it is
/// still running `graceMs` later.
void interruptCliChild(QProcess* process, QObject* context, int graceMs);

/// The child's stderr split into lines: JSON progress lines
/// ({"done": n, "total": m, ...}) go to `onProgress`, every other non-empty
/// line is kept (the last 20) for error messages.
struct CliStderr {
    QByteArray buffer;
    QStringList messages;
    void take(const QByteArray& incoming, const std::function<void(qint64 done, qint64 total)>& onProgress);
    void clear() {
        buffer.clear();
        messages.clear();
    }
};

}  // namespace synthforge::widgets
