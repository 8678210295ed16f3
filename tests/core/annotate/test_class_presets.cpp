// Class-table presets (SynthForge, LaPa, CelebAMask-HQ) and the remaps from
// our default ids: the datasets' ids, names and flips, remap values on a
// hand-made label map, JSON round trips, the shipped resource files, and the
// error paths.

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "core/annotate/class_presets.h"

using namespace synthforge;
using annotate::ClassPreset;
using annotate::ClassTable;

namespace {

std::vector<std::string> namesInIdOrder(const ClassTable& t) {
    std::vector<std::string> names;
    for (const auto& e : t.entries()) names.push_back(e.name);
    return names;
}

/// Expects every id in `pairs` to flip to its partner and every other class
/// of `t` to flip to itself.
void expectFlipPairs(const ClassTable& t, const std::vector<std::pair<int, int>>& pairs) {
    const auto flip = t.flipMap();
    std::set<int> paired;
    for (const auto& [a, b] : pairs) {
        EXPECT_EQ(flip[a], b) << t.byId(a).name;
        EXPECT_EQ(flip[b], a) << t.byId(b).name;
        paired.insert(a);
        paired.insert(b);
    }
    for (const auto& e : t.entries()) {
        if (!paired.count(e.id)) {
            EXPECT_EQ(flip[e.id], e.id) << e.name;
        }
    }
}

cv::Mat image(int rows, int cols, const std::vector<int>& values) {
    cv::Mat m(rows, cols, CV_8UC1);
    for (int i = 0; i < rows * cols; ++i) m.at<std::uint8_t>(i / cols, i % cols) = static_cast<std::uint8_t>(values[i]);
    return m;
}

void expectImage(const cv::Mat& m, const std::vector<int>& values) {
    ASSERT_EQ(m.type(), CV_8UC1);
    ASSERT_EQ(static_cast<std::size_t>(m.total()), values.size());
    for (int i = 0; i < static_cast<int>(values.size()); ++i)
        EXPECT_EQ(m.at<std::uint8_t>(i / m.cols, i % m.cols), values[i]) << "pixel " << i;
}

}  // namespace

TEST(ClassPresets, SizesMatchTheDatasets) {
    EXPECT_EQ(annotate::presetTable(ClassPreset::FaceSynthetics).size(), 20u);
    EXPECT_EQ(annotate::synthforgeTable().size(), 20u);
    EXPECT_EQ(annotate::lapaTable().size(), 11u);
    EXPECT_EQ(annotate::celebAMaskHqTable().size(), 19u);
    EXPECT_EQ(&annotate::presetTable(ClassPreset::FaceSynthetics), &ClassTable::defaultTable());
    EXPECT_EQ(&annotate::presetTable(ClassPreset::LaPa), &annotate::lapaTable());
}

TEST(ClassPresets, LapaHasLapaIdsNamesAndPalette) {
    const ClassTable& t = annotate::lapaTable();
    EXPECT_EQ(namesInIdOrder(t),
              (std::vector<std::string>{"background", "skin", "left_eyebrow", "right_eyebrow", "left_eye", "right_eye",
                                        "nose", "upper_lip", "inner_mouth", "lower_lip", "hair"}));
    for (int id = 0; id < 11; ++id) EXPECT_NE(t.findById(id), nullptr) << id;
    EXPECT_EQ(t.byName("inner_mouth").id, 8);
    EXPECT_EQ(t.byName("hair").id, 10);
    EXPECT_EQ(t.byName("skin").color, (std::array<std::uint8_t, 3>{0, 153, 255}));
    EXPECT_EQ(t.byName("hair").color, (std::array<std::uint8_t, 3>{255, 0, 102}));
    expectFlipPairs(t, {{2, 3}, {4, 5}});
}

TEST(ClassPresets, CelebAMaskHqHasTheOfficialMergeOrder) {
    const ClassTable& t = annotate::celebAMaskHqTable();
    EXPECT_EQ(namesInIdOrder(t),
              (std::vector<std::string>{"background", "skin", "nose", "eye_g", "l_eye", "r_eye", "l_brow", "r_brow",
                                        "l_ear", "r_ear", "mouth", "u_lip", "l_lip", "hair", "hat", "ear_r", "neck_l",
                                        "neck", "cloth"}));
    EXPECT_EQ(t.byName("eye_g").id, 3);
    EXPECT_EQ(t.byName("hat").id, 14);
    EXPECT_EQ(t.byName("cloth").id, 18);
    EXPECT_EQ(t.byId(7).color, (std::array<std::uint8_t, 3>{255, 204, 204}));
    EXPECT_EQ(t.byId(18).color, (std::array<std::uint8_t, 3>{0, 204, 0}));
    expectFlipPairs(t, {{4, 5}, {6, 7}, {8, 9}});
}

