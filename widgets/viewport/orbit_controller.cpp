#include "widgets/viewport/orbit_controller.h"

#include <algorithm>
#include <cmath>

#include "core/camera/orbit_camera.h"
#include "render/gl_camera.h"
#include "widgets/panels/scene_document.h"

namespace synthforge::widgets {

namespace {
// Pitch stays clear of the poles, where the look-at pose degenerates.
constexpr float kMaxPitch = 1.5f;
constexpr float kMinRadius = 1.0f, kMaxRadius = 10.0f;
}  // namespace

bool OrbitController::press(Qt::MouseButton button, Qt::KeyboardModifiers modifiers, QPointF pos) {
    const bool pan = button == Qt::MiddleButton || (button == Qt::LeftButton && modifiers.testFlag(Qt::ShiftModifier));
    if (drag_ != Drag::None || (!pan && button != Qt::LeftButton)) return false;
    drag_ = pan ? Drag::Pan : Drag::Orbit;
    lastPos_ = pos;
    doc_->beginDrag();  // the whole drag is one undo step
    return true;
}

void OrbitController::move(QPointF pos, const ViewportGeometry& view) {
    if (drag_ == Drag::None) return;
    const QPointF d = pos - lastPos_;
    lastPos_ = pos;
    if (d.isNull()) return;
    if (drag_ == Drag::Pan) return panBy(d, view);
    // The head follows the mouse: dragging right turns its face to the
    // right, i.e. the camera moves toward -x (yaw decreases); dragging down
    // tips the top toward the viewer, i.e. the camera rises (pitch decreases).
    camera::OrbitCamera c = doc_->scene().camera;
    c.yaw -= kRadiansPerPixel * static_cast<float>(d.x());
    c.pitch = std::clamp(c.pitch - kRadiansPerPixel * static_cast<float>(d.y()), -kMaxPitch, kMaxPitch);
    doc_->setCamera(c, QStringLiteral("viewport.orbit"));
}

bool OrbitController::release(Qt::MouseButton button) {
    const bool ends = (drag_ == Drag::Orbit && button == Qt::LeftButton) ||
                      (drag_ == Drag::Pan && (button == Qt::MiddleButton || button == Qt::LeftButton));
    if (!ends) return false;
    drag_ = Drag::None;
    doc_->endDrag();
    return true;
}

bool OrbitController::wheel(int angleDelta) {
    if (angleDelta == 0) return false;
    // 120 units per notch; each notch scales the distance by ~10%.
    camera::OrbitCamera c = doc_->scene().camera;
    c.radius = std::clamp(c.radius * std::pow(0.9f, static_cast<float>(angleDelta) / 120.0f), kMinRadius, kMaxRadius);
    doc_->setCamera(c, QStringLiteral("viewport.zoom"));
    return true;
}

void OrbitController::panBy(QPointF delta, const ViewportGeometry& view) {
    // The camera sits on its orbit sphere around the world origin and looks
    // at the pivot, so a pan moves the pivot: onto the ray of the pixel that
    // is `delta` away from the image centre the other way, at the pivot's
    // depth. Looking there brings the old pivot (and everything near its
    // depth) `delta` pixels along, to first order in the turn angle.
    camera::OrbitCamera c = doc_->scene().camera;
    try {
        const camera::PinholeCamera pin = c.pinhole();
        const raster::Intrinsics k =
            render::viewportIntrinsics(pin, doc_->scene().width, doc_->scene().height, view.width, view.height);
        const Eigen::Matrix3f r = pin.cam2world.topLeftCorner<3, 3>();
        const Eigen::Vector3f centre = pin.cam2world.topRightCorner<3, 1>();
        const float depth = (r.transpose() * (c.pivot - centre)).z();
        const Eigen::Vector3f ray(-static_cast<float>(delta.x() * view.dpr) / k.fx,
                                  -static_cast<float>(delta.y() * view.dpr) / k.fy, 1.0f);
        c.pivot = centre + r * (ray * depth);
        (void)c.cam2world();  // refuse a pivot the camera would sit on
    } catch (const std::exception&) {
        return;
    }
    doc_->setCamera(c, QStringLiteral("viewport.pan"));
}

void OrbitController::resetPan() {
    camera::OrbitCamera c = doc_->scene().camera;
    if (c.pivot == camera::defaultPivot()) return;
    c.pivot = camera::defaultPivot();
    doc_->setCamera(c, QStringLiteral("viewport.pan.reset"));
}

}  // namespace synthforge::widgets
