#include "core/annotate/class_presets.h"

#include <algorithm>
#include <stdexcept>

#include <opencv2/core.hpp>

namespace synthforge::annotate {

namespace {

// SynthForge (Rawat et al. 2024). Its own list was found, so this is not the
// FaceSynthetics fallback: SynthForgeDataset in
// synth-forge/synthforge-train (synthforge_train/src/data/synthforge.py)
// decodes the colour seg PNGs with COLORMAP, stacks one mask per entry in
// that order and appends background last, so seg_label ids are the order
// below with background = 19 (NUM_CLASSES = 20). Colours are that COLORMAP.
// The names are FLAME region names (generate_synthforge_data.py colours
// FLAME_masks.pkl regions), and FLAME's left is the subject's left (+x, as
// in docs/default_head.md); flips follow its FLIP_MAPPING_SEG.
std::vector<ClassEntry> synthforgeEntries() {
    return {
        {0, "face", {245, 220, 203}, 0},
        {1, "forehead", {68, 15, 133}, 1},
        {2, "eye_region", {157, 171, 59}, 2},
        {3, "neck", {228, 241, 143}, 3},
        {4, "right_eye_region", {117, 122, 228}, 5},
        {5, "left_eye_region", {229, 165, 231}, 4},
        {6, "right_eyeball", {0, 0, 255}, 7},
        {7, "left_eyeball", {246, 0, 255}, 6},
        {8, "left_eyebrow", {143, 169, 211}, 9},
        {9, "right_eyebrow", {211, 143, 143}, 8},
        {10, "eye_region+forehead", {101, 107, 56}, 10},
        {11, "left_ear", {0, 255, 60}, 12},
        {12, "right_ear", {252, 255, 0}, 11},
        {13, "lower_lip", {0, 136, 128}, 13},
        {14, "upper_lip", {217, 23, 23}, 14},
        {15, "inner_mouth", {0, 47, 153}, 15},
        {16, "nose", {198, 2, 172}, 16},
        {17, "scalp", {104, 53, 22}, 17},
        {18, "neck_back", {80, 68, 61}, 18},
        {19, "background", {69, 69, 69}, 19},
    };
}

// LaPa: ids and names from labelmap.txt, colours from colormap.txt of
// jd-opensource/lapa-dataset. LaPa's left/right are the image's: FaRL
// (FacePerceiver/facer) names LaPa's ids 2..5 rb, lb, re, le, i.e. LaPa's
// "left eyebrow" is the subject's right one. Names are LaPa's, snake_cased.
std::vector<ClassEntry> lapaEntries() {
    return {
        {0, "background", {0, 0, 0}, 0},
        {1, "skin", {0, 153, 255}, 1},
        {2, "left_eyebrow", {102, 255, 153}, 3},
        {3, "right_eyebrow", {0, 204, 153}, 2},
        {4, "left_eye", {255, 255, 102}, 5},
        {5, "right_eye", {255, 255, 204}, 4},
        {6, "nose", {255, 153, 0}, 6},
        {7, "upper_lip", {255, 102, 255}, 7},
        {8, "inner_mouth", {102, 0, 51}, 8},
        {9, "lower_lip", {255, 204, 255}, 9},
        {10, "hair", {255, 0, 102}, 10},
    };
}

// CelebAMask-HQ: label_list of face_parsing/Data_preprocessing/g_mask.py
// (switchablenorms/CelebAMask-HQ) gives id = index + 1, 0 background; colours
// are g_color.py's color_list. l_/r_ are the image's sides: FaRL's loader
// (farl/datasets/celebamask_hq.py) renames l_ear/l_brow/l_eye to its
// rr/rb/re. Names are the dataset's mask file suffixes.
std::vector<ClassEntry> celebAMaskHqEntries() {
    return {
        {0, "background", {0, 0, 0}, 0},
        {1, "skin", {204, 0, 0}, 1},
        {2, "nose", {76, 153, 0}, 2},
        {3, "eye_g", {204, 204, 0}, 3},
        {4, "l_eye", {51, 51, 255}, 5},
        {5, "r_eye", {204, 0, 204}, 4},
        {6, "l_brow", {0, 255, 255}, 7},
        {7, "r_brow", {255, 204, 204}, 6},
        {8, "l_ear", {102, 51, 0}, 9},
        {9, "r_ear", {255, 0, 0}, 8},
        {10, "mouth", {102, 204, 0}, 10},
        {11, "u_lip", {255, 255, 0}, 11},
        {12, "l_lip", {0, 0, 153}, 12},
        {13, "hair", {0, 0, 204}, 13},
        {14, "hat", {255, 51, 153}, 14},
        {15, "ear_r", {0, 204, 204}, 15},
        {16, "neck_l", {0, 51, 0}, 16},
        {17, "neck", {255, 153, 51}, 17},
        {18, "cloth", {0, 204, 0}, 18},
    };
}

/// One default class's target. `why` is null where both classes mean the
/// same thing; otherwise it is the note remaps carry (and the reason).
struct Rule {
    DefaultClass from;
    const char* to;
    const char* why;
};

// Sides: our right_* is the subject's right, as is SynthForge's.
const std::vector<Rule>& synthforgeRules() {
    static const std::vector<Rule> rules{
        {kBackground, "background", nullptr},
        {kSkin, "face", "SynthForge splits skin by FLAME region (face, forehead, eye regions); ids cannot say which"},
        {kNose, "nose", nullptr},
        {kRightEye, "right_eyeball", nullptr},
        {kLeftEye, "left_eyeball", nullptr},
        {kRightBrow, "right_eyebrow", nullptr},
        {kLeftBrow, "left_eyebrow", nullptr},
        {kRightEar, "right_ear", nullptr},
        {kLeftEar, "left_ear", nullptr},
        {kMouthInterior, "inner_mouth", nullptr},
        {kTopLip, "upper_lip", nullptr},
        {kBottomLip, "lower_lip", nullptr},
        {kNeck, "neck", "SynthForge splits the neck into neck and neck_back; ids cannot say which"},
        {kHair, "scalp", "SynthForge labels the FLAME surface, which has no hair; head hair covers the scalp"},
        {kBeard, "face", "no beard class; the FLAME surface under a beard is face"},
        {kClothing, "background", "FLAME has no body below the neck, so SynthForge labels it background"},
        {kGlasses, "eye_region", "no eyewear class; the FLAME surface behind glasses is mostly the eye region"},
        {kHeadwear, "scalp", "no headwear class; the FLAME surface under a hat is scalp"},
        {kFacewear, "face", "no facewear class; the FLAME surface under a mask is face"},
    };
    return rules;
}

// LaPa annotates the face (ears included) and head hair only.
const std::vector<Rule>& lapaRules() {
    static const std::vector<Rule> rules{
        {kBackground, "background", nullptr},
        {kSkin, "skin", nullptr},
        {kNose, "nose", nullptr},
        {kRightEye, "left_eye", "LaPa names eyes by image side: its left_eye is the subject's right eye"},
        {kLeftEye, "right_eye", "LaPa names eyes by image side: its right_eye is the subject's left eye"},
        {kRightBrow, "left_eyebrow", "LaPa names brows by image side: its left_eyebrow is the subject's right"},
        {kLeftBrow, "right_eyebrow", "LaPa names brows by image side: its right_eyebrow is the subject's left"},
        {kRightEar, "skin", "LaPa has no ear class; its skin includes the ears (FaRL calls it face_lr_rr)"},
        {kLeftEar, "skin", "LaPa has no ear class; its skin includes the ears (FaRL calls it face_lr_rr)"},
        {kMouthInterior, "inner_mouth", nullptr},
        {kTopLip, "upper_lip", nullptr},
        {kBottomLip, "lower_lip", nullptr},
        {kNeck, "background", "LaPa has no neck class; its skin is the face and ears only"},
        {kHair, "hair", nullptr},
        {kBeard, "skin", "LaPa has no beard class and its hair is head hair; a beard lies on the face"},
        {kClothing, "background", "LaPa has no clothing class"},
        {kGlasses, "skin", "LaPa has no eyewear class; frames lie on the face region it labels skin"},
        {kHeadwear, "background", "LaPa has no headwear class; a hat lies outside face and hair"},
        {kFacewear, "skin", "LaPa has no occluder class; a mask lies on the face region it labels skin"},
    };
    return rules;
}

const std::vector<Rule>& celebAMaskHqRules() {
    static const std::vector<Rule> rules{
        {kBackground, "background", nullptr},
        {kSkin, "skin", nullptr},
        {kNose, "nose", nullptr},
        {kRightEye, "l_eye", "CelebAMask-HQ names by image side: its l_eye is the subject's right eye"},
        {kLeftEye, "r_eye", "CelebAMask-HQ names by image side: its r_eye is the subject's left eye"},
        {kRightBrow, "l_brow", "CelebAMask-HQ names by image side: its l_brow is the subject's right brow"},
        {kLeftBrow, "r_brow", "CelebAMask-HQ names by image side: its r_brow is the subject's left brow"},
        {kRightEar, "l_ear", "CelebAMask-HQ names by image side: its l_ear is the subject's right ear"},
        {kLeftEar, "r_ear", "CelebAMask-HQ names by image side: its r_ear is the subject's left ear"},
        {kMouthInterior, "mouth", nullptr},
        {kTopLip, "u_lip", nullptr},
        {kBottomLip, "l_lip", nullptr},
        {kNeck, "neck", nullptr},
        {kHair, "hair", nullptr},
        {kBeard, "skin", "CelebAMask-HQ has no beard class and its hair is head hair; a beard lies on the skin"},
        {kClothing, "cloth", nullptr},
        {kGlasses, "eye_g", nullptr},
        {kHeadwear, "hat", nullptr},
        {kFacewear, "background", "no facewear class; CelebAMask-HQ labels only what is visible of a covered part"},
    };
    return rules;
}

ClassRemap buildRemap(ClassPreset target, const std::vector<Rule>& rules) {
    const ClassTable& ours = ClassTable::defaultTable();
    const ClassTable& theirs = presetTable(target);
    ClassRemap r;
    r.target = target;
    r.lut.fill(kIgnore);  // ids outside the default table carry no meaning
    std::array<bool, 256> reached{};
    for (const Rule& rule : rules) {
        const ClassEntry& to = theirs.byName(rule.to);  // a typo here fails every remap test
        r.lut[rule.from] = static_cast<std::uint8_t>(to.id);
        reached[static_cast<std::size_t>(to.id)] = true;
        if (rule.why)
            r.notes.push_back(ours.byId(rule.from).name + " -> " + to.name + ": " + rule.why);
    }
    for (const ClassEntry& e : ours.entries())
        if (e.id != kIgnore && r.lut[static_cast<std::size_t>(e.id)] == kIgnore)
            throw std::logic_error("remapFromDefault(" + presetName(target) + "): no rule for " + e.name);
    // Target classes nothing maps to: worth saying, as a model trained on
    // the remapped data never sees them.
    for (const ClassEntry& e : theirs.entries())
        if (!reached[static_cast<std::size_t>(e.id)])
            r.notes.push_back(e.name + ": never produced; no default class maps to it");
    return r;
}

}  // namespace

const std::vector<ClassPreset>& allClassPresets() {
    static const std::vector<ClassPreset> all{ClassPreset::FaceSynthetics, ClassPreset::SynthForge, ClassPreset::LaPa,
                                              ClassPreset::CelebAMaskHQ};
    return all;
}

const ClassTable& synthforgeTable() {
    static const ClassTable table(synthforgeEntries());
    return table;
}

const ClassTable& lapaTable() {
    static const ClassTable table(lapaEntries());
    return table;
}

const ClassTable& celebAMaskHqTable() {
    static const ClassTable table(celebAMaskHqEntries());
    return table;
}

const ClassTable& presetTable(ClassPreset preset) {
    switch (preset) {
        case ClassPreset::FaceSynthetics: return ClassTable::defaultTable();
        case ClassPreset::SynthForge: return synthforgeTable();
        case ClassPreset::LaPa: return lapaTable();
        case ClassPreset::CelebAMaskHQ: return celebAMaskHqTable();
    }
    throw std::invalid_argument("presetTable: unknown preset " + std::to_string(static_cast<int>(preset)));
}

std::string presetName(ClassPreset preset) {
    switch (preset) {
        case ClassPreset::FaceSynthetics: return "facesynthetics";
        case ClassPreset::SynthForge: return "synthforge";
        case ClassPreset::LaPa: return "lapa";
        case ClassPreset::CelebAMaskHQ: return "celebamask-hq";
    }
    throw std::invalid_argument("presetName: unknown preset " + std::to_string(static_cast<int>(preset)));
}

ClassPreset parseClassPreset(const std::string& name) {
    std::string lower = name;
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (lower == "default") return ClassPreset::FaceSynthetics;
    if (lower == "celebamaskhq") return ClassPreset::CelebAMaskHQ;
    for (const ClassPreset p : allClassPresets())
        if (lower == presetName(p)) return p;
    throw std::invalid_argument("class preset: unknown name '" + name +
                                "' (expected facesynthetics or default, synthforge, lapa, "
                                "celebamask-hq or celebamaskhq)");
}

ClassRemap remapFromDefault(ClassPreset target) {
    switch (target) {
        case ClassPreset::FaceSynthetics: {
            ClassRemap r;
            r.target = target;
            r.lut.fill(kIgnore);
            for (const ClassEntry& e : ClassTable::defaultTable().entries())
                r.lut[static_cast<std::size_t>(e.id)] = static_cast<std::uint8_t>(e.id);
            return r;
        }
        case ClassPreset::SynthForge: return buildRemap(target, synthforgeRules());
        case ClassPreset::LaPa: return buildRemap(target, lapaRules());
        case ClassPreset::CelebAMaskHQ: return buildRemap(target, celebAMaskHqRules());
    }
    throw std::invalid_argument("remapFromDefault: unknown preset " + std::to_string(static_cast<int>(target)));
}

std::array<std::uint8_t, 256> remapToDefault(ClassPreset source) {
    const ClassRemap forward = remapFromDefault(source);
    std::array<std::uint8_t, 256> back;
    back.fill(kIgnore);
    // Descending, so that the lowest of our ids sending to a class is kept.
    for (int ours = 254; ours >= 0; --ours) {
        const std::uint8_t theirs = forward.lut[static_cast<std::size_t>(ours)];
        if (theirs != kIgnore) back[theirs] = static_cast<std::uint8_t>(ours);
    }
    return back;
}

cv::Mat applyRemap(const cv::Mat& ids, const ClassRemap& remap) {
    if (ids.type() != CV_8UC1)
        throw std::invalid_argument("applyRemap: ids: expected one 8-bit channel of class ids (CV_8UC1), got "
                                    "OpenCV type " + std::to_string(ids.type()) + " with " +
                                    std::to_string(ids.channels()) + " channel(s)");
    if (ids.empty()) return cv::Mat(ids.size(), CV_8UC1);
    cv::Mat lut(1, 256, CV_8UC1);
    std::copy(remap.lut.begin(), remap.lut.end(), lut.ptr<std::uint8_t>(0));
    cv::Mat out;
    cv::LUT(ids, lut, out);
    return out;
}

}  // namespace synthforge::annotate
