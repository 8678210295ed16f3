#pragma once
// What the dataset browser knows about a generated dataset folder
// (docs/dataset.md): the validated manifest and the list of complete samples.
// Reading it touches only manifest.json and the annotations/ listing, so it
// is cheap enough for the GUI thread even for large datasets.

#include <memory>
#include <string>
#include <vector>

#include "core/annotate/class_table.h"

namespace synthforge::widgets {

struct DatasetIndex {
    std::string dir;
    int width = 0, height = 0;
    std::uint64_t count = 0;  ///< samples the manifest announces
    bool complete = false;    ///< the manifest says every sample is written
    /// The manifest's class table; null when the dataset has no segmentation.
    std::shared_ptr<const annotate::ClassTable> classes;
    /// File stems ("000012") of the complete samples (those with an
    /// annotation JSON, which the writer writes last), in index order.
    std::vector<std::string> samples;

    std::string annotationPath(std::size_t row) const;
    std::string imagePath(std::size_t row) const;
    std::string segPath(std::size_t row) const;
    std::string depthPath(std::size_t row) const;
    std::string normalsPath(std::size_t row) const;  ///< written with `generate --normals`
};

/// Reads `dir`/manifest.json and lists the samples. Throws std::runtime_error
/// "<path>: <what>" for a folder that is missing or is not a SynthForge
/// dataset (no manifest), an unreadable or corrupt manifest, a wrong format
/// or a newer version, and bad fields (size, count, classes).
DatasetIndex loadDatasetIndex(const std::string& dir);

}  // namespace synthforge::widgets
