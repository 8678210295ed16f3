#include "widgets/label_editor/label_canvas_view.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <utility>

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include "core/labelmap/brush.h"
#include "core/labelmap/mirror_paint.h"
#include "core/labelmap/region_fill.h"
#include "widgets/label_editor/label_edit_document.h"

namespace synthforge::widgets {

namespace {
constexpr double kMinZoom = 1.0 / 32, kMaxZoom = 64;
constexpr double kWheelZoomStep = 1.25;  ///< per wheel notch (120 units)

/// Bracket keys step by 1 for small brushes and ~10 % for large ones, so
/// both a 1 -> 5 and a 50 -> 200 change take a few presses.
int sizeStep(int d) { return d < 10 ? 1 : std::max(1, d / 10); }
}  // namespace

LabelCanvasView::LabelCanvasView(LabelEditDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(200, 200);
    setCursor(Qt::CrossCursor);
    setAttribute(Qt::WA_OpaquePaintEvent);
    connect(doc_, &LabelEditDocument::mapChanged, this, [this] { update(); });
    connect(doc_, &LabelEditDocument::previewChanged, this, [this] { update(); });
    connect(doc_, &LabelEditDocument::classesChanged, this, [this] { update(); });
    // A stroke in progress belongs to the old map: undo it (the open edit
    // restores its tiles) before the map is replaced.
    connect(doc_, &LabelEditDocument::aboutToReset, this, &LabelCanvasView::cancelStroke);
    connect(doc_, &LabelEditDocument::documentReset, this, [this] {
        wireCanvas_ = -1;  // redraw the wireframe cache
        fitToView();
    });
    // The brush is the document's: a size set anywhere resizes the cursor circle.
    connect(doc_, &LabelEditDocument::brushSizeChanged, this, [this](int d) {
        update();
        emit brushSizeChanged(d);
    });
    syncBrushClass();
}

LabelCanvasView::~LabelCanvasView() = default;

void LabelCanvasView::cancelStroke() {
    edit_.reset();
    painting_ = lassoing_ = false;
    points_.clear();
    update();
}

void LabelCanvasView::setTool(LabelTool tool) {
    if (tool == tool_) return;
    tool_ = tool;
    syncBrushClass();
    update();
    emit toolChanged(tool);
}

int LabelCanvasView::brushSize() const { return doc_->brushSize(); }
void LabelCanvasView::setBrushSize(int diameter) { doc_->setBrushSize(diameter); }
bool LabelCanvasView::mirrorEnabled() const { return doc_->mirrorEnabled(); }
void LabelCanvasView::setMirrorEnabled(bool on) { doc_->setMirrorEnabled(on); }

void LabelCanvasView::setCurrentClass(int id) {
    if (id < 0 || id > 255) return;
    classId_ = id;
    syncBrushClass();
}

void LabelCanvasView::setEraseToClass(int id) {
    eraseTo_ = id;
    syncBrushClass();
}

void LabelCanvasView::syncBrushClass() { doc_->setBrushClass(strokeClass()); }

void LabelCanvasView::setHeadModel(std::shared_ptr<const head::HeadModel> model) {
    model_ = std::move(model);
    uvEdges_.clear();
    if (model_ && model_->hasUv()) {
        // Each UV edge once (neighbouring triangles share them).
        std::set<std::pair<int, int>> seen;
        for (Eigen::Index f = 0; f < model_->uvFaces.rows(); ++f)
            for (int k = 0; k < 3; ++k) {
                int a = model_->uvFaces(f, k), b = model_->uvFaces(f, (k + 1) % 3);
                if (a > b) std::swap(a, b);
                if (!seen.insert({a, b}).second) continue;
                uvEdges_.emplace_back(model_->uv(a, 0), model_->uv(a, 1), model_->uv(b, 0), model_->uv(b, 1));
            }
    }
    wireCanvas_ = -1;
    update();
}

void LabelCanvasView::setWireframeShown(bool on) {
    wireOn_ = on;
    update();
}

void LabelCanvasView::setWireframeOpacity(double alpha) {
    wireAlpha_ = std::clamp(alpha, 0.0, 1.0);
    update();
}

Eigen::Vector2f LabelCanvasView::toTexel(QPointF w) const {
    return {static_cast<float>((w.x() - pan_.x()) / zoom_), static_cast<float>((w.y() - pan_.y()) / zoom_)};
}

QPointF LabelCanvasView::toWidget(const Eigen::Vector2f& t) const {
    return {t.x() * zoom_ + pan_.x(), t.y() * zoom_ + pan_.y()};
}

void LabelCanvasView::setZoom(double zoom, QPointF anchor) {
    zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    const Eigen::Vector2f t = toTexel(anchor);
    setView(zoom, QPointF(anchor.x() - t.x() * zoom, anchor.y() - t.y() * zoom));
}

void LabelCanvasView::setView(double zoom, QPointF pan) {
    zoom_ = std::clamp(zoom, kMinZoom, kMaxZoom);
    pan_ = pan;
    fitted_ = true;
    update();
    emit viewChanged();
}

void LabelCanvasView::fitToView() {
    const int n = doc_->canvas().size();
    if (n <= 0 || width() <= 0 || height() <= 0) return;
    const double z = std::min(width(), height()) / static_cast<double>(n);
    setView(z, QPointF((width() - n * z) / 2, (height() - n * z) / 2));
}

void LabelCanvasView::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    if (!fitted_) fitToView();
    wireCanvas_ = -1;
}

