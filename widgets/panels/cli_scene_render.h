#pragma once
// Renders one scene through `synthforge render --scene` for the Generator tab
// when its generator is a TorchScript file. The studio never loads LibTorch
// (widgets/ stays torch-free), so the CLI (which hands the command on to
// synthforge-torch) runs the module and writes the image and raw maps; this
// reads them back into a RenderedSample the tab's overlay code draws on.

#include <memory>

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include "core/generate/sample_pipeline.h"
#include "core/scene/scene.h"

namespace synthforge::widgets {

struct CliRenderOptions {
    QString generator;  ///< the TorchScript file
    double psi = 0.7;
    QString head = QStringLiteral("default");
    QString alignment;  ///< a fit folder for --alignment, or empty
};

/// {"render", "--scene", SCENE, "--generator", F, "--psi", P, "--head", H,
///  ["--alignment", FIT,] "--out", DIR}
QStringList cliRenderArguments(const QString& sceneFile, const CliRenderOptions& options, const QString& outDir);

/// What `render --scene` wrote into `dir` for sample 0: 000000_image.png,
/// 000000.json (2d_kps, kps_visible), 000000_depth.tiff and, when the
/// pipeline has labels, 000000_segmentation.png. Throws std::runtime_error
/// naming the file (and field) that is missing or unreadable.
generate::RenderedSample loadCliRender(const QString& dir);

class CliSceneRender : public QObject {
    Q_OBJECT
public:
    explicit CliSceneRender(QObject* parent = nullptr);
    ~CliSceneRender() override;

    void setProgram(const QString& program) { program_ = program; }
    /// The CLI next to the studio (synthforgeProgram()) unless set.
    QString program() const;

    /// Saves `scene` to a temporary file and starts the CLI on it. False,
    /// with the reason in *error, when one is running, the scene cannot be
    /// written or the program does not start.
    bool start(const scene::Scene& scene, const CliRenderOptions& options, QString* error = nullptr);
    bool running() const;

signals:
    /// `sample` is null when it failed; `message` then says why (the CLI's
    /// error line, naming the file). `ms`: wall time from start to loaded.
    void finished(std::shared_ptr<const generate::RenderedSample> sample, const QString& message, double ms);

private:
    void onFinished(int exitCode, QProcess::ExitStatus status);

    QString program_;
    QProcess* process_ = nullptr;
    QTemporaryDir dir_;
    CliRenderOptions options_;
    QElapsedTimer clock_;
};

}  // namespace synthforge::widgets
