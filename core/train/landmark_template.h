#pragma once
// The landmark template of a run: the mean of its training landmarks in
// normalised coordinates (docs/training.md "Coordinates"), i.e. where a face
// sits in the training framing. `synthforge predict` aligns predicted
// landmarks onto it to re-crop a user's image the way training crops looked
// (core/train/landmark_cascade.h). Stored as RUN/landmark_template.json:
//
//   {"format": "synthforge-landmark-template", "version": 1,
//    "convention": "normalised", "num_landmarks": 68, "samples": 900,
//    "source": "/data/ds", "points": [[x, y], ...]}
//
// Torch-free. The Stage II variant (from a benchmark's crops) is defined in
// torch_landmark_template.cpp (synthforge_torch).

#include <cstdint>
#include <string>
#include <vector>

#include "core/train/crop_similarity.h"

namespace synthforge::train {

inline constexpr const char* kLandmarkTemplateFile = "landmark_template.json";
inline constexpr const char* kLandmarkTemplateFormat = "synthforge-landmark-template";
constexpr int kLandmarkTemplateVersion = 1;
/// The file is a few kB; anything much larger is not one.
constexpr std::uint64_t kMaxLandmarkTemplateBytes = 4u << 20;
/// Most landmarks a template may hold (LaPa has 106).
constexpr int64_t kMaxTemplateLandmarks = 4096;

struct LandmarkTemplate {
    Points2d points;          ///< L x 2, normalised coordinates of the training crop
    int64_t samples = 0;      ///< how many samples the mean is over
    std::string source;       ///< where they came from (a dataset folder), for people
};

/// The mean landmarks of every complete sample of a dataset in our layout
/// (docs/dataset.md), each annotation's 2d_kps p mapped to 2p/n - 1 with n
/// the manifest's width or height (the trainer's normalisation). Only the
/// manifest and annotations are read (core/dataset's readers, whose errors,
/// naming the file, pass through); std::runtime_error naming the folder
/// when it holds no complete sample or the samples disagree in landmark count.
LandmarkTemplate computeLandmarkTemplate(const std::string& datasetDir);

/// The mean of per-sample landmarks that are already normalised; `source`
/// is recorded. std::invalid_argument when `samples` is empty or their
/// landmark counts differ.
LandmarkTemplate meanLandmarkTemplate(const std::vector<Points2d>& samples, const std::string& source);

/// RUN/landmark_template.json
std::string landmarkTemplatePath(const std::string& runDir);

/// Writes RUN/landmark_template.json atomically (the run folder must
/// exist). std::invalid_argument for a template that would not read back
/// (empty, non-finite, too many points).
void writeLandmarkTemplate(const std::string& runDir, const LandmarkTemplate& t);

/// Reads RUN/landmark_template.json. std::runtime_error "<path>: <field>:
/// <what>" for a missing or oversized file, text that is not a JSON object,
/// a wrong format or version, a num_landmarks that is not 2..4096 or does
/// not match the points, a point that is not two finite numbers within
/// [-8, 8] (a face 4 crops away is not a training framing), a negative
/// samples count, or points that all coincide.
LandmarkTemplate readLandmarkTemplate(const std::string& runDir);
/// The same checks on text; `path` names it in errors.
LandmarkTemplate parseLandmarkTemplate(const std::string& text, const std::string& path);

/// Stage II: the mean landmarks of a benchmark's training crops (the run's
/// format, size, margin and val_fraction, core/train/torch_benchmark_data.h).
/// Defined in torch_landmark_template.cpp; only synthforge_torch users may
/// call it. std::runtime_error when the format has no landmarks.
LandmarkTemplate computeBenchmarkLandmarkTemplate(const std::string& dataDir, const std::string& format,
                                                  int64_t size, double margin, double valFraction);

}  // namespace synthforge::train
