#include "widgets/viewport/viewport_hud.h"

#include <cstdio>

#include <imgui.h>

namespace synthforge::widgets {

namespace {
// The overlays' landmark colours (generator view and viewport points).
const ImVec4 kVisible(0.1f, 0.95f, 0.3f, 1.0f);
const ImVec4 kOccluded(0.95f, 0.2f, 0.15f, 1.0f);

void landmarkLabel(const HudHover& h) {
    if (!h.labelShown || h.landmark.index < 0) return;
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    const ImU32 colour = ImGui::GetColorU32(h.landmarkVisible ? kVisible : kOccluded);
    const ImVec2 p(h.landmarkPos.x(), h.landmarkPos.y());
    dl->AddCircle(p, 7.0f, colour, 16, 2.0f);
    char text[16];
    std::snprintf(text, sizeof text, "%d", h.landmark.index);
    // A dark box behind the digits keeps them readable on skin and background.
    const ImVec2 size = ImGui::CalcTextSize(text);
    const ImVec2 at(p.x + 9.0f, p.y - size.y - 4.0f);
    dl->AddRectFilled(ImVec2(at.x - 2, at.y - 1), ImVec2(at.x + size.x + 2, at.y + size.y + 1), IM_COL32(0, 0, 0, 170), 3.0f);
    dl->AddText(at, colour, text);
}
}  // namespace

void drawViewportHud(const jobs::FrameStats& stats, double forwardMs, const HudHover& hover, const char* modeName,
                     bool hudPanel) {
    landmarkLabel(hover);
    if (!hudPanel) return;
    ImGui::SetNextWindowPos(ImVec2(kHudMargin, kHudMargin), ImGuiCond_Always);
    ImGui::SetNextWindowBgAlpha(0.72f);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                   ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings |
                                   ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav;
    // Collapsible by its title bar arrow, which is why the HUD takes mouse input.
    if (ImGui::Begin("Viewport HUD", nullptr, flags)) {
        ImGui::Text("mode %s", modeName);
        ImGui::Text("frame %.2f ms (paintGL)  %.1f fps", stats.lastPaintMs(), stats.fps());
        ImGui::Text("edit->frame %.2f ms  p95 %.2f ms (n=%zu)", stats.lastLatencyMs(), stats.latencyPercentile(95.0),
                    stats.latencyCount());
        ImGui::Text("  of which LBS %.2f ms", forwardMs);
        ImGui::Separator();
        if (!hover.inside) {
            ImGui::TextDisabled("cursor outside the view");
        } else {
            const annotate::PixelPick& p = hover.pixel;
            ImGui::Text("pixel (%d, %d)", p.x, p.y);
            ImGui::Text("class %s", p.className.empty() ? "n/a (no label map)" : p.className.c_str());
            if (p.hit) {
                ImGui::Text("depth %.4f", p.depth);
                ImGui::Text("triangle %d  vertex %d", p.triangle, p.vertex);
            } else {
                ImGui::TextDisabled("depth -  triangle -  vertex -");
            }
            if (hover.landmark.index >= 0) {
                ImGui::Text("landmark %d (%.1f px, ", hover.landmark.index, hover.landmark.distance);
                ImGui::SameLine(0.0f, 0.0f);
                ImGui::TextColored(hover.landmarkVisible ? kVisible : kOccluded, "%s",
                                   hover.landmarkVisible ? "visible" : "occluded");
                ImGui::SameLine(0.0f, 0.0f);
                ImGui::TextUnformatted(")");
            } else {
                ImGui::TextDisabled("landmark -");
            }
        }
    }
    ImGui::End();
}

}  // namespace synthforge::widgets
