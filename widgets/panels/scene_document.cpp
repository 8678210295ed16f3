#include "widgets/panels/scene_document.h"

#include <QUndoStack>

#include "widgets/panels/scene_edit_command.h"

namespace synthforge::widgets {

SceneDocument::SceneDocument(QObject* parent) : QObject(parent), undo_(new QUndoStack(this)) {}

scene::Scene SceneDocument::padded(scene::Scene s) const {
    // Sliders address every component of the model; a scene from a file may
    // hold fewer (missing components are zero in the head model anyway).
    auto pad = [](Eigen::VectorXf& v, int n) {
        if (v.size() >= n) return;
        const Eigen::Index old = v.size();
        v.conservativeResize(n);
        v.tail(n - old).setZero();
    };
    pad(s.params.shape, numShape());
    pad(s.params.expr, numExpr());
    return s;
}

void SceneDocument::reset(const scene::Scene& scene, std::shared_ptr<const head::HeadModel> model) {
    const bool newModel = model != model_;
    model_ = std::move(model);
    undo_->clear();
    dragId_ = 0;
    scene_ = padded(scene);
    if (newModel) emit modelChanged();
    emit changed();
}

void SceneDocument::restore(const scene::Scene& scene) {
    scene_ = scene;
    emit changed();
}

void SceneDocument::edit(const scene::Scene& after, const QString& text, const QString& key) {
    if (after == scene_) return;  // no empty undo steps
    undo_->push(new SceneEditCommand(this, scene_, after, text, key, dragId_));
}

void SceneDocument::setShape(int index, float sigma) {
    scene::Scene s = padded(scene_);
    if (index < 0 || index >= s.params.shape.size()) return;
    s.params.shape[index] = sigma;
    edit(s, tr("Shape %1").arg(index), QStringLiteral("shape:%1").arg(index));
}

void SceneDocument::setExpr(int index, float sigma) {
    scene::Scene s = padded(scene_);
    if (index < 0 || index >= s.params.expr.size()) return;
    s.params.expr[index] = sigma;
    edit(s, tr("Expression %1").arg(index), QStringLiteral("expr:%1").arg(index));
}

void SceneDocument::setPoseValue(int index, float radians) {
    if (index < 0 || index >= head::kNumPoseValues) return;
    scene::Scene s = scene_;
    s.params.pose[index] = radians;
    edit(s, tr("Pose"), QStringLiteral("pose:%1").arg(index));
}

void SceneDocument::setCamera(const camera::OrbitCamera& camera, const QString& key) {
    scene::Scene s = scene_;
    s.camera = camera;
    edit(s, tr("Camera"), key);
}

void SceneDocument::setZSeed(std::uint64_t seed) {
    scene::Scene s = scene_;
    s.zSeed = seed;
    s.z.resize(0);  // the seed now decides the latent
    edit(s, tr("Latent seed"), QStringLiteral("z_seed"));
}

void SceneDocument::apply(const scene::Scene& scene, const QString& text) { edit(padded(scene), text, text); }

void SceneDocument::beginDrag() { dragId_ = nextDragId_++; }
void SceneDocument::endDrag() { dragId_ = 0; }

}  // namespace synthforge::widgets