const QImage& LabelCanvasView::wireframe() {
    const int n = doc_->canvas().size();
    if (wireCanvas_ == n && wireZoom_ == zoom_ && wirePan_ == pan_ && wireCache_.size() == size()) return wireCache_;
    // Drawn at screen resolution once per view change (not per stroke), so
    // lines stay one pixel wide at any zoom.
    wireCache_ = QImage(size(), QImage::Format_ARGB32_Premultiplied);
    wireCache_.fill(Qt::transparent);
    if (n > 0 && !uvEdges_.empty()) {
        QPainter p(&wireCache_);
        p.setRenderHint(QPainter::Antialiasing, false);
        // UV (u right, v up) -> texel (u * n, (1 - v) * n) -> widget.
        p.setTransform(QTransform(n * zoom_, 0, 0, -n * zoom_, pan_.x(), pan_.y() + n * zoom_));
        QPen pen(QColor(255, 255, 255));
        pen.setCosmetic(true);
        pen.setWidth(1);
        p.setPen(pen);
        p.drawLines(uvEdges_.data(), static_cast<int>(uvEdges_.size()));
    }
    wireCanvas_ = n;
    wireZoom_ = zoom_;
    wirePan_ = pan_;
    return wireCache_;
}

QRectF LabelCanvasView::brushScreenRect(QPointF pos) const {
    const Eigen::Vector2f c = labelmap::snapBrushCentre(toTexel(pos), brushSize());
    const QPointF w = toWidget(c);
    const double r = brushSize() * zoom_ / 2;
    return QRectF(w.x() - r, w.y() - r, 2 * r, 2 * r);
}

void LabelCanvasView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), QColor(48, 48, 52));
    const QImage& img = doc_->colorImage();
    if (img.isNull()) {
        p.setPen(Qt::lightGray);
        p.drawText(rect(), Qt::AlignCenter, tr("No label map (load a head model or a map)"));
        return;
    }
    const int n = img.width();
    const QRectF target(pan_, QSizeF(n * zoom_, n * zoom_));
    // Nearest sampling: each texel is a crisp square when zoomed in.
    p.setRenderHint(QPainter::SmoothPixmapTransform, zoom_ < 1.0);
    p.drawImage(target, img);
    if (wireOn_ && wireAlpha_ > 0 && !uvEdges_.empty()) {
        p.setOpacity(wireAlpha_);
        p.drawImage(0, 0, wireframe());
        p.setOpacity(1.0);
    }
    if (lassoing_ && points_.size() > 1) {
        QPolygonF poly;
        for (const auto& t : points_) poly << toWidget(t);
        p.setPen(QPen(Qt::yellow, 1, Qt::DashLine));
        p.drawPolygon(poly);
    }
    const bool brushLike = tool_ == LabelTool::Brush || tool_ == LabelTool::Eraser;
    if (brushLike && cursor_.x() >= 0 && !panning_ && !spaceHeld_) {
        // The live size cursor: the brush's snapped disc, black and white so
        // it shows on every class colour.
        p.setRenderHint(QPainter::Antialiasing);
        const QRectF r = brushScreenRect(cursor_);
        p.setPen(QPen(Qt::black, 3));
        p.drawEllipse(r);
        p.setPen(QPen(Qt::white, 1));
        p.drawEllipse(r);
    }
}

void LabelCanvasView::updateCursorArea(QPointF oldPos, QPointF newPos) {
    // The circle moves with the mouse; a full repaint is cheap next to a stroke.
    Q_UNUSED(oldPos);
    Q_UNUSED(newPos);
    update();
}

void LabelCanvasView::mousePressEvent(QMouseEvent* e) {
    setFocus(Qt::MouseFocusReason);
    lastMouse_ = e->position();
    const bool panButton = e->button() == Qt::MiddleButton ||
                           (e->button() == Qt::LeftButton && (spaceHeld_ || tool_ == LabelTool::Pan));
    if (panButton) {
        panning_ = true;
        setCursor(Qt::ClosedHandCursor);
        return;
    }
    if (e->button() != Qt::LeftButton || doc_->canvas().empty() || painting_ || lassoing_) return;
    const Eigen::Vector2f t = toTexel(e->position());
    switch (tool_) {
    case LabelTool::Brush:
    case LabelTool::Eraser: beginStroke(t); break;
    case LabelTool::Fill: clickFill(t); break;
    case LabelTool::Lasso:
        lassoing_ = true;
        points_ = {t};
        break;
    case LabelTool::Eyedropper: pick(t); break;
    case LabelTool::Pan: break;
    }
}

