#include "widgets/runs/run_launcher.h"

#include <signal.h>

#include <cerrno>
#include <cstring>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

#include "core/jobs/run_record.h"

namespace synthforge::widgets {

QString synthforgeProgram() {
    const QString env = qEnvironmentVariable("SYNTHFORGE_CLI");
    if (!env.isEmpty()) return env;
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString& candidate : {here.filePath("synthforge"), here.filePath("../synthforge")}) {
        const QFileInfo f(candidate);
        if (f.isFile() && f.isExecutable()) return f.canonicalFilePath();
    }
    const QString onPath = QStandardPaths::findExecutable("synthforge");
    return onPath.isEmpty() ? QStringLiteral("synthforge") : onPath;
}

LaunchResult launchRun(const LaunchRequest& request) {
    LaunchResult r;
    if (request.arguments.isEmpty()) {
        r.error = QObject::tr("No command to run");
        return r;
    }
    if (request.runDir.isEmpty()) {
        r.error = QObject::tr("The job has no output folder (--out or --run-dir)");
        return r;
    }
    const QString workDir = request.workingDir.isEmpty() ? QDir::currentPath() : request.workingDir;
    const QString runDir = QDir(workDir).absoluteFilePath(request.runDir);
    if (!QDir().mkpath(runDir)) {
        r.error = QObject::tr("Cannot create the run folder %1").arg(runDir);
        return r;
    }
    QStringList args = request.arguments;
    if (!args.contains(QStringLiteral("--progress"))) args << QStringLiteral("--progress") << QStringLiteral("json");
    QProcess p;
    p.setProgram(request.program.isEmpty() ? synthforgeProgram() : request.program);
    p.setArguments(args);
    p.setWorkingDirectory(workDir);
    p.setStandardInputFile(QProcess::nullDevice());
    p.setStandardOutputFile(QDir(runDir).filePath(QString::fromLatin1(jobs::kStdoutLogFile)), QIODevice::Append);
    p.setStandardErrorFile(QDir(runDir).filePath(QString::fromLatin1(jobs::kStderrLogFile)), QIODevice::Append);
    if (!p.startDetached(&r.pid)) {
        r.error = QObject::tr("Cannot start %1: %2").arg(p.program(), p.errorString());
        return r;
    }
    r.ok = true;
    return r;
}

bool stopRun(const jobs::RunState& run, QString* error) {
    const auto fail = [error](const QString& why) {
        if (error) *error = why;
        return false;
    };
    if (run.status != jobs::RunStatus::Running || !run.record) return fail(QObject::tr("The run is not running"));
    if (run.record->host != jobs::hostName())
        return fail(QObject::tr("The run is on %1; stop it there").arg(QString::fromStdString(run.record->host)));
    if (!jobs::processAlive(run.record->pid, run.record->pidStartTicks))
        return fail(QObject::tr("The run's process is gone"));
    if (::kill(static_cast<pid_t>(run.record->pid), SIGINT) != 0)
        return fail(QObject::tr("Cannot signal process %1: %2").arg(run.record->pid).arg(QString::fromLocal8Bit(std::strerror(errno))));
    return true;
}

QStringList rerunArguments(const jobs::RunState& run) {
    QStringList out;
    if (!run.record) return out;
    const std::vector<std::string>& argv = run.record->argv;
    for (std::size_t i = 1; i < argv.size(); ++i) {
        const QString a = QString::fromStdString(argv[i]);
        if (a == QLatin1String("--resume")) continue;
        if (a == QLatin1String("--progress")) {
            ++i;  // and its value
            continue;
        }
        if (a.startsWith(QLatin1String("--progress="))) continue;
        out << a;
    }
    return out;
}

LaunchRequest resumeRequest(const jobs::RunState& run, QString* error) {
    const auto fail = [error](const QString& why) {
        if (error) *error = why;
        return LaunchRequest{};
    };
    if (!run.record) return fail(QObject::tr("The run has no run.json, so its command line is unknown"));
    if (run.status == jobs::RunStatus::Running) return fail(QObject::tr("The run is still running"));
    if (run.status == jobs::RunStatus::Finished) return fail(QObject::tr("The run has finished"));
    const std::string& kind = run.kind;
    const bool trains = kind == "train" || kind == "finetune" || kind == "fr-train" || kind == "transfer-train";
    if (!trains && kind != "generate" && kind != "transfer-apply")
        return fail(QObject::tr("A %1 job cannot be resumed; run it again instead").arg(QString::fromStdString(kind)));
    if (trains && !run.hasCheckpoint)
        return fail(QObject::tr("The run wrote no checkpoint yet; run it again instead"));
    LaunchRequest r;
    const QString program = run.record->argv.empty() ? QString() : QString::fromStdString(run.record->argv.front());
    r.program = QFileInfo(program).isAbsolute() && QFileInfo(program).isExecutable() ? program : synthforgeProgram();
    r.arguments = rerunArguments(run);
    r.arguments << QStringLiteral("--resume");
    r.runDir = QString::fromStdString(run.dir);
    r.workingDir = QString::fromStdString(run.record->cwd);
    return r;
}

}  // namespace synthforge::widgets
