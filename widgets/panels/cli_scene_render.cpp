#include "widgets/panels/cli_scene_render.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <opencv2/imgcodecs.hpp>

#include "widgets/runs/cli_child.h"
#include "widgets/runs/run_launcher.h"

namespace synthforge::widgets {

QStringList cliRenderArguments(const QString& sceneFile, const CliRenderOptions& o, const QString& outDir) {
    QStringList a{QStringLiteral("render"), QStringLiteral("--scene"), sceneFile, QStringLiteral("--generator"),
                  o.generator, QStringLiteral("--psi"), QString::number(o.psi), QStringLiteral("--head"), o.head};
    if (!o.alignment.isEmpty()) a << QStringLiteral("--alignment") << o.alignment;
    a << QStringLiteral("--out") << outDir;
    return a;
}

namespace {

cv::Mat readImage(const QString& path, int flags, bool required) {
    if (!QFileInfo::exists(path)) {
        if (required) throw std::runtime_error(path.toStdString() + ": missing");
        return {};
    }
    cv::Mat m = cv::imread(path.toStdString(), flags);
    if (m.empty()) throw std::runtime_error(path.toStdString() + ": cannot decode");
    return m;
}

QJsonArray array(const QJsonObject& o, const char* key, const QString& file) {
    const QJsonValue v = o.value(QLatin1String(key));
    if (!v.isArray()) throw std::runtime_error(file.toStdString() + ": " + key + ": missing or not an array");
    return v.toArray();
}

}  // namespace

generate::RenderedSample loadCliRender(const QString& dir) {
    const QDir d(dir);
    generate::RenderedSample s;
    s.image.image = readImage(d.filePath(QStringLiteral("000000_image.png")), cv::IMREAD_COLOR, true);
    annotate::Annotations& a = s.annotations;
    a.width = s.image.image.cols;
    a.height = s.image.image.rows;
    a.depth = readImage(d.filePath(QStringLiteral("000000_depth.tiff")), cv::IMREAD_UNCHANGED, true);
    if (a.depth.type() != CV_32FC1 || a.depth.size() != s.image.image.size())
        throw std::runtime_error(d.filePath(QStringLiteral("000000_depth.tiff")).toStdString() +
                                 ": not a float32 map of the image's size");
    const QString segPath = d.filePath(QStringLiteral("000000_segmentation.png"));
    a.segmentation = readImage(segPath, cv::IMREAD_UNCHANGED, false);
    if (!a.segmentation.empty() && (a.segmentation.type() != CV_8UC1 || a.segmentation.size() != s.image.image.size()))
        throw std::runtime_error(segPath.toStdString() + ": not 8-bit class ids of the image's size");

    const QString jsonPath = d.filePath(QStringLiteral("000000.json"));
    QFile f(jsonPath);
    if (!f.open(QIODevice::ReadOnly)) throw std::runtime_error(jsonPath.toStdString() + ": missing or unreadable");
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (!doc.isObject())
        throw std::runtime_error(jsonPath.toStdString() + ": not a JSON object (" + err.errorString().toStdString() + ")");
    const QJsonArray kps = array(doc.object(), "2d_kps", jsonPath);
    const QJsonArray visible = array(doc.object(), "kps_visible", jsonPath);
    if (visible.size() != kps.size())
        throw std::runtime_error(jsonPath.toStdString() + ": kps_visible: " + std::to_string(visible.size()) +
                                 " entries for " + std::to_string(kps.size()) + " landmarks");
    a.landmarks2d.resize(kps.size(), 2);
    for (int i = 0; i < kps.size(); ++i) {
        const QJsonArray xy = kps[i].toArray();
        if (xy.size() != 2) throw std::runtime_error(jsonPath.toStdString() + ": 2d_kps: entry " + std::to_string(i) + " is not [x, y]");
        // A landmark behind the camera is written as null: NaN, as the annotator has it.
        for (int k = 0; k < 2; ++k)
            a.landmarks2d(i, k) = xy[k].isDouble() ? static_cast<float>(xy[k].toDouble())
                                                   : std::numeric_limits<float>::quiet_NaN();
        a.landmarkVisible.push_back(visible[i].toInt() != 0 ? 1 : 0);
    }
    return s;
}

CliSceneRender::CliSceneRender(QObject* parent) : QObject(parent) {}

CliSceneRender::~CliSceneRender() {
    if (running()) {
        // Its finished() must not reach a half-destroyed owner.
        process_->disconnect(this);
        process_->kill();
        process_->waitForFinished(3000);
    }
}

QString CliSceneRender::program() const { return program_.isEmpty() ? synthforgeProgram() : program_; }

bool CliSceneRender::running() const { return process_ && process_->state() != QProcess::NotRunning; }

bool CliSceneRender::start(const scene::Scene& scene, const CliRenderOptions& options, QString* error) {
    const auto fail = [error](const QString& why) {
        if (error) *error = why;
        return false;
    };
    if (running()) return fail(tr("A render is already running"));
    if (!dir_.isValid()) return fail(tr("Cannot create a temporary folder: %1").arg(dir_.errorString()));
    const QString sceneFile = QDir(dir_.path()).filePath(QStringLiteral("scene.json"));
    const QString outDir = QDir(dir_.path()).filePath(QStringLiteral("out"));
    // Outputs of the previous run must not pass for this one's.
    QDir(outDir).removeRecursively();
    try {
        scene::saveScene(scene, sceneFile.toStdString());
    } catch (const std::exception& e) {
        return fail(QString::fromUtf8(e.what()));
    }
    options_ = options;
    if (process_) process_->deleteLater();
    process_ = makeCliChild(this, program(), cliRenderArguments(sceneFile, options, outDir));
    connect(process_, &QProcess::finished, this, &CliSceneRender::onFinished);
    clock_.start();
    QString why;
    if (!startCliChild(process_, &why)) return fail(why);
    return true;
}

void CliSceneRender::onFinished(int exitCode, QProcess::ExitStatus status) {
    const QString err = QString::fromUtf8(process_->readAllStandardError());
    std::shared_ptr<const generate::RenderedSample> sample;
    QString message;
    if (status != QProcess::NormalExit || exitCode != 0) {
        message = status != QProcess::NormalExit
                      ? tr("synthforge render crashed for %1").arg(options_.generator)
                      : tr("synthforge render failed for %1 (exit code %2)").arg(options_.generator).arg(exitCode);
        // The CLI's own "error: ..." line says why; a libtorch backtrace may follow it.
        const QStringList lines = err.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QString why = lines.isEmpty() ? QString() : lines.last().trimmed();
        for (const QString& l : lines)
            if (l.startsWith(QLatin1String("error"))) {
                why = l.trimmed();
                break;
            }
        if (!why.isEmpty()) message += QStringLiteral(": ") + why;
    } else {
        try {
            sample = std::make_shared<const generate::RenderedSample>(
                loadCliRender(QDir(dir_.path()).filePath(QStringLiteral("out"))));
        } catch (const std::exception& e) {
            message = QString::fromUtf8(e.what());
        }
    }
    emit finished(sample, message, static_cast<double>(clock_.nsecsElapsed()) / 1e6);
}

}  // namespace synthforge::widgets
