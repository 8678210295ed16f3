#pragma once
// Where each sample of a SynthForge dataset lives (docs/dataset.md):
//
//   images/000000.png        RGB
//   seg/000000.png           8-bit class ids
//   depth/000000.tiff        float32 camera z, generator units, 0 = background
//   normals/000000.png       optional
//   annotations/000000.json  written last: its presence marks the sample complete
//
// Names have at least 6 digits (more when the count needs them).

#include <cstdint>
#include <string>
#include <vector>

namespace synthforge::dataset {

/// Digits in sample file names for a dataset of `count` samples (6..20).
int indexDigits(std::uint64_t count);
/// Sample `index`'s file stem, zero-padded to `digits` ("000042").
std::string sampleName(std::uint64_t index, int digits);

/// The files of one sample.
struct SamplePaths {
    std::string image, seg, depth, normals, annotation;
};
/// The files of sample `name` (a file stem) of the dataset at `datasetDir`.
SamplePaths samplePaths(const std::string& datasetDir, const std::string& name);

/// File stems of the complete samples (those with an annotation JSON, which
/// the writer writes last), in index order: equal-width names sort as
/// numbers, wider names come later. A missing annotations/ folder is empty.
std::vector<std::string> listCompleteSamples(const std::string& datasetDir);

}  // namespace synthforge::dataset
