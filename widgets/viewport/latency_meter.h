#pragma once
// The viewport's edit-to-frame latency. An edit of the document starts a
// clock (the first edit since the last painted frame); the frame painted
// after it stops it when QOpenGLWidget::frameSwapped says the window
// presented it. A frame painted for grabFramebuffer() is never presented: it
// drops the waiting edits instead of timing them.

#include <QElapsedTimer>

#include "core/jobs/frame_stats.h"

namespace synthforge::widgets {

class LatencyMeter {
public:
    LatencyMeter() { clock_.start(); }

    /// The document changed: starts the clock unless an edit already waits.
    void edited() {
        if (pendingEditNs_ < 0) pendingEditNs_ = clock_.nsecsElapsed();
    }
    /// Forgets waiting edits (e.g. made before GL started: the first frame's
    /// time is GL start-up, not an edit's latency).
    void dropPending() { pendingEditNs_ = -1; }
    /// A frame was drawn in `paintMs`; `willPresent` when a swap follows
    /// (painted for the screen, not for grabFramebuffer()). It shows every
    /// edit up to now.
    void frameDrawn(double paintMs, bool willPresent) {
        lastPaintMs_ = paintMs;
        if (pendingEditNs_ >= 0 && willPresent) frameEditNs_ = pendingEditNs_;
        pendingEditNs_ = -1;
    }
    /// The window presented the last frame: records it and returns its
    /// latency in ms, or -1 when no edit was waiting for it.
    double framePresented() {
        const qint64 now = clock_.nsecsElapsed();
        const double latency = frameEditNs_ >= 0 ? static_cast<double>(now - frameEditNs_) * 1e-6 : -1.0;
        frameEditNs_ = -1;
        stats_.addFrame(static_cast<double>(now) * 1e-6, lastPaintMs_, latency);
        return latency;
    }

    const jobs::FrameStats& stats() const { return stats_; }
    void clear() { stats_.clear(); }

private:
    QElapsedTimer clock_;
    qint64 pendingEditNs_ = -1, frameEditNs_ = -1;
    double lastPaintMs_ = 0.0;
    jobs::FrameStats stats_;
};

}  // namespace synthforge::widgets
