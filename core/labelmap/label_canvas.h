#pragma once
// The UV label editor's image: an 8-bit class-id map stored in square tiles,
// so that an edit records only the tiles it changed (docs/label_editor.md).
//
// Texel convention (the same as core/annotate/label_map_io.h): texel (x, y)
// is column x, row y from the top of the image, covers [x, x+1) x [y, y+1)
// in continuous texel coordinates and has its centre at (x + 0.5, y + 0.5).
//
// Every change goes through a CanvasEdit. Committing it gives a StrokeRecord
// holding, per changed tile, the XOR of the tile before and after the edit,
// run-length encoded. XOR is its own inverse, so the one delta both undoes
// (current ^ delta = before) and redoes (before ^ delta = after) exactly, at
// half the memory of storing both states. The price: a record must be
// applied in stack order (undo the newest first), which an undo stack does.

#include <cstddef>
#include <cstdint>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace synthforge::labelmap {

/// Largest accepted map side (the rasteriser's and the label map PNG reader's limit).
constexpr int kMaxCanvasSide = 1 << 15;
constexpr int kDefaultTileSize = 64;

/// One texel: column x, row y.
struct Texel {
    int x = 0, y = 0;
    bool operator==(const Texel& o) const { return x == o.x && y == o.y; }
    bool operator<(const Texel& o) const { return y != o.y ? y < o.y : x < o.x; }
};

/// A rectangle of texels: columns x .. x+width-1, rows y .. y+height-1.
struct TexelRect {
    int x = 0, y = 0, width = 0, height = 0;

    bool empty() const { return width <= 0 || height <= 0; }
    bool contains(int px, int py) const { return px >= x && py >= y && px < x + width && py < y + height; }
    /// The smallest rectangle holding both (an empty one is ignored).
    TexelRect united(const TexelRect& o) const;
    bool operator==(const TexelRect& o) const {
        return x == o.x && y == o.y && width == o.width && height == o.height;
    }
};

/// The undo/redo data of one edit: per changed tile, the RLE-coded XOR of the
/// tile before and after. Cheap to move; immutable once made.
class StrokeRecord {
public:
    StrokeRecord() = default;
    /// No texel changed.
    bool empty() const { return tiles_.empty(); }
    /// The texels the edit changed (exactly: the bounding box of changed texels).
    const TexelRect& dirty() const { return dirty_; }
    /// Tiles the edit changed.
    std::size_t tileCount() const { return tiles_.size(); }
    /// Heap and object bytes this record holds (what an undo stack accounts).
    std::size_t bytes() const;
    int canvasSize() const { return canvasSize_; }

private:
    friend class LabelCanvas;
    friend class CanvasEdit;
    struct TileDelta {
        int tile = 0;
        std::vector<std::uint8_t> xorRle;
    };
    std::vector<TileDelta> tiles_;
    TexelRect dirty_;
    int canvasSize_ = 0, tileSize_ = 0;
};

class LabelCanvas {
public:
    /// An empty canvas (size 0).
    LabelCanvas() = default;
    /// A size x size map filled with `fill`. Throws std::invalid_argument for a
    /// size outside 1..kMaxCanvasSide or a tile size outside 8..1024.
    explicit LabelCanvas(int size, std::uint8_t fill = 0, int tileSize = kDefaultTileSize);
    /// A canvas holding a copy of `ids` (CV_8UC1, square); std::invalid_argument otherwise.
    static LabelCanvas fromMat(const cv::Mat& ids, int tileSize = kDefaultTileSize);

    bool empty() const { return size_ == 0; }
    int size() const { return size_; }
    int tileSize() const { return tile_; }
    int tilesPerSide() const { return tilesPerSide_; }
    bool contains(int x, int y) const { return x >= 0 && y >= 0 && x < size_ && y < size_; }

