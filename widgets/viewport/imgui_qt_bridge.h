#pragma once
// Dear ImGui inside one QOpenGLWidget: its own ImGui context (so several
// viewports never share input or state), the OpenGL3 backend of ImGui 1.86
// for drawing, and our own translation of Qt's input events into ImGuiIO.
//
// ImGui 1.86 reads input as state at NewFrame (no event queue yet), while Qt
// delivers events between frames; a press and release between two frames
// would be lost, so a press is latched until one frame has seen it.
//
// Usage, in the widget: initializeGl() in initializeGL, then per paintGL
// beginFrame() ... ImGui calls ... endFrame(); forward mouse, wheel and key
// events to the handlers, which return true when ImGui wants the event (the
// cursor is over an ImGui window), in which case the widget should not use
// it. releaseGl() with the GL context current before it goes away.

#include <QElapsedTimer>
#include <QString>

class QKeyEvent;
class QMouseEvent;
class QWheelEvent;
struct ImGuiContext;

namespace synthforge::widgets {

class ImGuiQtBridge {
public:
    ImGuiQtBridge();
    ~ImGuiQtBridge();
    ImGuiQtBridge(const ImGuiQtBridge&) = delete;
    ImGuiQtBridge& operator=(const ImGuiQtBridge&) = delete;

    /// Creates the backend's GL objects ("#version 330 core" shaders); false
    /// with a message when the backend cannot load GL. Needs the context current.
    bool initializeGl(QString* error);
    void releaseGl();
    bool ready() const { return glReady_; }

    /// Starts an ImGui frame and makes this bridge's context current until
    /// endFrame(), so that the caller's ImGui calls in between draw into it.
    /// For a widget of `width` x `height` logical
    /// pixels drawn at `devicePixelRatio` (HiDPI: ImGui lays out in logical
    /// pixels, the backend scales to the framebuffer).
    void beginFrame(int width, int height, double devicePixelRatio);
    /// Renders the frame's draw lists into the currently bound framebuffer.
    void endFrame();

    // Input; each returns true when ImGui captures it.
    bool mousePress(const QMouseEvent* e);
    bool mouseRelease(const QMouseEvent* e);
    bool mouseMove(const QMouseEvent* e);
    bool wheel(const QWheelEvent* e);
    bool key(const QKeyEvent* e, bool down);
    void focus(bool in);
    void leave();

    bool wantsMouse() const;
    bool wantsKeyboard() const;
    ImGuiContext* context() const { return ctx_; }

private:
    /// Makes this bridge's context current for the calling scope.
    class Scope;
    ImGuiContext* ctx_ = nullptr;
    ImGuiContext* previous_ = nullptr;  ///< current before beginFrame(), restored by endFrame()
    bool glReady_ = false;
    bool inFrame_ = false;
    bool down_[5] = {};
    bool latched_[5] = {};  ///< pressed since the last frame (see the header comment)
    QElapsedTimer clock_;
};

}  // namespace synthforge::widgets
