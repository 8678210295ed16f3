#pragma once
// The explorer's interpolation strip (docs/explore.md): two scenes, A and
// B, taken from the current scene when the user sets them, and N frames
// between them (core/scene/scene_interpolation.h: slerp for z, lerp for
// FLAME parameters, a path along the orbit for the camera), rendered off
// the GUI thread into a filmstrip. Clicking a frame loads it as the scene
// (one undo step); the frames export as scene files, or as full-size
// images with their annotations and a video (what `explore interp` writes).

#include <memory>
#include <optional>
#include <vector>

#include <QFutureWatcher>
#include <QImage>
#include <QString>
#include <QWidget>

#include "core/scene/interpolation_export.h"
#include "core/scene/scene.h"
#include "widgets/explore/cell_render_job.h"

class QHBoxLayout;
class QLabel;
class QPushButton;
class QSpinBox;

namespace synthforge::widgets {

class SceneDocument;

class InterpStrip : public QWidget {
    Q_OBJECT
public:
    explicit InterpStrip(SceneDocument* doc, QWidget* parent = nullptr);
    ~InterpStrip() override;

    /// Takes the current scene as end A (true) or B (false).
    void setEnd(bool a);
    void setFrames(int n);
    /// Renders the strip; false, with the reason shown, when A or B is
    /// missing or the two cannot be interpolated (another head model,
    /// generator or size).
    bool render();
    /// Loads frame k as the scene (one undo step).
    void loadFrame(int k);
    /// Writes the frames as DIR/frame_NNNN.scene.json; returns the count.
    int exportFrames(const QString& dir) const;
    /// Renders the frames at the scenes' full size into DIR as `explore
    /// interp` does (frame_NNNN.png with its annotation frame_NNNN.json) and,
    /// unless `video` is empty, as that video file too. Blocking; the button
    /// runs it off the GUI thread. Throws what core/scene/interpolation_export.h throws.
    void exportImages(const QString& dir, const QString& video) const;

    int frameCount() const { return static_cast<int>(scenes_.size()); }
    int filled() const { return filled_; }
    const scene::Scene& frameScene(int k) const { return scenes_.at(static_cast<std::size_t>(k)); }
    QWidget* frameWidget(int k) const;
    QString status() const;

signals:
    void finished();

private:
    scene::InterpolationExport exportOptions(const QString& dir, const QString& video) const;
    void frameReady(int generation, int index, const QImage& image);
    void showError(const QString& text);

    SceneDocument* doc_;
    std::optional<scene::Scene> a_, b_;
    QPushButton *setA_, *setB_, *render_, *export_, *exportImages_;
    QSpinBox* frames_;
    QLabel* status_;
    QWidget* stripHost_;
    QHBoxLayout* strip_;
    std::vector<QWidget*> frameWidgets_;
    std::vector<scene::Scene> scenes_;
    int filled_ = 0, generation_ = 0, tile_ = 128;
    std::unique_ptr<CellRenderJob> job_;
    QFutureWatcher<QString> exporting_;  ///< the running image export ("" = done, else the error)
};

}  // namespace synthforge::widgets
