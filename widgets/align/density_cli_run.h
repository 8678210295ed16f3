#pragma once
// Runs `synthforge density` for the Align tab when the generator is a
// TorchScript file: the studio keeps torch out of its process, so the CLI
// samples the density, extracts the iso-surface and measures the posed head
// against it, and the tab reads what it wrote (loadDensityOutputs). Its JSON
// progress lines on stderr are followed; stop() sends SIGINT as Ctrl+C would
// (exit 130), and kills it if it has not exited a few seconds later.

#include <QObject>
#include <QProcess>

#include "widgets/runs/cli_child.h"
#include <QString>
#include <QStringList>

#include <vector>

#include "core/io/mesh_io.h"

namespace synthforge::widgets {

struct DensityCliOptions {
    QString generator;  ///< a TorchScript file (or "procedural")
    double psi = 0.7;
    quint64 seed = 0, index = 0;
    int resolution = 64;
    QString alignment;  ///< a fit folder for --alignment, or empty
    QString outDir;
};

/// {"density", "--generator", F, ["--psi", P,] ["--alignment", FIT,] "--seed", S, "--index", I,
///  "--resolution", N, "--out", DIR, "--progress", "json"}; --psi only for a TorchScript file.
QStringList densityArguments(const DensityCliOptions& options);

/// What `synthforge density --out DIR` wrote, in generator-world units.
struct DensityOutputs {
    io::TriMesh surface;           ///< isosurface.obj
    io::TriMesh mesh;              ///< mesh.obj: the CLI's posed (and corrected) head
    std::vector<float> residuals;  ///< per mesh vertex: distance to the surface
    float level = 0, surfaceLevel = 0, cell = 0, fieldMin = 0, fieldMax = 0;
    QString generatorName;
};

/// Reads DIR/isosurface.obj, DIR/mesh.obj and DIR/distances.json. Throws
/// std::runtime_error naming the file (and field) when one is missing or
/// unreadable, or when the per-vertex distances do not match mesh.obj's
/// vertex count.
DensityOutputs loadDensityOutputs(const QString& dir);

class DensityCliRun : public QObject {
    Q_OBJECT
public:
    explicit DensityCliRun(QObject* parent = nullptr);
    ~DensityCliRun() override;

    void setProgram(const QString& program) { program_ = program; }
    /// The CLI next to the studio (synthforgeProgram()) unless set.
    QString program() const;

    /// False, with the reason in *error, when one is running, the folder
    /// cannot be made or the program does not start.
    bool start(const DensityCliOptions& options, QString* error = nullptr);
    bool running() const;
    void stop(int graceMs = 5000);
    const DensityCliOptions& options() const { return options_; }

signals:
    void progress(qint64 done, qint64 total);
    /// ok: exit code 0. stopped: interrupted. message: why it failed, with
    /// the command's last error line.
    void finished(bool ok, bool stopped, const QString& message);

private:
    void readStderr();
    void onFinished(int exitCode, QProcess::ExitStatus status);

    QString program_;
    QProcess* process_ = nullptr;
    DensityCliOptions options_;
    CliStderr stderr_;
    bool stopRequested_ = false;
};

}  // namespace synthforge::widgets
