#pragma once
// The head panel's Assets section: one row per asset type (glasses,
// headwear, clothing, hair, beard, facewear, eyebrows, eyelashes, stubble)
// with whether it is worn, its style, its colour and a randomise button.
// Every change is one undo step on the SceneDocument, and scenes save what is worn (docs/assets.md).

#include <array>
#include <cstdint>
#include <random>

#include <QColor>
#include <QWidget>

#include "core/generate/assets/asset_spec.h"

class QCheckBox;
class QComboBox;
class QPushButton;

namespace synthforge::widgets {

class SceneDocument;

class AssetsPanel : public QWidget {
    Q_OBJECT
public:
    explicit AssetsPanel(SceneDocument* doc, QWidget* parent = nullptr);

    /// Puts the asset on (a fresh draw of its shape) or takes it off.
    void setWorn(generate::AssetType type, bool worn);
    /// Redraws the asset's shape in `style` (an index into styleNames),
    /// keeping its colour; puts it on if it was off.
    void setStyle(generate::AssetType type, int style);
    /// Sets the asset's colour from an sRGB colour (stored linear).
    void setColor(generate::AssetType type, const QColor& srgb);
    /// Draws a new shape, style and colour for the asset (puts it on).
    void randomise(generate::AssetType type);
    /// Seeds the panel's random numbers (tests want repeatable draws).
    void setRandomSeed(std::uint32_t seed) { rng_.seed(seed); }

    /// The style names offered for a type, in the order of its enum.
    static QStringList styleNames(generate::AssetType type);
    /// The style index of a worn asset.
    static int styleOf(const generate::AssetSpec& asset);

    QCheckBox* wornBox(generate::AssetType type) const { return rows_[index(type)].worn; }
    QComboBox* styleBox(generate::AssetType type) const { return rows_[index(type)].style; }

private:
    struct Row {
        QCheckBox* worn = nullptr;
        QComboBox* style = nullptr;
        QPushButton* color = nullptr;
        QPushButton* random = nullptr;
    };
    static std::size_t index(generate::AssetType t) { return static_cast<std::size_t>(t); }
    /// A drawn asset of `type` (style `style`, or any when -1) from the panel's random numbers.
    generate::AssetSpec draw(generate::AssetType type, int style);
    /// Replaces (or with `remove`, drops) the scene's asset of spec.type as one undo step.
    void commit(const generate::AssetSpec& spec, bool remove, const QString& what);
    const generate::AssetSpec* current(generate::AssetType type) const;
    void sync();  // document -> widgets

    SceneDocument* doc_;
    std::array<Row, generate::kNumAssetTypes> rows_;
    std::mt19937 rng_{4242};
    bool syncing_ = false;
};

}  // namespace synthforge::widgets
