#include "core/labelmap/label_canvas.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "core/labelmap/tile_rle.h"

namespace synthforge::labelmap {

TexelRect TexelRect::united(const TexelRect& o) const {
    if (o.empty()) return *this;
    if (empty()) return o;
    const int x0 = std::min(x, o.x), y0 = std::min(y, o.y);
    const int x1 = std::max(x + width, o.x + o.width), y1 = std::max(y + height, o.y + o.height);
    return {x0, y0, x1 - x0, y1 - y0};
}

std::size_t StrokeRecord::bytes() const {
    std::size_t n = sizeof(StrokeRecord) + tiles_.capacity() * sizeof(TileDelta);
    for (const TileDelta& t : tiles_) n += t.xorRle.capacity();
    return n;
}

LabelCanvas::LabelCanvas(int size, std::uint8_t fill, int tileSize) {
    if (size < 1 || size > kMaxCanvasSide)
        throw std::invalid_argument("LabelCanvas: size " + std::to_string(size) + " outside 1.." +
                                    std::to_string(kMaxCanvasSide));
    if (tileSize < 8 || tileSize > 1024)
        throw std::invalid_argument("LabelCanvas: tileSize " + std::to_string(tileSize) + " outside 8..1024");
    size_ = size;
    tile_ = tileSize;
    tilesPerSide_ = (size + tileSize - 1) / tileSize;
    tileArea_ = static_cast<std::size_t>(tileSize) * tileSize;
    data_.assign(static_cast<std::size_t>(tilesPerSide_) * tilesPerSide_ * tileArea_, 0);
    if (fill != 0) {
        // Only texels inside the map get the fill, so that edge-tile padding stays 0.
        for (int y = 0; y < size_; ++y)
            for (int tx = 0; tx < tilesPerSide_; ++tx) {
                const int x0 = tx * tile_, n = std::min(tile_, size_ - x0);
                std::memset(&data_[offset(x0, y)], fill, static_cast<std::size_t>(n));
            }
    }
}

LabelCanvas LabelCanvas::fromMat(const cv::Mat& ids, int tileSize) {
    if (ids.empty() || ids.type() != CV_8UC1 || ids.rows != ids.cols)
        throw std::invalid_argument("LabelCanvas::fromMat: ids must be a non-empty square CV_8UC1 map");
    LabelCanvas c(ids.rows, 0, tileSize);
    for (int y = 0; y < c.size_; ++y) {
        const std::uint8_t* row = ids.ptr<std::uint8_t>(y);
        for (int x0 = 0; x0 < c.size_; x0 += c.tile_)
            std::memcpy(&c.data_[c.offset(x0, y)], row + x0, static_cast<std::size_t>(std::min(c.tile_, c.size_ - x0)));
    }
    return c;
}

std::uint8_t LabelCanvas::at(int x, int y) const {
    if (!contains(x, y))
        throw std::invalid_argument("LabelCanvas::at: texel (" + std::to_string(x) + ", " + std::to_string(y) +
                                    ") outside the " + std::to_string(size_) + "x" + std::to_string(size_) + " map");
    return get(x, y);
}

cv::Mat LabelCanvas::region(const TexelRect& rect) const {
    const int x0 = std::max(0, rect.x), y0 = std::max(0, rect.y);
    const int x1 = std::min(size_, rect.x + rect.width), y1 = std::min(size_, rect.y + rect.height);
    if (x1 <= x0 || y1 <= y0) return cv::Mat();
    cv::Mat out(y1 - y0, x1 - x0, CV_8UC1);
    for (int y = y0; y < y1; ++y) {
        std::uint8_t* o = out.ptr<std::uint8_t>(y - y0);
        for (int x = x0; x < x1;) {
            const int n = std::min(x1, (x / tile_ + 1) * tile_) - x;  // the rest of this tile's row
            std::memcpy(o + (x - x0), &data_[offset(x, y)], static_cast<std::size_t>(n));
            x += n;
        }
    }
    return out;
}

cv::Mat LabelCanvas::toMat() const {
    return empty() ? cv::Mat() : region(bounds());
}

TexelRect LabelCanvas::applyXor(const StrokeRecord& record) {
    if (record.empty()) return {};
    if (record.canvasSize_ != size_ || record.tileSize_ != tile_)
        throw std::invalid_argument("LabelCanvas: record was made for a " + std::to_string(record.canvasSize_) +
                                    "x" + std::to_string(record.canvasSize_) + " canvas with tiles of " +
                                    std::to_string(record.tileSize_) + ", not this " + std::to_string(size_) + "x" +
                                    std::to_string(size_) + " one with tiles of " + std::to_string(tile_));
    const int tiles = tilesPerSide_ * tilesPerSide_;
    for (const auto& t : record.tiles_)
        if (t.tile < 0 || t.tile >= tiles) throw std::invalid_argument("LabelCanvas: record names a tile out of range");
    for (const auto& t : record.tiles_) rleXorInto(t.xorRle, tileData(t.tile), tileArea_);
    return record.dirty_;
}

TexelRect LabelCanvas::undo(const StrokeRecord& record) { return applyXor(record); }
TexelRect LabelCanvas::redo(const StrokeRecord& record) { return applyXor(record); }

// ---------------------------------------------------------------------------

CanvasEdit::CanvasEdit(LabelCanvas& canvas)
    : canvas_(canvas), slotOf_(static_cast<std::size_t>(canvas.tilesPerSide_) * canvas.tilesPerSide_, -1) {}

CanvasEdit::~CanvasEdit() {
    if (done_) return;
    for (std::size_t s = 0; s < touched_.size(); ++s)
        std::memcpy(canvas_.tileData(touched_[s]), &before_[s * canvas_.tileArea_], canvas_.tileArea_);
}

std::uint8_t* CanvasEdit::touch(int tile) {
    if (done_) throw std::logic_error("CanvasEdit: write after commit()");
    std::int32_t& slot = slotOf_[static_cast<std::size_t>(tile)];
    std::uint8_t* data = canvas_.tileData(tile);
    if (slot < 0) {
        slot = static_cast<std::int32_t>(touched_.size());
        touched_.push_back(tile);
        before_.insert(before_.end(), data, data + canvas_.tileArea_);
    }
    return data;
}

void CanvasEdit::set(int x, int y, std::uint8_t id) {
    if (!canvas_.contains(x, y)) return;
    const int t = canvas_.tile_;
    std::uint8_t* d = touch((y / t) * canvas_.tilesPerSide_ + x / t);
    d[(y % t) * t + (x % t)] = id;
    written_ = written_.united({x, y, 1, 1});
}

TexelRect CanvasEdit::takeWritten() {
    const TexelRect r = written_;
    written_ = {};
    return r;
}

void CanvasEdit::fillSpan(int y, int x0, int x1, std::uint8_t id) {
    if (y < 0 || y >= canvas_.size_) return;
    x0 = std::max(x0, 0);
    x1 = std::min(x1, canvas_.size_ - 1);
    if (x0 > x1) return;
    written_ = written_.united({x0, y, x1 - x0 + 1, 1});
    const int t = canvas_.tile_, ty = y / t, ry = y - ty * t;
    for (int x = x0; x <= x1;) {
        const int tx = x / t, end = std::min(x1 + 1, (tx + 1) * t);
        std::uint8_t* d = touch(ty * canvas_.tilesPerSide_ + tx);
        std::memset(d + ry * t + (x - tx * t), id, static_cast<std::size_t>(end - x));
        x = end;
    }
}

void CanvasEdit::assign(const cv::Mat& ids) {
    if (ids.type() != CV_8UC1 || ids.rows != canvas_.size_ || ids.cols != canvas_.size_)
        throw std::invalid_argument("CanvasEdit::assign: ids must be CV_8UC1 of the canvas's size " +
                                    std::to_string(canvas_.size_));
    const int t = canvas_.tile_;
    for (int y = 0; y < canvas_.size_; ++y) {
        const std::uint8_t* row = ids.ptr<std::uint8_t>(y);
        for (int tx = 0; tx < canvas_.tilesPerSide_; ++tx) {
            const int x0 = tx * t, n = std::min(t, canvas_.size_ - x0);
            const std::size_t off = canvas_.offset(x0, y);
            // Touch only tiles that differ, so an unchanged tile costs no copy.
            if (std::memcmp(&canvas_.data_[off], row + x0, static_cast<std::size_t>(n)) == 0) continue;
            touch((y / t) * canvas_.tilesPerSide_ + tx);
            std::memcpy(&canvas_.data_[off], row + x0, static_cast<std::size_t>(n));
            written_ = written_.united({x0, y, n, 1});
        }
    }
}

StrokeRecord CanvasEdit::commit() {
    if (done_) throw std::logic_error("CanvasEdit: commit() called twice");
    done_ = true;
    StrokeRecord rec;
    rec.canvasSize_ = canvas_.size_;
    rec.tileSize_ = canvas_.tile_;
    const int t = canvas_.tile_;
    const std::size_t area = canvas_.tileArea_;
    std::vector<std::uint8_t> delta(area);
    for (std::size_t s = 0; s < touched_.size(); ++s) {
        const int tile = touched_[s];
        const std::uint8_t* now = canvas_.tileData(tile);
        const std::uint8_t* old = &before_[s * area];
        int minX = t, minY = t, maxX = -1, maxY = -1;
        for (int y = 0; y < t; ++y)
            for (int x = 0; x < t; ++x) {
                const std::size_t i = static_cast<std::size_t>(y) * t + x;
                delta[i] = static_cast<std::uint8_t>(now[i] ^ old[i]);
                if (delta[i]) {
                    minX = std::min(minX, x);
                    maxX = std::max(maxX, x);
                    minY = std::min(minY, y);
                    maxY = std::max(maxY, y);
                }
            }
        if (maxX < 0) continue;  // touched but written with the values it had
        const int ox = (tile % canvas_.tilesPerSide_) * t, oy = (tile / canvas_.tilesPerSide_) * t;
        rec.dirty_ = rec.dirty_.united({ox + minX, oy + minY, maxX - minX + 1, maxY - minY + 1});
        rec.tiles_.push_back({tile, rleEncode(delta.data(), area)});
    }
    rec.tiles_.shrink_to_fit();
    touched_.clear();
    before_.clear();
    before_.shrink_to_fit();
    return rec;
}

}  // namespace synthforge::labelmap
