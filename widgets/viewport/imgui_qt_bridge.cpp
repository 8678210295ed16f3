#include "widgets/viewport/imgui_qt_bridge.h"

#include <algorithm>
#include <cfloat>

#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <imgui.h>
#include <backends/imgui_impl_opengl3.h>

namespace synthforge::widgets {

class ImGuiQtBridge::Scope {
public:
    explicit Scope(ImGuiContext* ctx) : previous_(ImGui::GetCurrentContext()) { ImGui::SetCurrentContext(ctx); }
    ~Scope() { ImGui::SetCurrentContext(previous_); }

private:
    ImGuiContext* previous_;
};

namespace {

int buttonIndex(Qt::MouseButton b) {
    switch (b) {
        case Qt::LeftButton: return 0;
        case Qt::RightButton: return 1;
        case Qt::MiddleButton: return 2;
        case Qt::BackButton: return 3;
        case Qt::ForwardButton: return 4;
        default: return -1;
    }
}

/// Qt key -> ImGuiKey_ (1.86 indexes io.KeysDown by our own numbering; we
/// use ImGuiKey_ values themselves, so io.KeyMap is the identity). -1: none.
int imguiKey(int qtKey) {
    switch (qtKey) {
        case Qt::Key_Tab: return ImGuiKey_Tab;
        case Qt::Key_Left: return ImGuiKey_LeftArrow;
        case Qt::Key_Right: return ImGuiKey_RightArrow;
        case Qt::Key_Up: return ImGuiKey_UpArrow;
        case Qt::Key_Down: return ImGuiKey_DownArrow;
        case Qt::Key_PageUp: return ImGuiKey_PageUp;
        case Qt::Key_PageDown: return ImGuiKey_PageDown;
        case Qt::Key_Home: return ImGuiKey_Home;
        case Qt::Key_End: return ImGuiKey_End;
        case Qt::Key_Insert: return ImGuiKey_Insert;
        case Qt::Key_Delete: return ImGuiKey_Delete;
        case Qt::Key_Backspace: return ImGuiKey_Backspace;
        case Qt::Key_Space: return ImGuiKey_Space;
        case Qt::Key_Return: return ImGuiKey_Enter;
        case Qt::Key_Escape: return ImGuiKey_Escape;
        case Qt::Key_Enter: return ImGuiKey_KeyPadEnter;
        case Qt::Key_A: return ImGuiKey_A;
        case Qt::Key_C: return ImGuiKey_C;
        case Qt::Key_V: return ImGuiKey_V;
        case Qt::Key_X: return ImGuiKey_X;
        case Qt::Key_Y: return ImGuiKey_Y;
        case Qt::Key_Z: return ImGuiKey_Z;
        default: return -1;
    }
}

void setModifiers(ImGuiIO& io, Qt::KeyboardModifiers m) {
    io.KeyCtrl = m.testFlag(Qt::ControlModifier);
    io.KeyShift = m.testFlag(Qt::ShiftModifier);
    io.KeyAlt = m.testFlag(Qt::AltModifier);
    io.KeySuper = m.testFlag(Qt::MetaModifier);
}

}  // namespace

ImGuiQtBridge::ImGuiQtBridge() {
    IMGUI_CHECKVERSION();
    ImGuiContext* previous = ImGui::GetCurrentContext();
    ctx_ = ImGui::CreateContext();  // its own font atlas: contexts share nothing
    ImGui::SetCurrentContext(ctx_);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // the HUD's layout is fixed; no imgui.ini next to the user's files
    io.LogFilename = nullptr;
    io.BackendPlatformName = "synthforge_qt";
    for (int k = 0; k < ImGuiKey_COUNT; ++k) io.KeyMap[k] = k;
    ImGui::StyleColorsDark();
    ImGui::SetCurrentContext(previous);
    clock_.start();
}

ImGuiQtBridge::~ImGuiQtBridge() {
    // The backend's GL objects must have gone with releaseGl(); a context
    // without GL (never shown) only frees memory here.
    if (glReady_) {
        Scope s(ctx_);
        ImGui_ImplOpenGL3_Shutdown();  // frees backend data; GL calls on a dead context are the caller's bug
        glReady_ = false;
    }
    ImGui::DestroyContext(ctx_);
}

bool ImGuiQtBridge::initializeGl(QString* error) {
    Scope s(ctx_);
    if (glReady_) ImGui_ImplOpenGL3_Shutdown();
    glReady_ = ImGui_ImplOpenGL3_Init("#version 330 core");
    if (!glReady_ && error) *error = QStringLiteral("Dear ImGui's OpenGL 3 backend could not load OpenGL");
    return glReady_;
}

void ImGuiQtBridge::releaseGl() {
    if (!glReady_) return;
    Scope s(ctx_);
    ImGui_ImplOpenGL3_Shutdown();
    glReady_ = false;
}

void ImGuiQtBridge::beginFrame(int width, int height, double devicePixelRatio) {
    if (inFrame_) endFrame();
    // The context stays current until endFrame(): the caller's ImGui calls go to it.
    previous_ = ImGui::GetCurrentContext();
    ImGui::SetCurrentContext(ctx_);
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(static_cast<float>(std::max(1, width)), static_cast<float>(std::max(1, height)));
    io.DisplayFramebufferScale = ImVec2(static_cast<float>(devicePixelRatio), static_cast<float>(devicePixelRatio));
    // ImGui asserts on a zero step; two paints in one microsecond are possible.
    const qint64 ns = clock_.nsecsElapsed();
    clock_.restart();
    io.DeltaTime = std::max(1e-6f, static_cast<float>(ns) * 1e-9f);
    for (int b = 0; b < 5; ++b) {
        io.MouseDown[b] = down_[b] || latched_[b];
        latched_[b] = false;
    }
    if (glReady_) ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    inFrame_ = true;
}

void ImGuiQtBridge::endFrame() {
    if (!inFrame_) return;
    ImGui::SetCurrentContext(ctx_);
    ImGui::Render();
    if (glReady_) ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    inFrame_ = false;
    ImGui::SetCurrentContext(previous_);
}

bool ImGuiQtBridge::mousePress(const QMouseEvent* e) {
    Scope s(ctx_);
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(static_cast<float>(e->position().x()), static_cast<float>(e->position().y()));
    setModifiers(io, e->modifiers());
    const int b = buttonIndex(e->button());
    if (b >= 0) down_[b] = latched_[b] = true;
    return io.WantCaptureMouse;
}

bool ImGuiQtBridge::mouseRelease(const QMouseEvent* e) {
    Scope s(ctx_);
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(static_cast<float>(e->position().x()), static_cast<float>(e->position().y()));
    const int b = buttonIndex(e->button());
    if (b >= 0) down_[b] = false;  // latched_ keeps a quick click alive for one frame
    return io.WantCaptureMouse;
}

bool ImGuiQtBridge::mouseMove(const QMouseEvent* e) {
    Scope s(ctx_);
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(static_cast<float>(e->position().x()), static_cast<float>(e->position().y()));
    setModifiers(io, e->modifiers());
    return io.WantCaptureMouse;
}

bool ImGuiQtBridge::wheel(const QWheelEvent* e) {
    Scope s(ctx_);
    ImGuiIO& io = ImGui::GetIO();
    // One notch (120 eighths of a degree) is one ImGui wheel step.
    io.MouseWheel += static_cast<float>(e->angleDelta().y()) / 120.0f;
    io.MouseWheelH += static_cast<float>(e->angleDelta().x()) / 120.0f;
    return io.WantCaptureMouse;
}

bool ImGuiQtBridge::key(const QKeyEvent* e, bool down) {
    Scope s(ctx_);
    ImGuiIO& io = ImGui::GetIO();
    setModifiers(io, e->modifiers());
    const int k = imguiKey(e->key());
    if (k >= 0) io.KeysDown[k] = down;
    if (down && !e->text().isEmpty() && e->text().at(0).isPrint()) io.AddInputCharactersUTF8(e->text().toUtf8().constData());
    return io.WantCaptureKeyboard;
}

void ImGuiQtBridge::focus(bool in) {
    Scope s(ctx_);
    ImGui::GetIO().AddFocusEvent(in);
    if (!in)
        for (bool& d : down_) d = false;
}

void ImGuiQtBridge::leave() {
    Scope s(ctx_);
    // Off the widget: no hover highlight in the HUD.
    ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
}

bool ImGuiQtBridge::wantsMouse() const {
    Scope s(ctx_);
    return ImGui::GetIO().WantCaptureMouse;
}

bool ImGuiQtBridge::wantsKeyboard() const {
    Scope s(ctx_);
    return ImGui::GetIO().WantCaptureKeyboard;
}

}  // namespace synthforge::widgets
