#include "widgets/align/density_cli_run.h"

#include <signal.h>

#include <stdexcept>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>

#include "widgets/align/align_run.h"
#include "widgets/runs/run_launcher.h"

namespace synthforge::widgets {

QStringList densityArguments(const DensityCliOptions& o) {
    QStringList a{QStringLiteral("density"), QStringLiteral("--generator"), o.generator};
    if (o.generator != QLatin1String("procedural")) a << QStringLiteral("--psi") << QString::number(o.psi);
    if (!o.alignment.isEmpty()) a << QStringLiteral("--alignment") << o.alignment;
    a << QStringLiteral("--seed") << QString::number(o.seed) << QStringLiteral("--index") << QString::number(o.index)
      << QStringLiteral("--resolution") << QString::number(o.resolution) << QStringLiteral("--out") << o.outDir
      << QStringLiteral("--progress") << QStringLiteral("json");
    return a;
}

namespace {

io::TriMesh readMesh(const QString& path) {
    if (!QFileInfo::exists(path)) throw std::runtime_error(path.toStdString() + ": missing");
    try {
        return io::importMesh(path.toStdString());
    } catch (const std::exception& e) {
        const std::string what = e.what();
        // The importer's message may already name the file.
        if (what.find(path.toStdString()) != std::string::npos) throw;
        throw std::runtime_error(path.toStdString() + ": " + what);
    }
}

/// mesh.obj with its vertices in file order. io::importMesh merges corners
/// by position and renumbers them by first use, but the per-vertex distances
/// follow the file's "v" lines, so the head is read here line by line.
io::TriMesh readObjInOrder(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) throw std::runtime_error(path.toStdString() + ": missing or unreadable");
    std::vector<Eigen::Vector3f> v;
    std::vector<Eigen::Vector3i> faces;
    int lineNo = 0;
    const auto bad = [&](const char* what) {
        return std::runtime_error(path.toStdString() + ": line " + std::to_string(lineNo) + ": " + what);
    };
    while (!f.atEnd()) {
        ++lineNo;
        const QList<QByteArray> t = f.readLine().simplified().split(' ');
        if (t.isEmpty() || t[0].isEmpty()) continue;
        if (t[0] == "v") {
            if (t.size() < 4) throw bad("a vertex needs x y z");
            bool ok[3];
            v.emplace_back(t[1].toFloat(&ok[0]), t[2].toFloat(&ok[1]), t[3].toFloat(&ok[2]));
            if (!ok[0] || !ok[1] || !ok[2]) throw bad("a vertex coordinate is not a number");
        } else if (t[0] == "f") {
            std::vector<int> idx;
            for (int k = 1; k < t.size(); ++k) {
                bool ok = false;
                int i = t[k].split('/').front().toInt(&ok);
                if (!ok || i == 0) throw bad("a face index is not a vertex number");
                i = i > 0 ? i - 1 : static_cast<int>(v.size()) + i;  // negative: relative to the end
                if (i < 0 || i >= static_cast<int>(v.size())) throw bad("face index out of range");
                idx.push_back(i);
            }
            if (idx.size() < 3) throw bad("a face needs three vertices");
            for (std::size_t k = 1; k + 1 < idx.size(); ++k) faces.emplace_back(idx[0], idx[k], idx[k + 1]);
        }
    }
    if (v.empty() || faces.empty()) throw std::runtime_error(path.toStdString() + ": no vertices or faces");
    io::TriMesh m;
    m.positions.resize(static_cast<Eigen::Index>(v.size()), 3);
    for (std::size_t i = 0; i < v.size(); ++i) m.positions.row(static_cast<Eigen::Index>(i)) = v[i].transpose();
    m.faces.resize(static_cast<Eigen::Index>(faces.size()), 3);
    for (std::size_t i = 0; i < faces.size(); ++i) m.faces.row(static_cast<Eigen::Index>(i)) = faces[i].transpose();
    return m;
}

float number(const QJsonObject& o, const char* key, const QString& file) {
    const QJsonValue v = o.value(QLatin1String(key));
    if (!v.isDouble()) throw std::runtime_error(file.toStdString() + ": " + key + ": not a number");
    return static_cast<float>(v.toDouble());
}

}  // namespace

