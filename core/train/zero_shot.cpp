// Torch-free facts of zero-shot evaluation (core/train/zero_shot.h). The
// reasons written here go into eval.json, so they are worded for a reader of
// the results; docs/training.md has the same in prose.

#include "core/train/zero_shot.h"

#include <algorithm>
#include <stdexcept>

#include "core/annotate/class_presets.h"
#include "core/annotate/class_table.h"
#include "core/dataset/folder_layout.h"

namespace synthforge::train {

const char* evalFormats() { return "auto, synthforge, 300w, lapa or celebamask-hq"; }

std::string detectDatasetFormat(const std::string& dir) {
    dataset::FolderLayout layout;
    try {
        layout = dataset::detectFolderLayout(dir);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(std::string(e.what()) + "; --format names one");
    }
    switch (layout) {
        case dataset::FolderLayout::SynthForge:
        case dataset::FolderLayout::FaceSynthetics: return "synthforge";  // one reader takes both
        case dataset::FolderLayout::CelebAMaskHq: return "celebamask-hq";
        case dataset::FolderLayout::Lapa: return "lapa";
        case dataset::FolderLayout::W300: return "300w";
    }
    throw std::logic_error("detectDatasetFormat: unknown layout");
}

LandmarkMapping zeroShotLandmarkMapping(const std::string& format) {
    LandmarkMapping m;
    if (format == "300w") {
        m.scored = true;
        m.to = "ibug-68";
        for (int k = 0; k < 68; ++k) m.ourIndex.push_back(k);
        m.note = "Our 68 points are FLAME's layout in iBUG-68 order (subject's right first, as 300-W), so point k is "
                 "scored against 300-W point k. The indices agree; what each point means differs in places (groups).";
        m.groups = {
            {"jaw_contour", 0, 16, false,
             "Ours is FLAME's dynamic contour: fixed points on the 3D head chosen per yaw bin (whole degrees), found on "
             "the neutral shape, so with other shapes, expressions or pitch it drifts off the visible outline. 300-W's "
             "is the 2D silhouette as annotators saw it, points spread along it by eye; along-contour placement of "
             "the 15 inner points is not defined by either, so even a perfect outline scores an error here."},
            {"eyebrows", 17, 26, true,
             "Roughly. Both trace five points per brow from the inner to the outer end. 300-W's annotators placed "
             "them on the visible brow; ours lie on a curve through anthropometric brow anchors of a hairless head, "
             "so a subject's own brow line can lie a few pixels away."},
            {"nose_bridge", 27, 30, true, "Nasion to pronasale (the tip) in both."},
            {"lower_nose", 31, 35, true,
             "Subnasale and the alar base in both; the default head has no nostril openings, so 31/35 and 32/34 "
             "follow the alar curve rather than visible nostril edges."},
            {"eyes", 36, 47, true, "Corners and lid margins in both (from the eyelid margin loops of the mesh)."},
            {"outer_lips", 48, 59, true, "Mouth corners and the vermilion border in both."},
            {"inner_lips", 60, 67, true,
             "Partly. 300-W puts them on the visible line where the lips meet (upper and lower points coincide when "
             "the mouth is closed); ours are fixed vertices of the lip slit, which the lip's own curvature can hide "
             "at steep pitch, where the 2D point of 300-W slides to the visible edge instead."},
        };
        m.agreeingFirst = 17;
        m.agreeingLast = 67;
        m.agreeingLabel =
            "NME over points 17-67 only (FLAME's 51 static points: no jaw contour), normalised by the same outer "
            "eye corners; an extra figure, not the 300-W protocol";
    } else if (format == "lapa") {
        m.to = "lapa-106";
        m.note = "Not scored: LaPa uses the 106-point JD-landmark markup (33 contour points, brows with upper and "
                 "lower edges, 15 nose points, pupils). Only a few points (eye and mouth corners, nose tip) have a "
                 "one-to-one counterpart in our 68; an NME over such a subset would compare with no published LaPa "
                 "figure, so landmarks are reported as null.";
    } else if (format == "celebamask-hq") {
        m.note = "CelebAMask-HQ has no landmarks.";
    } else {
        throw std::invalid_argument("format: '" + format + "' is not 300w, lapa or celebamask-hq");
    }
    return m;
}

ClassMapping zeroShotClassMapping(const std::string& format, int64_t ourClasses) {
    ClassMapping m;
    if (format == "300w") {
        m.note = "300-W has no segmentation labels.";
        return m;
    }
    if (format != "lapa" && format != "celebamask-hq")
        throw std::invalid_argument("format: '" + format + "' is not 300w, lapa or celebamask-hq");
    m.to = format;
    const annotate::ClassTable& ours = annotate::ClassTable::defaultTable();
    int oursCount = 0;
    for (const auto& e : ours.entries())
        if (e.id != annotate::kIgnore) oursCount = std::max(oursCount, e.id + 1);
    if (ourClasses != oursCount) {
        m.note = "Not scored: the Stage I net has " + std::to_string(ourClasses) + " classes, not the " +
                 std::to_string(oursCount) + " FaceSynthetics classes the remap is defined for (docs/classes.md).";
        return m;
    }
    m.scored = true;
    const annotate::ClassPreset preset =
        format == "lapa" ? annotate::ClassPreset::LaPa : annotate::ClassPreset::CelebAMaskHQ;
    const annotate::ClassRemap remap = annotate::remapFromDefault(preset);
    const annotate::ClassTable& target = annotate::presetTable(preset);
    m.lut = remap.lut;
    std::array<bool, 256> reached{};
    for (int c = 0; c < oursCount; ++c) {
        ClassMapEntry e;
        e.ours = c;
        e.oursName = ours.byId(c).name;
        e.target = remap.lut[static_cast<size_t>(c)];
        e.targetName = target.byId(e.target).name;
        const std::string prefix = e.oursName + " -> ";
        for (const std::string& n : remap.notes)
            if (n.rfind(prefix, 0) == 0) e.note = n.substr(prefix.size());
        reached[static_cast<size_t>(e.target)] = true;
        m.entries.push_back(e);
    }
    for (const auto& t : target.entries()) {
        if (t.id == annotate::kIgnore || reached[static_cast<size_t>(t.id)]) continue;
        std::string why = "no class of ours maps to it";
        if (t.name == "ear_r") why = "earrings: our renders have no jewellery class, so no prediction can be an earring";
        if (t.name == "neck_l") why = "necklaces: our renders have no jewellery class, so no prediction can be a necklace";
        m.unmapped.push_back({t.id, t.name, why + "; its ground-truth pixels are left out of every score"});
        m.ignoreGt[static_cast<size_t>(t.id)] = true;
    }
    m.note = "Our predicted ids go through the remap of docs/classes.md (remapFromDefault); " +
             std::string(format == "lapa" ? "LaPa" : "CelebAMask-HQ") +
             " names sides by the image, so our right_eye is its left eye. Benchmark classes listed in 'unmapped' "
             "are ignored in the ground truth.";
    return m;
}

ZeroShotFraming defaultZeroShotFraming(const std::string& box) {
    // Medians over 1000 samples of `synthforge generate --size 256 --seed 11`
    // with the default sampler (yaw and pitch within +-0.8 rad, EG3D FOV
    // 18-24 degrees, radius 2.7): the head is framed by the camera, not the
    // face, so the face sits below the image centre.
    ZeroShotFraming f;
    f.box = box;
    f.source = "default";
    if (box == "landmarks") {
        f.faceFraction = 0.5505;
        f.offsetX = -0.0003;
        f.offsetY = 0.0972;
    } else if (box == "face_parts") {
        f.faceFraction = 0.7363;
        f.offsetX = 0.0;
        f.offsetY = -0.0059;
    } else {
        throw std::invalid_argument("box: '" + box + "' is not landmarks or face_parts");
    }
    return f;
}

std::string framingBoxOf(const std::string& format) { return format == "celebamask-hq" ? "face_parts" : "landmarks"; }

}  // namespace synthforge::train
