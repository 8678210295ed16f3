#pragma once
// One sample of a SynthForge dataset as stored on disk: image,
// segmentation, depth, normals and the annotation's landmarks. The one
// reader of sample files: training, evaluation and the studio's browser all
// read through it, so they accept and refuse the same files.

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <opencv2/core/mat.hpp>

namespace synthforge::dataset {

/// Which optional maps to read, and whether a missing one is an error.
struct StoredSampleRead {
    bool segmentation = true;
    bool depth = true;
    bool normals = true;
    /// Training needs segmentation and depth: with `required`, a missing map
    /// that was asked for is an error; without, it leaves that Mat empty.
    bool required = false;
};

struct StoredSample {
    std::string name;  ///< file stem, e.g. "000012"
    cv::Mat image;     ///< BGR, CV_8UC3
    cv::Mat seg;       ///< class ids, CV_8UC1; empty when not read or missing
    cv::Mat depth;     ///< CV_32FC1, 0 = background; empty when not read or missing
    cv::Mat normals;   ///< normals/ as stored (CV_8UC3; read as BGR, so the file's R = x is channel 2)
    /// 2d_kps: continuous pixels of the image (pixel (i, j) covers [i, i+1) x [j, j+1)).
    Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> landmarks;
    std::vector<std::uint8_t> visible;  ///< kps_visible (0/1), as many as landmarks; empty when absent
    /// What the sample was drawn with (NaN / empty when the file lacks them):
    /// camera yaw and pitch (radians), EG3D field of view (degrees), FLAME
    /// shape and expression coefficients, and the face box x0 y0 x1 y1 (pixels).
    double yaw = NAN, pitch = NAN, fovDeg = NAN;
    std::vector<float> shape, expr;
    std::vector<float> faceBox;
};

/// Annotation files larger than this are refused unread (one is ~10 KB).
constexpr std::uint64_t kMaxAnnotationBytes = 16u << 20;

/// Reads sample `name` of the dataset at `datasetDir`. Throws
/// std::runtime_error naming the file (and the field, for the annotation)
/// for: a missing or undecodable image; a map of the wrong type or of
/// another size than the image; a missing annotation, or one that is not a
/// JSON object; width/height that differ from the image's; 2d_kps that are
/// not [x, y] pairs of finite numbers; kps_visible of another length.
StoredSample readStoredSample(const std::string& datasetDir, const std::string& name,
                              const StoredSampleRead& what = {});

/// Only the annotation of sample `name` (landmarks and visibility; no image
/// is decoded), checked against `imageSize`, the size the dataset's
/// manifest declares: for readers that need landmarks of many samples (the
/// landmark template). Errors as readStoredSample's for the annotation.
StoredSample readStoredAnnotation(const std::string& datasetDir, const std::string& name, const cv::Size& imageSize);

}  // namespace synthforge::dataset