    /// The class id at texel (x, y) (the eyedropper). std::invalid_argument outside the map.
    std::uint8_t at(int x, int y) const;
    /// Unchecked read for inner loops; (x, y) must be inside.
    std::uint8_t get(int x, int y) const { return data_[offset(x, y)]; }
    /// A copy of the whole map (CV_8UC1).
    cv::Mat toMat() const;
    /// A copy of a rectangle (clipped to the map), e.g. an edit's dirty rectangle
    /// for a live overlay update.
    cv::Mat region(const TexelRect& rect) const;
    /// The whole map as one rectangle.
    TexelRect bounds() const { return {0, 0, size_, size_}; }
    /// Bytes of texel storage.
    std::size_t bytes() const { return data_.size(); }

    /// Undoes a record made on this canvas: it must be the newest change not
    /// yet undone. Returns the texels that changed. std::invalid_argument
    /// when the record was made for a canvas of another size or tiling.
    TexelRect undo(const StrokeRecord& record);
    /// Redoes a record: it must be the newest change undone.
    TexelRect redo(const StrokeRecord& record);

private:
    friend class CanvasEdit;
    std::size_t offset(int x, int y) const {
        const int tx = x / tile_, ty = y / tile_;
        return (static_cast<std::size_t>(ty) * tilesPerSide_ + tx) * tileArea_ +
               static_cast<std::size_t>(y - ty * tile_) * tile_ + (x - tx * tile_);
    }
    std::uint8_t* tileData(int tile) { return data_.data() + static_cast<std::size_t>(tile) * tileArea_; }
    const std::uint8_t* tileData(int tile) const { return data_.data() + static_cast<std::size_t>(tile) * tileArea_; }
    TexelRect applyXor(const StrokeRecord& record);

    int size_ = 0, tile_ = kDefaultTileSize, tilesPerSide_ = 0;
    std::size_t tileArea_ = 0;
    /// Tile-major storage: tile t = (ty * tilesPerSide + tx) holds tile_ x tile_
    /// bytes, row-major. Texels of edge tiles beyond the map stay 0 and are
    /// never written.
    std::vector<std::uint8_t> data_;
};

/// One edit in progress. Writes go straight to the canvas; the first write to
/// a tile keeps a copy of its old content. commit() turns the copies into a
/// StrokeRecord. Destroyed without commit() (say, a tool threw half way), the
/// edit restores every tile it touched, so the canvas never holds a change
/// that no record knows of.
class CanvasEdit {
public:
    explicit CanvasEdit(LabelCanvas& canvas);
    ~CanvasEdit();
    CanvasEdit(const CanvasEdit&) = delete;
    CanvasEdit& operator=(const CanvasEdit&) = delete;

    LabelCanvas& canvas() { return canvas_; }
    const LabelCanvas& canvas() const { return canvas_; }

    /// Sets texel (x, y); ignored outside the map.
    void set(int x, int y, std::uint8_t id);
    /// Sets texels x0..x1 (inclusive) of row y, clipped to the map.
    void fillSpan(int y, int x0, int x1, std::uint8_t id);
    /// Replaces the whole map (CV_8UC1 of the canvas's size; std::invalid_argument otherwise).
    void assign(const cv::Mat& ids);

    /// Bounding box of the texels written since the last call (or since the
    /// edit began), whether or not their value changed. For a drag painted
    /// into one open edit: refresh this after each mouse move, commit on release.
    TexelRect takeWritten();

    /// Ends the edit: the record of what changed (empty when nothing did).
    /// Further writes throw std::logic_error.
    StrokeRecord commit();

private:
    std::uint8_t* touch(int tile);
    LabelCanvas& canvas_;
    std::vector<std::int32_t> slotOf_;    ///< per tile: index into touched_, -1 if untouched
    std::vector<std::int32_t> touched_;   ///< touched tiles in order
    std::vector<std::uint8_t> before_;    ///< their old content, one tile area each
    TexelRect written_;
    bool done_ = false;
};

}  // namespace synthforge::labelmap
