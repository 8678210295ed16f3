// The head panel's Assets section: wearing, styling, colouring and
// randomising assets are single undo steps on the scene, the widgets follow
// the document (open, undo), and the scene keeps its assets in type order.

#include <QCheckBox>
#include <QComboBox>
#include <QTest>
#include <QUndoStack>

#include "core/scene/scene.h"
#include "widgets/panels/assets_panel.h"
#include "widgets/panels/scene_document.h"

using namespace synthforge;
using namespace synthforge::widgets;
using generate::AssetType;

namespace {
std::shared_ptr<const head::HeadModel> fakeModel() {
    auto m = std::make_shared<head::HeadModel>();
    m->shapedirs.resize(3, 4);
    m->exprdirs.resize(3, 2);
    return m;
}

const generate::AssetSpec* find(const scene::Scene& s, AssetType t) {
    for (const auto& a : s.assets)
        if (a.type == t) return &a;
    return nullptr;
}
}  // namespace

class TestAssetsPanel : public QObject {
    Q_OBJECT
private slots:
    void wearingIsOneUndoStepAndKeepsTypeOrder() {
        SceneDocument doc;
        doc.reset(scene::Scene{}, fakeModel());
        AssetsPanel panel(&doc);
        panel.setRandomSeed(1);
        panel.wornBox(AssetType::Hair)->setChecked(true);  // as a click would
        QCOMPARE(doc.undoStack()->count(), 1);
        QVERIFY(find(doc.scene(), AssetType::Hair));
        panel.setWorn(AssetType::Glasses, true);
        QCOMPARE(doc.scene().assets.size(), std::size_t{2});
        QCOMPARE(doc.scene().assets[0].type, AssetType::Glasses);  // type order, not click order
        QCOMPARE(doc.scene().assets[1].type, AssetType::Hair);
        QVERIFY(panel.styleBox(AssetType::Hair)->isEnabled());
        QVERIFY(!panel.styleBox(AssetType::Beard)->isEnabled());

        doc.undoStack()->undo();
        QVERIFY(!find(doc.scene(), AssetType::Glasses));
        QVERIFY(!panel.wornBox(AssetType::Glasses)->isChecked());  // widgets follow undo
        panel.wornBox(AssetType::Hair)->setChecked(false);
        QVERIFY(doc.scene().assets.empty());
        doc.undoStack()->undo();
        QVERIFY(find(doc.scene(), AssetType::Hair));
        QVERIFY(panel.wornBox(AssetType::Hair)->isChecked());
    }

    void styleRedrawsTheShapeKeepsColourAndId() {
        SceneDocument doc;
        doc.reset(scene::Scene{}, fakeModel());
        AssetsPanel panel(&doc);
        panel.setRandomSeed(2);
        panel.setStyle(AssetType::Hair, static_cast<int>(generate::HairStyle::Short));
        const generate::AssetSpec before = *find(doc.scene(), AssetType::Hair);
        QCOMPARE(before.hair.style, generate::HairStyle::Short);
        panel.setStyle(AssetType::Hair, static_cast<int>(generate::HairStyle::Long));
        const generate::AssetSpec after = *find(doc.scene(), AssetType::Hair);
        QCOMPARE(after.hair.style, generate::HairStyle::Long);
        QVERIFY(after.hair.length > 0.0f);  // a long style's own shape, not just a label
        QCOMPARE(after.material.baseColor, before.material.baseColor);
        QCOMPARE(after.id, before.id);
        QCOMPARE(panel.styleBox(AssetType::Hair)->currentIndex(), static_cast<int>(generate::HairStyle::Long));
        // Two-way styles too.
        for (int style : {0, 1}) {
            panel.setStyle(AssetType::Facewear, style);
            QCOMPARE(AssetsPanel::styleOf(*find(doc.scene(), AssetType::Facewear)), style);
        }
        // Choosing the style it already has changes nothing.
        const int steps = doc.undoStack()->count();
        panel.setStyle(AssetType::Facewear, 1);
        QCOMPARE(doc.undoStack()->count(), steps);
    }

