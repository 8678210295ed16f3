#pragma once
// Zero-shot evaluation of a Stage I run on a real benchmark (docs/training.md,
// "Zero-shot evaluation on benchmarks"): the torch-free facts it rests on —
// which format a folder is in, how our 68 landmarks and 19 classes
// correspond to the benchmark's, and how benchmark faces are framed so that
// they look like our renders. The evaluation itself is in
// core/train/torch_zero_shot.{h,cpp}.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace synthforge::train {

/// The format of a dataset folder, by what lies in it (first match):
/// "synthforge" (our layout: manifest.json; or FaceSynthetics: *_ldmks.txt),
/// "celebamask-hq" (CelebA-HQ-img/ and CelebAMask-HQ-mask-anno/), "lapa"
/// (images/, labels/, landmarks/ in the folder or in its train/, val/ or
/// test/), "300w" (a .pts file anywhere below, the annotations of 300-W's
/// images). Throws std::runtime_error naming the folder and the layouts
/// looked for when it is in none, or is not a folder.
std::string detectDatasetFormat(const std::string& dir);

/// The values of EvalConfig::format: "auto, synthforge, 300w, lapa or celebamask-hq".
const char* evalFormats();

/// A group of consecutive points and whether our definition of them agrees
/// with the benchmark's.
struct LandmarkGroupNote {
    std::string name;
    int first = 0, last = 0;  ///< 0-based, inclusive, in the benchmark's numbering
    bool agrees = true;
    std::string note;
};

/// How our 68 points (FLAME-style, iBUG-68 order) are scored against a
/// benchmark's landmarks.
struct LandmarkMapping {
    bool scored = false;                   ///< false: the benchmark's landmarks are not scored (see note)
    std::string from = "synthforge-68";    ///< our points: FLAME's 51 static + 17 contour, iBUG order
    std::string to;                        ///< "ibug-68", "lapa-106", or "" when the benchmark has none
    std::vector<int> ourIndex;             ///< benchmark point k is scored against our point ourIndex[k]
    std::vector<LandmarkGroupNote> groups; ///< where the definitions agree or differ
    std::string note;
    /// The points whose definitions agree best, scored as an extra NME
    /// ("without the contour"); empty when there is no such extra.
    int agreeingFirst = 0, agreeingLast = -1;
    std::string agreeingLabel;
};

/// The mapping for a benchmark format ("300w", "lapa", "celebamask-hq").
LandmarkMapping zeroShotLandmarkMapping(const std::string& format);

struct ClassMapEntry {
    int ours = 0;
    std::string oursName;
    int target = 0;
    std::string targetName;
    std::string note;  ///< why, when the class is merged, approximated or renamed by side
};

struct UnmappedClass {
    int id = 0;
    std::string name;
    std::string reason;
};

/// How our segmentation classes (FaceSynthetics ids, docs/classes.md) are
/// scored against a benchmark's.
struct ClassMapping {
    bool scored = false;
    std::string from = "facesynthetics";
    std::string to;                          ///< "lapa", "celebamask-hq", or "" when the benchmark has no labels
    std::array<std::uint8_t, 256> lut{};     ///< our predicted id -> benchmark id
    std::vector<ClassMapEntry> entries;      ///< one per class of ours
    /// Benchmark classes no class of ours maps to: their ground-truth pixels
    /// are ignored (like 255) and their scores are null, outside the means.
    std::vector<UnmappedClass> unmapped;
    std::array<bool, 256> ignoreGt{};        ///< per benchmark id: ignored (an unmapped class)
    std::string note;
};

/// The mapping for a benchmark format, for a Stage I net with `ourClasses`
/// classes: scored only when those are the 19 FaceSynthetics classes
/// (docs/classes.md; the remap of core/annotate/class_presets.h).
ClassMapping zeroShotClassMapping(const std::string& format, int64_t ourClasses);

/// Where the face sits in the images a Stage I network saw in training: the
/// median, over the measured renders, of the face box's longer side as a
/// fraction of the image's side, and of the box centre's offset from the
/// image centre in image sides. Benchmark faces are cropped to the same.
struct ZeroShotFraming {
    std::string box;           ///< "landmarks" (the 68 points' box) or "face_parts" (CelebAMask-HQ: skin .. lips)
    std::string source;        ///< "training_data" (measured on the run's data) or "default" (the constants below)
    std::string trainingData;  ///< the folder measured ("" for the default)
    int64_t samplesMeasured = 0;
    double faceFraction = 0.5, offsetX = 0, offsetY = 0;
};

/// The constants measured on `synthforge generate`'s default renders (1000
/// samples, docs/training.md), used when the run's training data is not
/// there to measure. `box`: "landmarks" or "face_parts".
ZeroShotFraming defaultZeroShotFraming(const std::string& box);

/// The framing box a benchmark format has: "face_parts" for CelebAMask-HQ
/// (no landmarks), else "landmarks".
std::string framingBoxOf(const std::string& format);

}  // namespace synthforge::train