DensityOutputs loadDensityOutputs(const QString& dir) {
    const QDir d(dir);
    DensityOutputs out;
    out.surface = readMesh(d.filePath(QStringLiteral("isosurface.obj")));
    out.mesh = readObjInOrder(d.filePath(QStringLiteral("mesh.obj")));
    const QString jsonPath = d.filePath(QStringLiteral("distances.json"));
    QFile f(jsonPath);
    if (!f.open(QIODevice::ReadOnly)) throw std::runtime_error(jsonPath.toStdString() + ": cannot read");
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (!doc.isObject())
        throw std::runtime_error(jsonPath.toStdString() + ": not a JSON object (" + err.errorString().toStdString() + ")");
    const QJsonObject j = doc.object();
    out.level = number(j, "level", jsonPath);
    out.surfaceLevel = j.contains(QStringLiteral("surface_level")) ? number(j, "surface_level", jsonPath) : out.level;
    const QJsonObject grid = j.value(QStringLiteral("grid")).toObject();
    out.cell = number(grid, "cell", jsonPath);
    const QJsonArray range = grid.value(QStringLiteral("field_range")).toArray();
    if (range.size() == 2) {
        out.fieldMin = static_cast<float>(range[0].toDouble());
        out.fieldMax = static_cast<float>(range[1].toDouble());
    }
    out.generatorName = j.value(QStringLiteral("generator")).toObject().value(QStringLiteral("name")).toString();
    const QJsonValue pv = j.value(QStringLiteral("mesh_to_surface")).toObject().value(QStringLiteral("per_vertex"));
    if (!pv.isArray()) throw std::runtime_error(jsonPath.toStdString() + ": mesh_to_surface.per_vertex: missing");
    const QJsonArray per = pv.toArray();
    out.residuals.reserve(static_cast<std::size_t>(per.size()));
    for (const QJsonValue& v : per) {
        if (!v.isDouble()) throw std::runtime_error(jsonPath.toStdString() + ": mesh_to_surface.per_vertex: not a number");
        out.residuals.push_back(static_cast<float>(v.toDouble()));
    }
    if (static_cast<Eigen::Index>(out.residuals.size()) != out.mesh.positions.rows())
        throw std::runtime_error(jsonPath.toStdString() + ": mesh_to_surface.per_vertex has " +
                                 std::to_string(out.residuals.size()) + " distances but mesh.obj has " +
                                 std::to_string(out.mesh.positions.rows()) + " vertices");
    if (out.cell <= 0) throw std::runtime_error(jsonPath.toStdString() + ": grid.cell: not positive");
    return out;
}

DensityCliRun::DensityCliRun(QObject* parent) : QObject(parent) {}

DensityCliRun::~DensityCliRun() {
    if (running()) {
        process_->kill();
        process_->waitForFinished(3000);
    }
}

QString DensityCliRun::program() const { return program_.isEmpty() ? synthforgeProgram() : program_; }

bool DensityCliRun::running() const { return process_ && process_->state() != QProcess::NotRunning; }

bool DensityCliRun::start(const DensityCliOptions& options, QString* error) {
    const auto fail = [error](const QString& why) {
        if (error) *error = why;
        return false;
    };
    if (running()) return fail(tr("A density command is already running"));
    if (options.outDir.isEmpty() || !QDir().mkpath(options.outDir))
        return fail(tr("Cannot create the output folder %1").arg(options.outDir));
    options_ = options;
    stderr_.clear();
    stopRequested_ = false;
    if (process_) process_->deleteLater();
    process_ = makeCliChild(this, program(), densityArguments(options));
    connect(process_, &QProcess::readyReadStandardError, this, &DensityCliRun::readStderr);
    connect(process_, &QProcess::finished, this, &DensityCliRun::onFinished);
    QString why;
    if (!startCliChild(process_, &why)) return fail(why);
    return true;
}

void DensityCliRun::stop(int graceMs) {
    if (!running()) return;
    stopRequested_ = true;
    interruptCliChild(process_, this, graceMs);
}

void DensityCliRun::readStderr() {
    stderr_.take(process_->readAllStandardError(), [this](qint64 done, qint64 total) { emit progress(done, total); });
}

void DensityCliRun::onFinished(int exitCode, QProcess::ExitStatus status) {
    stderr_.buffer += '\n';  // a last line without its newline
    readStderr();
    const bool crashed = status != QProcess::NormalExit;
    const bool stopped = exitCode == kInterruptedExitCode || (stopRequested_ && crashed);
    const bool ok = !crashed && exitCode == 0;
    QString message;
    if (stopped)
        message = tr("Stopped");
    else if (crashed)
        message = tr("synthforge density crashed for %1").arg(options_.generator);
    else if (!ok)
        message = tr("synthforge density failed for %1 (exit code %2)").arg(options_.generator).arg(exitCode);
    if (!ok && !stopped && !stderr_.messages.isEmpty()) {
        // The CLI's own "error: ..." line says why; a libtorch backtrace may follow it.
        QString why = stderr_.messages.last();
        for (auto it = stderr_.messages.crbegin(); it != stderr_.messages.crend(); ++it)
            if (it->startsWith(QLatin1String("error"))) {
                why = *it;
                break;
            }
        message += QStringLiteral(": ") + why;
    }
    emit finished(ok, stopped, message);
}

}  // namespace synthforge::widgets
