#include "widgets/dataset/dataset_index.h"

#include "core/dataset/dataset_manifest.h"
#include "core/dataset/sample_paths.h"

namespace synthforge::widgets {

std::string DatasetIndex::annotationPath(std::size_t row) const { return dataset::samplePaths(dir, samples.at(row)).annotation; }
std::string DatasetIndex::imagePath(std::size_t row) const { return dataset::samplePaths(dir, samples.at(row)).image; }
std::string DatasetIndex::segPath(std::size_t row) const { return dataset::samplePaths(dir, samples.at(row)).seg; }
std::string DatasetIndex::depthPath(std::size_t row) const { return dataset::samplePaths(dir, samples.at(row)).depth; }
std::string DatasetIndex::normalsPath(std::size_t row) const { return dataset::samplePaths(dir, samples.at(row)).normals; }

DatasetIndex loadDatasetIndex(const std::string& dir) {
    const dataset::DatasetManifest m = dataset::readDatasetManifest(dir);
    DatasetIndex d;
    d.dir = dir;
    d.width = m.width;
    d.height = m.height;
    d.count = m.count;
    d.complete = m.complete;
    d.classes = m.classes;
    d.samples = dataset::listCompleteSamples(dir);
    return d;
}

}  // namespace synthforge::widgets
