#pragma once
// SynthForge's licence-free default head: the neutral mesh of
// neutral_mesh.h turned into a full FLAME-layout HeadModel (joints, skinning,
// shape and expression bases, 68 landmarks, regions), and cached on disk.

#include <string>

#include <opencv2/core/mat.hpp>

#include "core/head/head_model.h"

namespace synthforge::head {

/// Bump when the generated model changes; it names the cache file, so an old
/// cache is never mistaken for the current model.
constexpr int kDefaultHeadVersion = 1;
/// Identity components kept from the population PCA.
constexpr int kDefaultHeadShapeComponents = 50;

/// Builds the default head from code. Deterministic: same code, same bytes.
HeadModel buildDefaultHead();

/// Where the cached .safetensors lives: $SYNTHFORGE_CACHE_DIR, else
/// $XDG_CACHE_HOME/synthforge, else ~/.cache/synthforge (else the temp dir);
/// the file name carries the version and a hash of the building code.
std::string defaultHeadCachePath();

/// The default head: read from the cache when present and valid, else built
/// and written to the cache atomically (a failed write is not an error).
HeadModel loadDefaultHead();

/// default_head::buildDefaultLabelMap(model, size), cached beside the
/// default head as an 8-bit PNG whose name carries the same version and code
/// hash and the size: a CLI run or studio start then reads ~100 KB instead
/// of rebuilding the neutral mesh and rasterising its UV atlas. A cache file
/// that is unreadable or of the wrong size or type is rebuilt, never
/// trusted. `model` must be the default head (checked when building).
cv::Mat loadDefaultLabelMap(const HeadModel& model, int size = 1024);

}  // namespace synthforge::head