    void colourIsStoredLinearAndRandomiseDrawsAgain() {
        SceneDocument doc;
        doc.reset(scene::Scene{}, fakeModel());
        AssetsPanel panel(&doc);
        panel.setRandomSeed(3);
        panel.setColor(AssetType::Headwear, QColor(255, 0, 188));  // sRGB 188 = linear ~0.5
        const generate::AssetSpec* hat = find(doc.scene(), AssetType::Headwear);
        QVERIFY(hat);
        QCOMPARE(hat->material.baseColor.x(), 1.0f);
        QCOMPARE(hat->material.baseColor.y(), 0.0f);
        QVERIFY(std::abs(hat->material.baseColor.z() - 0.503f) < 0.005f);
        const generate::AssetSpec first = *hat;
        panel.randomise(AssetType::Headwear);
        const generate::AssetSpec second = *find(doc.scene(), AssetType::Headwear);
        QVERIFY(second.id != first.id);
        doc.undoStack()->undo();
        QCOMPARE(find(doc.scene(), AssetType::Headwear)->id, first.id);
    }

    void browsLashesAndStubbleAreRowsLikeTheRest() {
        SceneDocument doc;
        doc.reset(scene::Scene{}, fakeModel());
        AssetsPanel panel(&doc);
        panel.setRandomSeed(4);
        for (AssetType t : {AssetType::Eyebrows, AssetType::Eyelashes, AssetType::Stubble}) {
            QVERIFY(panel.wornBox(t));
            QCOMPARE(AssetsPanel::styleNames(t).size(), 1);
            QVERIFY(!panel.styleBox(t)->isEnabled());  // one style: nothing to choose
        }
        panel.wornBox(AssetType::Stubble)->setChecked(true);
        panel.setWorn(AssetType::Eyebrows, true);
        panel.wornBox(AssetType::Eyelashes)->setChecked(true);
        QCOMPARE(doc.undoStack()->count(), 3);
        QCOMPARE(doc.scene().assets.size(), std::size_t{3});
        QCOMPARE(doc.scene().assets[0].type, AssetType::Eyebrows);  // type order
        QCOMPARE(doc.scene().assets[2].type, AssetType::Stubble);
        const generate::AssetSpec stubble = *find(doc.scene(), AssetType::Stubble);
        QVERIFY(stubble.stubble.density > 0.0f);
        panel.setColor(AssetType::Eyebrows, QColor(0, 0, 0));
        QCOMPARE(find(doc.scene(), AssetType::Eyebrows)->material.baseColor.maxCoeff(), 0.0f);
        panel.randomise(AssetType::Stubble);
        QVERIFY(find(doc.scene(), AssetType::Stubble)->id != stubble.id);
        doc.undoStack()->undo();
        QCOMPARE(find(doc.scene(), AssetType::Stubble)->id, stubble.id);
        doc.undoStack()->undo();  // the colour
        doc.undoStack()->undo();  // the lashes
        QVERIFY(!find(doc.scene(), AssetType::Eyelashes));
        QVERIFY(!panel.wornBox(AssetType::Eyelashes)->isChecked());
        QVERIFY(panel.wornBox(AssetType::Eyebrows)->isChecked());
    }

    void openingASceneWithAssetsShowsThem() {
        scene::Scene s;
        generate::AssetsSamplerConfig c;
        c.beard.frequency = 1.0;
        c.beardStyles = 1u << static_cast<int>(generate::BeardStyle::Goatee);
        s.assets = generate::drawAssets(c, 5, 0);
        SceneDocument doc;
        doc.reset(s, fakeModel());
        AssetsPanel panel(&doc);
        QVERIFY(panel.wornBox(AssetType::Beard)->isChecked());
        QCOMPARE(panel.styleBox(AssetType::Beard)->currentIndex(), static_cast<int>(generate::BeardStyle::Goatee));
        QVERIFY(!panel.wornBox(AssetType::Glasses)->isChecked());
        QCOMPARE(doc.undoStack()->count(), 0);  // showing is not editing
    }
};

QTEST_MAIN(TestAssetsPanel)
#include "test_assets_panel.moc"