TEST(ClassPresets, SynthForgeHasItsTrainingLabelOrder) {
    const ClassTable& t = annotate::synthforgeTable();
    EXPECT_EQ(namesInIdOrder(t),
              (std::vector<std::string>{"face", "forehead", "eye_region", "neck", "right_eye_region", "left_eye_region",
                                        "right_eyeball", "left_eyeball", "left_eyebrow", "right_eyebrow",
                                        "eye_region+forehead", "left_ear", "right_ear", "lower_lip", "upper_lip",
                                        "inner_mouth", "nose", "scalp", "neck_back", "background"}));
    EXPECT_EQ(t.byName("background").id, 19);
    EXPECT_EQ(t.byName("face").color, (std::array<std::uint8_t, 3>{245, 220, 203}));
    EXPECT_EQ(t.byName("left_eyeball").color, (std::array<std::uint8_t, 3>{246, 0, 255}));
    EXPECT_EQ(t.findByName("ignore"), nullptr);
    expectFlipPairs(t, {{4, 5}, {6, 7}, {8, 9}, {11, 12}});
}

TEST(ClassPresets, FlipMapTwiceIsIdentityForEveryPreset) {
    for (const ClassPreset p : annotate::allClassPresets()) {
        const auto flip = annotate::presetTable(p).flipMap();
        for (int id = 0; id < 256; ++id) EXPECT_EQ(flip[flip[id]], id) << annotate::presetName(p) << " id " << id;
    }
}

TEST(ClassPresets, PresetNamesParseBack) {
    for (const ClassPreset p : annotate::allClassPresets())
        EXPECT_EQ(annotate::parseClassPreset(annotate::presetName(p)), p);
    EXPECT_EQ(annotate::presetName(ClassPreset::CelebAMaskHQ), "celebamask-hq");
    EXPECT_EQ(annotate::parseClassPreset("default"), ClassPreset::FaceSynthetics);
    EXPECT_EQ(annotate::parseClassPreset("facesynthetics"), ClassPreset::FaceSynthetics);
    EXPECT_EQ(annotate::parseClassPreset("celebamaskhq"), ClassPreset::CelebAMaskHQ);
    EXPECT_EQ(annotate::parseClassPreset("LaPa"), ClassPreset::LaPa);
    EXPECT_EQ(annotate::parseClassPreset("SynthForge"), ClassPreset::SynthForge);
}

TEST(ClassPresets, UnknownPresetNameListsTheValidOnes) {
    for (const std::string& bad : std::vector<std::string>{"", "helen", "celeba", "lapa "}) {
        try {
            annotate::parseClassPreset(bad);
            ADD_FAILURE() << "no error for '" << bad << "'";
        } catch (const std::invalid_argument& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("'" + bad + "'"), std::string::npos) << msg;
            for (const char* valid :
                 {"facesynthetics", "default", "synthforge", "lapa", "celebamask-hq", "celebamaskhq"})
                EXPECT_NE(msg.find(valid), std::string::npos) << valid << " not in: " << msg;
        }
    }
}

TEST(ClassRemaps, EveryDefaultClassReachesAValidTargetClass) {
    const ClassTable& ours = ClassTable::defaultTable();
    for (const ClassPreset p : annotate::allClassPresets()) {
        const auto remap = annotate::remapFromDefault(p);
        const ClassTable& theirs = annotate::presetTable(p);
        EXPECT_EQ(remap.target, p);
        for (const auto& e : ours.entries()) {
            if (e.id == annotate::kIgnore) continue;
            EXPECT_NE(theirs.findById(remap.lut[e.id]), nullptr)
                << annotate::presetName(p) << ": " << e.name << " -> " << int(remap.lut[e.id]);
        }
        EXPECT_EQ(remap.lut[annotate::kIgnore], 255) << annotate::presetName(p);
        // Ids the default table does not define mean nothing: ignore them.
        for (const int unknown : {19, 20, 100, 254}) EXPECT_EQ(remap.lut[unknown], 255) << annotate::presetName(p);
    }
}

