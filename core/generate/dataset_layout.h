#pragma once
// What the generator writes into a dataset (the layout itself, manifest and
// sample files, is core/dataset/'s; docs/dataset.md):
//
//   manifest.json            what the dataset is (generator, head model,
//                            sampler, seed, count, size, classes, camera
//                            convention, formats) and whether it is complete
//   images/000000.png        RGB
//   seg/000000.png           8-bit class ids
//   depth/000000.tiff        float32 camera z, generator units, 0 = background
//   normals/000000.png       optional: camera-space normals, (n + 1) / 2 as
//                            R = x, G = y, B = z (OpenCV axes), background 0
//   annotations/000000.json  SynthForge's keys plus ours; written LAST, so
//                            its presence marks the sample complete
//   facesynthetics/          optional export: 000000.png, 000000_seg.png,
//                            000000_ldmks.txt
//   300w/                    optional export: 000000.png, 000000.pts
//   fr/000003/000031.png     identity sampler: 112 x 112 aligned face crops,
//                            one folder per identity (samplers/fr_crop.h)
//
// Names have at least 6 digits (more when count needs them).

#include <cstdint>
#include <string>
#include <vector>

#include "core/dataset/sample_paths.h"
#include "core/generate/sample_pipeline.h"

namespace synthforge::generate {

/// Export formats besides our own layout.
struct DatasetFormats {
    bool synthforge = true;
    bool faceSynthetics = false;
    bool w300 = false;
    /// Parses "synthforge,facesynthetics,300w" (any subset, any order).
    /// Throws std::invalid_argument naming an unknown entry.
    static DatasetFormats parse(const std::string& list);
    std::vector<std::string> names() const;
};

// Sample names and paths belong to the dataset format (core/dataset/).
using dataset::indexDigits;
inline std::string indexName(std::uint64_t index, int digits) { return dataset::sampleName(index, digits); }

/// The sample's annotation JSON (compact, keys in a fixed order):
/// z, camera_params (25), flame_shape, flame_exp, flame_pose (15), 2d_kps
/// (68 x [x, y] pixels, continuous: pixel (i, j) covers [i, i+1) x [j, j+1)),
/// 3d_kps (68 x [x, y, z] camera space), kps_visible (68 x 0/1), face_box
/// ([x0, y0, x1, y1] pixels), yaw, pitch, fov_deg (EG3D), radius, contour_bin,
/// seed, index, identity (identity sampler only), width, height, and assets
/// (core/generate/assets/asset_json.h) when the sample wears any.
std::string sampleAnnotationJson(const RenderedSample& s, std::uint64_t seed, int width, int height);

/// The FaceSynthetics `_ldmks.txt`: 70 lines "x y": the 68 iBUG points then
/// the subject's right and left pupil centres, in 0-based pixel-centre
/// coordinates (ours minus 0.5).
std::string faceSyntheticsLandmarks(const RenderedSample& s, const head::HeadModel& model);

}  // namespace synthforge::generate
