#include "widgets/runs/cli_child.h"

#include <signal.h>

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>

namespace synthforge::widgets {

QProcess* makeCliChild(QObject* parent, const QString& program, const QStringList& args) {
    auto* p = new QProcess(parent);
    p->setProgram(program);
    p->setArguments(args);
    p->setStandardInputFile(QProcess::nullDevice());
    p->setStandardOutputFile(QProcess::nullDevice());
    return p;
}

bool startCliChild(QProcess*& process, QString* why) {
    process->start();
    if (process->waitForStarted(10000)) return true;
    if (why)
        *why = QCoreApplication::translate("CliChild", "Cannot start %1: %2").arg(process->program(), process->errorString());
    process->deleteLater();
    process = nullptr;
    return false;
}

void interruptCliChild(QProcess* process, QObject* context, int graceMs) {
    if (!process || process->state() == QProcess::NotRunning) return;
    ::kill(static_cast<pid_t>(process->processId()), SIGINT);
    QPointer<QProcess> p = process;
    QTimer::singleShot(graceMs, context, [p] {
        if (p && p->state() != QProcess::NotRunning) p->kill();
    });
}

void CliStderr::take(const QByteArray& incoming, const std::function<void(qint64, qint64)>& onProgress) {
    buffer += incoming;
    int nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
        const QByteArray line = buffer.left(nl).trimmed();
        buffer.remove(0, nl + 1);
        if (line.isEmpty()) continue;
        const QJsonDocument j = QJsonDocument::fromJson(line);
        if (j.isObject() && j.object().contains(QStringLiteral("done"))) {
            if (onProgress)
                onProgress(static_cast<qint64>(j.object().value(QStringLiteral("done")).toDouble()),
                           static_cast<qint64>(j.object().value(QStringLiteral("total")).toDouble()));
            continue;
        }
        messages << QString::fromUtf8(line);
        while (messages.size() > 20) messages.removeFirst();
    }
}

}  // namespace synthforge::widgets