TEST(ClassRemaps, RemapCommutesWithMirroring) {
    // Mirroring then remapping must equal remapping then mirroring, so that
    // side-swapped names (LaPa's left_eye is our right_eye) stay consistent.
    const auto ourFlip = ClassTable::defaultTable().flipMap();
    for (const ClassPreset p : annotate::allClassPresets()) {
        const auto remap = annotate::remapFromDefault(p);
        const auto theirFlip = annotate::presetTable(p).flipMap();
        for (const auto& e : ClassTable::defaultTable().entries())
            EXPECT_EQ(remap.lut[ourFlip[e.id]], theirFlip[remap.lut[e.id]]) << annotate::presetName(p) << " " << e.name;
    }
}

TEST(ClassRemaps, ToLapa) {
    using namespace annotate;
    const auto r = remapFromDefault(ClassPreset::LaPa);
    const std::vector<std::pair<int, int>> expected = {
        {kBackground, 0}, {kSkin, 1}, {kNose, 6}, {kRightEye, 4}, {kLeftEye, 5},
        {kRightBrow, 2}, {kLeftBrow, 3}, {kRightEar, 1}, {kLeftEar, 1}, {kMouthInterior, 8},
        {kTopLip, 7}, {kBottomLip, 9}, {kNeck, 0}, {kHair, 10}, {kBeard, 1},
        {kClothing, 0}, {kGlasses, 1}, {kHeadwear, 0}, {kFacewear, 1}, {kIgnore, 255}};
    for (const auto& [from, to] : expected) EXPECT_EQ(r.lut[from], to) << "default id " << from;
    // 4 side renames, 2 ears, neck, beard, clothing, glasses, headwear,
    // facewear; every LaPa class is produced.
    ASSERT_EQ(r.notes.size(), 12u);
    EXPECT_EQ(r.notes[0].rfind("right_eye -> left_eye: ", 0), 0u) << r.notes[0];
    EXPECT_EQ(r.notes[4].rfind("right_ear -> skin: ", 0), 0u) << r.notes[4];
}

TEST(ClassRemaps, ToCelebAMaskHq) {
    using namespace annotate;
    const auto r = remapFromDefault(ClassPreset::CelebAMaskHQ);
    const std::vector<std::pair<int, int>> expected = {
        {kBackground, 0}, {kSkin, 1}, {kNose, 2}, {kRightEye, 4}, {kLeftEye, 5},
        {kRightBrow, 6}, {kLeftBrow, 7}, {kRightEar, 8}, {kLeftEar, 9}, {kMouthInterior, 10},
        {kTopLip, 11}, {kBottomLip, 12}, {kNeck, 17}, {kHair, 13}, {kBeard, 1},
        {kClothing, 18}, {kGlasses, 3}, {kHeadwear, 14}, {kFacewear, 0}, {kIgnore, 255}};
    for (const auto& [from, to] : expected) EXPECT_EQ(r.lut[from], to) << "default id " << from;
    // 6 side renames, beard, facewear, then earrings and necklaces, which we never label.
    ASSERT_EQ(r.notes.size(), 10u);
    EXPECT_EQ(r.notes[8].rfind("ear_r: never produced", 0), 0u) << r.notes[8];
    EXPECT_EQ(r.notes[9].rfind("neck_l: never produced", 0), 0u) << r.notes[9];
}

TEST(ClassRemaps, ToSynthForge) {
    using namespace annotate;
    const auto r = remapFromDefault(ClassPreset::SynthForge);
    const std::vector<std::pair<int, int>> expected = {
        {kBackground, 19}, {kSkin, 0}, {kNose, 16}, {kRightEye, 6}, {kLeftEye, 7},
        {kRightBrow, 9}, {kLeftBrow, 8}, {kRightEar, 12}, {kLeftEar, 11}, {kMouthInterior, 15},
        {kTopLip, 14}, {kBottomLip, 13}, {kNeck, 3}, {kHair, 17}, {kBeard, 0},
        {kClothing, 19}, {kGlasses, 2}, {kHeadwear, 17}, {kFacewear, 0}, {kIgnore, 255}};
    for (const auto& [from, to] : expected) EXPECT_EQ(r.lut[from], to) << "default id " << from;
    // skin, neck, hair, beard, clothing, glasses, headwear, facewear; then 5 regions we never label.
    ASSERT_EQ(r.notes.size(), 13u);
    EXPECT_EQ(r.notes[0].rfind("skin -> face: ", 0), 0u) << r.notes[0];
    EXPECT_EQ(r.notes[8], "forehead: never produced; no default class maps to it");
}

