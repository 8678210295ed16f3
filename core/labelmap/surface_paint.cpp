#include "core/labelmap/surface_paint.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/annotate/pixel_pick.h"
#include "core/labelmap/brush.h"
#include "core/labelmap/mirror_paint.h"

namespace synthforge::labelmap {

namespace {
/// Without UV islands, a jump between consecutive hits of more than this many
/// times the texels the screen motion implies (plus some slack for the
/// brush's own size) is taken as a seam: on one chart the map is locally a
/// smooth stretch of the screen, across a seam it leaps across the atlas.
constexpr float kSeamStretch = 4.0f;
constexpr float kSeamSlackTexels = 8.0f;
}  // namespace

Eigen::Vector2f uvAt(const head::HeadModel& model, int triangle, const Eigen::Vector3f& bary) {
    const auto t = model.uvFaces.row(triangle);
    const Eigen::RowVector2f uv =
        bary[0] * model.uv.row(t[0]) + bary[1] * model.uv.row(t[1]) + bary[2] * model.uv.row(t[2]);
    return uv.transpose();
}

Eigen::Vector2f uvToTexel(const Eigen::Vector2f& uv, int size) {
    const float s = static_cast<float>(size);
    return {uv.x() * s, (1.0f - uv.y()) * s};  // docs/label_editor.md "Coordinates"
}

float texelsPerPixel(const head::HeadModel& model, const raster::Vertices& cam, const raster::Intrinsics& k,
                     int triangle, int size) {
    Eigen::Vector2d px[3], uv[3];
    for (int c = 0; c < 3; ++c) {
        const Eigen::Vector3d p = cam.row(model.faces(triangle, c)).cast<double>();
        if (!(p.z() > 0.0)) return std::numeric_limits<float>::infinity();
        px[c] = {k.fx * p.x() / p.z() + k.cx, k.fy * p.y() / p.z() + k.cy};
        uv[c] = model.uv.row(model.uvFaces(triangle, c)).cast<double>().transpose() * static_cast<double>(size);
    }
    auto area = [](const Eigen::Vector2d* v) {
        const Eigen::Vector2d a = v[1] - v[0], b = v[2] - v[0];
        return 0.5 * std::abs(a.x() * b.y() - a.y() * b.x());
    };
    const double screen = area(px), texels = area(uv);
    if (texels <= 0.0) return 0.0f;
    if (screen <= 0.0) return std::numeric_limits<float>::infinity();
    return static_cast<float>(std::sqrt(texels / screen));
}

int brushTexelDiameter(float screenDiameter, float tpp) {
    const float d = screenDiameter * tpp;
    if (!(d == d)) return kMinBrushDiameter;  // NaN (0 * inf): nothing sensible, the smallest
    if (d >= static_cast<float>(kMaxBrushDiameter)) return kMaxBrushDiameter;
    return std::clamp(static_cast<int>(std::lround(d)), kMinBrushDiameter, kMaxBrushDiameter);
}

SurfacePicker::SurfacePicker(const head::HeadModel& model, raster::Vertices cameraVertices,
                             const raster::Intrinsics& k, int width, int height)
    : model_(&model), cam_(std::move(cameraVertices)), raster_(cam_, model.faces, k, width, height) {}

SurfacePoint SurfacePicker::pick(float x, float y, int canvasSize) const {
    SurfacePoint s;
    if (empty() || !model_->hasUv() || canvasSize <= 0 || !std::isfinite(x) || !std::isfinite(y)) return s;
    const annotate::PixelPick p =
        annotate::pickPixel(raster_, *model_, nullptr, static_cast<int>(std::floor(x)), static_cast<int>(std::floor(y)));
    if (!p.hit) return s;
    s.hit = true;
    s.triangle = p.triangle;
    s.bary = p.bary;
    s.uv = uvAt(*model_, p.triangle, p.bary);
    s.texel = uvToTexel(s.uv, canvasSize);
    s.texelsPerPixel = texelsPerPixel(*model_, cam_, raster_.intrinsics(), p.triangle, canvasSize);
    return s;
}

SurfaceStroke::SurfaceStroke(LabelCanvas& canvas, SurfaceBrush brush,
                             std::shared_ptr<const UvIslandMap> islands)
    : canvas_(canvas), brush_(std::move(brush)), islands_(std::move(islands)) {
    if (brush_.mirror && brush_.mirror->empty()) brush_.mirror.reset();
}

SurfaceStroke::~SurfaceStroke() = default;  // an unfinished edit restores its tiles

bool SurfaceStroke::sameIsland(const SurfacePoint& a, const Eigen::Vector2f& sa, const SurfacePoint& b,
                               const Eigen::Vector2f& sb) const {
    if (islands_) {
        const auto& faces = islands_->faceIslands();
        const auto n = static_cast<int>(faces.size());
        if (a.triangle < n && b.triangle < n) return faces[a.triangle] == faces[b.triangle];
    }
    float tpp = std::max(a.texelsPerPixel, b.texelsPerPixel);
    if (!std::isfinite(tpp)) tpp = static_cast<float>(kMaxBrushDiameter);
    const float expected = kSeamStretch * tpp * std::max(1.0f, (sb - sa).norm()) + kSeamSlackTexels;
    return (b.texel - a.texel).norm() <= expected;
}

void SurfaceStroke::paint(CanvasEdit& edit, const Dab& dab, bool mirrorToo) const {
    drawStroke(edit, dab.points, dab.diameter, brush_.classId);
    if (mirrorToo && brush_.mirror)
        for (const auto& piece : mirrorStroke(*brush_.mirror, dab.points, dab.diameter, canvas_.size()))
            drawStroke(edit, piece, dab.diameter, brush_.flip[brush_.classId]);
}

TexelRect SurfaceStroke::add(const SurfacePoint& p, const Eigen::Vector2f& screen) {
    if (!p.hit || canvas_.empty()) {
        open_ = false;  // the next hit starts a new segment
        return {};
    }
    if (!edit_) edit_ = std::make_unique<CanvasEdit>(canvas_);
    Dab dab;
    dab.diameter = brushTexelDiameter(brush_.screenDiameter, p.texelsPerPixel);
    if (open_ && sameIsland(last_, lastScreen_, p, screen)) {
        if (p.texel == last_.texel) return {};
        dab.points = {last_.texel, p.texel};
        dab.segment = segments_ - 1;
    } else {
        dab.points = {p.texel};
        dab.segment = segments_++;
    }
    paint(*edit_, dab, true);
    dabs_.push_back(std::move(dab));
    last_ = p;
    lastScreen_ = screen;
    open_ = true;
    const TexelRect written = edit_->takeWritten();
    live_ = live_.united(written);
    return written;
}

StrokeRecord SurfaceStroke::finish(TexelRect* shown) {
    if (shown) *shown = {};
    if (!edit_) return {};
    if (!brush_.mirror) {
        StrokeRecord record = edit_->commit();
        edit_.reset();
        return record;
    }
    // The live preview painted each dab's mirror right after it, so a later
    // dab may have covered an earlier mirror near the midline; the recorded
    // stroke follows paintStrokeMirrored's rule instead: all dabs, then all
    // mirrors. Dropping the live edit restores its tiles first.
    edit_.reset();
    if (shown) *shown = live_;
    CanvasEdit edit(canvas_);
    for (const Dab& dab : dabs_) drawStroke(edit, dab.points, dab.diameter, brush_.classId);
    for (const Dab& dab : dabs_)
        for (const auto& piece : mirrorStroke(*brush_.mirror, dab.points, dab.diameter, canvas_.size()))
            drawStroke(edit, piece, dab.diameter, brush_.flip[brush_.classId]);
    return edit.commit();
}

}  // namespace synthforge::labelmap
