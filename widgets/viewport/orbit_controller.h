#pragma once
// The viewport's camera control through the SceneDocument, so that the
// camera panel follows and undo works: left drag orbits (yaw, pitch), middle
// drag or Shift + left drag pans (moves the camera's look-at pivot), the
// wheel zooms (radius). A drag is one undo step (beginDrag/endDrag), each
// wheel notch one.

#include <Qt>
#include <QPointF>

#include "widgets/viewport/viewport_geometry.h"

namespace synthforge::widgets {

class SceneDocument;

class OrbitController {
public:
    /// Radians of yaw/pitch per pixel of drag.
    static constexpr float kRadiansPerPixel = 0.01f;

    explicit OrbitController(SceneDocument* doc) : doc_(doc) {}

    bool dragging() const { return drag_ != Drag::None; }
    /// A press of `button` with `modifiers` at `pos` (logical pixels): starts
    /// an orbit or pan drag and returns true, or returns false when the press
    /// is not one (another button, or a drag already runs).
    bool press(Qt::MouseButton button, Qt::KeyboardModifiers modifiers, QPointF pos);
    /// The cursor moved to `pos` during a drag.
    void move(QPointF pos, const ViewportGeometry& view);
    /// A release of `button`: true when it ended the drag.
    bool release(Qt::MouseButton button);
    /// Wheel `angleDelta` (120 per notch): zooms. False for a zero delta.
    bool wheel(int angleDelta);

    /// Pans by a drag of `delta` logical pixels: the content moves with it
    /// (the pivot moves the other way in the image plane, at its depth).
    void panBy(QPointF delta, const ViewportGeometry& view);
    /// Puts the pivot back to the default (one undo step; nothing when already there).
    void resetPan();

private:
    enum class Drag { None, Orbit, Pan };
    SceneDocument* doc_;
    Drag drag_ = Drag::None;
    QPointF lastPos_;
};

}  // namespace synthforge::widgets
