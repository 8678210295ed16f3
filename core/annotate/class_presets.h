#pragma once
// Class-table presets for other datasets' segmentation classes, and remaps
// from our default (FaceSynthetics) ids to theirs (docs/design.md; sources and
// per-class reasons in docs/classes.md).
//
// Each preset keeps the dataset's own ids and names, so a remapped label map
// can be fed to code written for that dataset. Their "left"/"right" are
// therefore the dataset's, not necessarily the subject's: LaPa and
// CelebAMask-HQ name by image side (their "left eye" is the subject's right
// eye), SynthForge (FLAME regions) by the subject's side. Flip partners are
// right for every table either way.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "core/annotate/class_table.h"

namespace synthforge::annotate {

enum class ClassPreset { FaceSynthetics, SynthForge, LaPa, CelebAMaskHQ };

/// Every preset, in declaration order.
const std::vector<ClassPreset>& allClassPresets();

/// SynthForge's 20 classes as its training code numbers them: the 19 FLAME
/// regions 0 face ... 18 neck_back, then 19 background. No ignore class.
const ClassTable& synthforgeTable();
/// LaPa's 11 classes with LaPa's ids (0 background ... 10 hair) and palette.
const ClassTable& lapaTable();
/// CelebAMask-HQ's 19 classes in the official merge order (0 background,
/// 1 skin ... 18 cloth) with the official preprocessing palette.
const ClassTable& celebAMaskHqTable();
/// The table of a preset (FaceSynthetics: ClassTable::defaultTable()).
const ClassTable& presetTable(ClassPreset preset);

/// Canonical name: "facesynthetics", "synthforge", "lapa", "celebamask-hq".
std::string presetName(ClassPreset preset);
/// Accepts the canonical names plus "default" (FaceSynthetics) and
/// "celebamaskhq", ignoring ASCII case. Throws std::invalid_argument naming
/// the value and listing the valid names.
ClassPreset parseClassPreset(const std::string& name);

/// Our default class ids -> a preset's ids.
struct ClassRemap {
    ClassPreset target = ClassPreset::FaceSynthetics;
    /// lut[ourId] = target id. 255 (ignore) stays 255; ids that are not
    /// classes of the default table also become 255, since they mean nothing.
    std::array<std::uint8_t, 256> lut{};
    /// What the remap changes, for docs and the CLI: first one line per
    /// default class that is merged, approximated or renamed by side
    /// ("right_ear -> skin: why"), in our id order; then one line per target
    /// class nothing maps to ("ear_r: never produced; ..."). Empty for the
    /// identity remap.
    std::vector<std::string> notes;
};

/// The remap from ClassTable::defaultTable() ids to `target`'s ids.
ClassRemap remapFromDefault(ClassPreset target);

/// The other way: a preset's ids -> our default ids, for comparing that
/// dataset's class statistics with ours. Each of the preset's classes goes to
/// the lowest default id that remapFromDefault(source) sends to it (LaPa's
/// skin <- our skin, ears, beard, glasses, facewear: skin); a class nothing
/// maps to (CelebAMask-HQ's earrings and necklaces) goes to 255, the ignore
/// id, as does every id outside the preset's table.
std::array<std::uint8_t, 256> remapToDefault(ClassPreset source);

/// Applies `remap` to a label map. `ids` must be CV_8UC1 (std::invalid_argument
/// otherwise); the result is a new CV_8UC1 image of the same size.
cv::Mat applyRemap(const cv::Mat& ids, const ClassRemap& remap);

}  // namespace synthforge::annotate
