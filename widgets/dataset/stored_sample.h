#pragma once
// One sample of a generated dataset as stored on disk (image, segmentation,
// depth, landmarks with visibility), and the quick-look picture the dataset
// browser shows for it. These are the *stored* annotations, not recomputed
// ones: what a training job would read.

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <opencv2/core/mat.hpp>

#include "core/annotate/class_table.h"
#include "widgets/dataset/dataset_index.h"

namespace synthforge::widgets {

struct StoredSample {
    std::size_t row = 0;
    std::string name;       ///< file stem, e.g. "000012"
    cv::Mat image;          ///< BGR, CV_8UC3
    cv::Mat seg;            ///< class ids, CV_8UC1; empty when the dataset has none
    cv::Mat depth;          ///< CV_32FC1, 0 = background; empty when missing
    cv::Mat normals;        ///< normals/ as stored (CV_8UC3, file RGB = xyz); empty when missing
    Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> landmarks;  ///< 2d_kps, pixels
    std::vector<std::uint8_t> visible;                                  ///< kps_visible
};

/// Reads sample `row` of `index`. Slow enough (PNG/TIFF decoding) that the
/// browser calls it on a worker. Throws std::runtime_error naming the file
/// for a missing or corrupt image or annotation; a missing seg or depth file
/// (or normals) file only leaves that Mat empty.
StoredSample loadStoredSample(const DatasetIndex& index, std::size_t row);

struct StoredOverlays {
    enum class Base { Image, Depth, Normals };
    Base base = Base::Image;  ///< what the overlays are drawn on; the image when that map is missing
    bool segmentation = false;
    float opacity = 0.5f;
    bool landmarks = true;
};

/// The picture the browser shows: base (image, depth or normals) plus the chosen
/// overlays, BGR. Segmentation needs `classes` (the manifest's table).
cv::Mat composeStoredSample(const StoredSample& s, const annotate::ClassTable* classes, const StoredOverlays& o);

}  // namespace synthforge::widgets
