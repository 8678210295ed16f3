#pragma once
// What the viewport's Dear ImGui HUD shows (the ImGui calls only; the widget
// owns the context through ImGuiQtBridge and calls this between
// beginFrame/endFrame):
//  - a panel in the top-left corner: frame time (paintGL, CPU) and fps; the
//    latency from a scene edit to the frame that shows it, last and p95 over
//    the rolling window; and, under the cursor, the pixel, the class name
//    (from the UV label map), depth, triangle and vertex id, and the nearest
//    landmark with its distance and visibility;
//  - next to a landmark under the cursor, its index label (in the landmark's
//    visibility colour).

#include <vector>

#include <Eigen/Core>

#include "core/annotate/pixel_pick.h"
#include "core/jobs/frame_stats.h"
#include "core/raster/window_raster.h"

namespace synthforge::widgets {

struct HudHover {
    bool inside = false;         ///< the cursor is over the viewport
    annotate::PixelPick pixel;             ///< device pixel under the cursor
    raster::LandmarkHit landmark;        ///< nearest landmark (device pixels)
    bool landmarkVisible = false;
    Eigen::Vector2f landmarkPos = Eigen::Vector2f::Zero();  ///< logical pixels, for the label
    bool labelShown = false;     ///< the cursor is close enough to label the landmark
};

/// The HUD panel's size-independent corner offset, logical pixels.
constexpr float kHudMargin = 8.0f;

/// `forwardMs`: the last head forward pass (LBS), part of the edit-to-frame time.
void drawViewportHud(const jobs::FrameStats& stats, double forwardMs, const HudHover& hover, const char* modeName,
                     bool hudPanel);

}  // namespace synthforge::widgets