void LabelCanvasView::mouseMoveEvent(QMouseEvent* e) {
    const QPointF pos = e->position();
    const QPointF old = cursor_;
    cursor_ = pos;
    if (panning_) {
        setView(zoom_, pan_ + (pos - lastMouse_));
    } else if (painting_) {
        continueStroke(toTexel(pos));
    } else if (lassoing_) {
        points_.push_back(toTexel(pos));
        update();
    }
    lastMouse_ = pos;
    updateCursorArea(old, pos);
}

void LabelCanvasView::mouseReleaseEvent(QMouseEvent* e) {
    if (panning_ && (e->button() == Qt::MiddleButton || e->button() == Qt::LeftButton)) {
        panning_ = false;
        setCursor(Qt::CrossCursor);
        return;
    }
    if (e->button() != Qt::LeftButton) return;
    if (painting_) {
        continueStroke(toTexel(e->position()));
        endStroke();
    } else if (lassoing_) {
        endLasso();
    }
}

void LabelCanvasView::beginStroke(const Eigen::Vector2f& p) {
    edit_ = std::make_unique<labelmap::CanvasEdit>(doc_->canvas());
    points_ = {p};
    painting_ = true;
    try {
        labelmap::drawStroke(*edit_, {p}, brushSize(), static_cast<std::uint8_t>(strokeClass()));
        if (mirrorEnabled() && mirrorReady()) {
            const auto flip = doc_->classes().flipMap();
            for (const auto& piece : labelmap::mirrorStroke(*mirror_, {p}, brushSize(), doc_->canvas().size()))
                labelmap::drawStroke(*edit_, piece, brushSize(), flip[strokeClass()]);
        }
    } catch (const std::exception& ex) {
        edit_.reset();  // restores anything written
        painting_ = false;
        points_.clear();
        emit toolMessage(QString::fromStdString(ex.what()), true);
        return;
    }
    doc_->refreshPreview(edit_->takeWritten());
}

void LabelCanvasView::continueStroke(const Eigen::Vector2f& p) {
    if (!edit_) return;
    const Eigen::Vector2f last = points_.back();
    if (p == last) return;
    points_.push_back(p);
    try {
        labelmap::drawStroke(*edit_, {last, p}, brushSize(), static_cast<std::uint8_t>(strokeClass()));
        if (mirrorEnabled() && mirrorReady()) {
            const auto flip = doc_->classes().flipMap();
            for (const auto& piece : labelmap::mirrorStroke(*mirror_, {last, p}, brushSize(), doc_->canvas().size()))
                labelmap::drawStroke(*edit_, piece, brushSize(), flip[strokeClass()]);
        }
    } catch (const std::exception& ex) {
        points_.pop_back();  // a point absurdly far off the map: ignore it
        emit toolMessage(QString::fromStdString(ex.what()), true);
        return;
    }
    doc_->refreshPreview(edit_->takeWritten());
}

void LabelCanvasView::endStroke() {
    painting_ = false;
    if (!edit_) return;
    const QString text = tool_ == LabelTool::Eraser ? tr("Erase") : tr("Brush stroke");
    labelmap::StrokeRecord record;
    try {
        if (mirrorEnabled() && mirrorReady()) {
            // Drop the live preview (the edit restores its tiles) and let the
            // engine paint stroke + mirror as one record with its own rules.
            const labelmap::TexelRect shown = edit_->takeWritten();
            edit_.reset();
            doc_->refreshPreview(shown);
            record = labelmap::paintStrokeMirrored(doc_->canvas(), *mirror_, points_, brushSize(),
                                                   static_cast<std::uint8_t>(strokeClass()),
                                                   doc_->classes().flipMap());
        } else {
            record = edit_->commit();
            edit_.reset();
        }
    } catch (const std::exception& ex) {
        edit_.reset();
        emit toolMessage(QString::fromStdString(ex.what()), true);
    }
    points_.clear();
    doc_->pushStroke(std::move(record), mirrorEnabled() && mirrorReady() ? text + tr(" (mirrored)") : text);
}

