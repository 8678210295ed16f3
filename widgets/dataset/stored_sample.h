#pragma once
// One sample of a generated dataset as stored on disk (image, segmentation,
// depth, landmarks with visibility), and the quick-look picture the dataset
// browser shows for it. These are the *stored* annotations, not recomputed
// ones: what a training job would read.

#include <string>

#include <opencv2/core/mat.hpp>

#include "core/annotate/class_table.h"
#include "core/dataset/stored_sample.h"
#include "widgets/dataset/dataset_index.h"

namespace synthforge::widgets {

/// A stored sample (core/dataset/stored_sample.h: the one reader of sample
/// files) and the browser row it came from.
struct StoredSample : dataset::StoredSample {
    std::size_t row = 0;
};

/// Reads sample `row` of `index` through dataset::readStoredSample. Slow
/// enough (PNG/TIFF decoding) that the browser calls it on a worker. Throws
/// std::runtime_error naming the file for a missing or corrupt image or
/// annotation; a missing seg, depth or normals file only leaves that Mat empty.
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