TEST(ClassRemaps, ToFaceSyntheticsIsIdentityWithoutNotes) {
    const auto r = annotate::remapFromDefault(ClassPreset::FaceSynthetics);
    for (const auto& e : ClassTable::defaultTable().entries()) EXPECT_EQ(r.lut[e.id], e.id) << e.name;
    EXPECT_TRUE(r.notes.empty());
}

TEST(ClassRemaps, ApplyRemapToAHandMadeLabelMap) {
    // background skin nose right_eye / left_eye mouth_interior top_lip bottom_lip / hair glasses headwear ignore
    const cv::Mat ids = image(3, 4, {0, 1, 2, 3, 4, 9, 10, 11, 13, 16, 17, 255});
    expectImage(annotate::applyRemap(ids, annotate::remapFromDefault(ClassPreset::LaPa)),
                {0, 1, 6, 4, 5, 8, 7, 9, 10, 1, 0, 255});
    expectImage(annotate::applyRemap(ids, annotate::remapFromDefault(ClassPreset::CelebAMaskHQ)),
                {0, 1, 2, 4, 5, 10, 11, 12, 13, 3, 14, 255});
    expectImage(annotate::applyRemap(ids, annotate::remapFromDefault(ClassPreset::SynthForge)),
                {19, 0, 16, 6, 7, 15, 14, 13, 17, 2, 17, 255});
    // The input is not modified.
    EXPECT_EQ(ids.at<std::uint8_t>(0, 3), 3);
}

TEST(ClassRemaps, ApplyRemapHandlesAnRoiView) {
    const cv::Mat big = image(3, 4, {0, 1, 2, 3, 4, 9, 10, 11, 13, 16, 17, 255});
    const cv::Mat roi = big(cv::Rect(1, 1, 2, 2));  // not continuous: rows are 4 bytes apart
    ASSERT_FALSE(roi.isContinuous());
    const cv::Mat out = annotate::applyRemap(roi, annotate::remapFromDefault(ClassPreset::LaPa));
    EXPECT_EQ(out.size(), cv::Size(2, 2));
    expectImage(out, {8, 7, 1, 0});
}

TEST(ClassRemaps, ApplyRemapRejectsOtherTypes) {
    const auto r = annotate::remapFromDefault(ClassPreset::LaPa);
    for (const int type : {CV_16UC1, CV_8UC3, CV_32FC1, CV_8SC1}) {
        try {
            annotate::applyRemap(cv::Mat(2, 2, type, cv::Scalar(0)), r);
            ADD_FAILURE() << "no error for type " << type;
        } catch (const std::invalid_argument& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("applyRemap: ids: "), std::string::npos) << msg;
            EXPECT_NE(msg.find("CV_8UC1"), std::string::npos) << msg;
            EXPECT_NE(msg.find("type " + std::to_string(type)), std::string::npos) << msg;
        }
    }
    EXPECT_TRUE(annotate::applyRemap(cv::Mat(), r).empty());
}

TEST(ClassPresets, JsonRoundTrip) {
    for (const ClassPreset p : annotate::allClassPresets()) {
        const ClassTable& t = annotate::presetTable(p);
        const ClassTable back = annotate::parseClassTableJson(annotate::classTableToJson(t), annotate::presetName(p));
        EXPECT_EQ(back, t) << annotate::presetName(p);
    }
}

TEST(ClassPresets, ResourceFilesEqualTheCodeTables) {
    // lexically_normal: tests/data need not exist for ".." to climb out of it.
    const std::filesystem::path dir =
        std::filesystem::path(SYNTHFORGE_TEST_DATA_DIR "/../../resources/class_tables/").lexically_normal();
    const std::vector<std::pair<ClassPreset, std::string>> files = {
        {ClassPreset::FaceSynthetics, "facesynthetics.json"},
        {ClassPreset::SynthForge, "synthforge.json"},
        {ClassPreset::LaPa, "lapa.json"},
        {ClassPreset::CelebAMaskHQ, "celebamask_hq.json"}};
    for (const auto& [preset, file] : files) {
        const ClassTable loaded = annotate::loadClassTable((dir / file).string());
        EXPECT_EQ(loaded, annotate::presetTable(preset)) << file;
    }
}