void LabelCanvasView::clickFill(const Eigen::Vector2f& p) {
    const int x = static_cast<int>(std::floor(p.x())), y = static_cast<int>(std::floor(p.y()));
    if (!doc_->canvas().contains(x, y)) return;
    const auto id = static_cast<std::uint8_t>(classId_);
    labelmap::StrokeRecord record;
    try {
        const bool islandsReady = islands_ && islands_->size() == doc_->canvas().size();
        if (fillMode_ != LabelFillMode::ClassRegion && !islandsReady) {
            emit toolMessage(tr("UV islands are not ready (no head model with UVs yet): filled the class region"),
                             false);
            record = labelmap::floodFillRegion(doc_->canvas(), x, y, id);
        } else if (fillMode_ == LabelFillMode::ClassRegion) {
            record = labelmap::floodFillRegion(doc_->canvas(), x, y, id);
        } else {
            record = labelmap::fillIsland(doc_->canvas(), *islands_, x, y, id,
                                          fillMode_ == LabelFillMode::Island
                                              ? labelmap::IslandFill::WholeIsland
                                              : labelmap::IslandFill::ClassRegionInIsland);
        }
    } catch (const std::exception& ex) {
        emit toolMessage(QString::fromStdString(ex.what()), true);
        return;
    }
    doc_->pushStroke(std::move(record), tr("Fill"));
}

void LabelCanvasView::endLasso() {
    lassoing_ = false;
    labelmap::StrokeRecord record;
    try {
        record = labelmap::fillPolygon(doc_->canvas(), points_, static_cast<std::uint8_t>(classId_));
    } catch (const std::exception& ex) {
        emit toolMessage(QString::fromStdString(ex.what()), true);
    }
    points_.clear();
    update();
    doc_->pushStroke(std::move(record), tr("Lasso fill"));
}

void LabelCanvasView::pick(const Eigen::Vector2f& p) {
    const int x = static_cast<int>(std::floor(p.x())), y = static_cast<int>(std::floor(p.y()));
    if (!doc_->canvas().contains(x, y)) return;
    const int id = doc_->canvas().at(x, y);
    setCurrentClass(id);
    emit classPicked(id);
}

void LabelCanvasView::wheelEvent(QWheelEvent* e) {
    // Shift + wheel sizes the brush; the wheel and Ctrl + wheel zoom, as in
    // labelme (Ctrl + wheel) and image viewers (wheel). Some platforms turn
    // a Shift + wheel into a horizontal one, so take whichever axis moved.
    const int delta = e->angleDelta().y() != 0 ? e->angleDelta().y() : e->angleDelta().x();
    const int notches = delta / 120;
    const double steps = e->angleDelta().y() / 120.0;
    if (e->modifiers() & Qt::ShiftModifier) {
        // One notch = one bracket key press, in the wheel's direction.
        int d = brushSize();
        const int n = notches != 0 ? std::abs(notches) : (delta != 0 ? 1 : 0);
        for (int i = 0; i < n; ++i) d = delta > 0 ? d + sizeStep(d) : d - sizeStep(d - 1);
        setBrushSize(d);
    } else if (steps != 0) {
        setZoom(zoom_ * std::pow(kWheelZoomStep, steps), e->position());
    }
    e->accept();
}

void LabelCanvasView::keyPressEvent(QKeyEvent* e) {
    const int key = e->key();
    if (key == Qt::Key_Space) {
        if (!e->isAutoRepeat()) spaceHeld_ = true;
        setCursor(Qt::OpenHandCursor);
        update();
        return;
    }
    if (key == Qt::Key_0 && (e->modifiers() & Qt::ControlModifier)) {
        fitToView();
        return;
    }
    if (key == Qt::Key_BracketLeft) {
        setBrushSize(brushSize() - sizeStep(brushSize() - 1));
        return;
    }
    if (key == Qt::Key_BracketRight) {
        setBrushSize(brushSize() + sizeStep(brushSize()));
        return;
    }
    if (key >= Qt::Key_0 && key <= Qt::Key_9 && !(e->modifiers() & (Qt::ControlModifier | Qt::AltModifier))) {
        // 1..9 pick the first nine classes of the list, 0 the tenth.
        const int index = key == Qt::Key_0 ? 9 : key - Qt::Key_1;
        const std::vector<int>& order = doc_->order();
        if (index < static_cast<int>(order.size())) {
            setCurrentClass(order[static_cast<std::size_t>(index)]);
            emit classPicked(order[static_cast<std::size_t>(index)]);
        }
        return;
    }
    QWidget::keyPressEvent(e);
}

void LabelCanvasView::keyReleaseEvent(QKeyEvent* e) {
    if (e->key() == Qt::Key_Space && !e->isAutoRepeat()) {
        spaceHeld_ = false;
        if (!panning_) setCursor(Qt::CrossCursor);
        update();
        return;
    }
    QWidget::keyReleaseEvent(e);
}

void LabelCanvasView::leaveEvent(QEvent* e) {
    cursor_ = QPointF(-1, -1);
    update();
    QWidget::leaveEvent(e);
}

}  // namespace synthforge::widgets
