#include "core/transfer/target_alignment.h"

#include <stdexcept>

#include "core/dataset/sample_paths.h"
#include "core/dataset/stored_sample.h"

namespace synthforge::transfer {

LandmarkFrame meanLandmarkFrame(const std::string& dataset, int limit) {
    const std::vector<std::string> names = dataset::listCompleteSamples(dataset);
    if (names.empty()) throw std::runtime_error(dataset + ": no complete samples to take the landmark frame from");
    LandmarkFrame f;
    f.mean = camera::Points2d::Zero(68, 2);
    int n = 0;
    for (const std::string& name : names) {
        if (n == limit) break;
        dataset::StoredSampleRead what;
        what.segmentation = what.depth = what.normals = false;
        const dataset::StoredSample s = dataset::readStoredSample(dataset, name, what);
        if (s.landmarks.rows() != 68) throw std::runtime_error(dataset + ": sample " + name + " has no 68 landmarks");
        f.mean += s.landmarks.cast<double>();
        f.width = s.image.cols;
        f.height = s.image.rows;
        ++n;
    }
    f.mean /= n;
    return f;
}

camera::Similarity2d alignmentToFrame(const camera::Points2d& landmarks, const LandmarkFrame& frame) {
    if (landmarks.rows() != 68 || frame.mean.rows() != 68)
        throw std::invalid_argument("alignmentToFrame: needs 68 landmarks on both sides");
    // Points 17..67: brows, nose, eyes, mouth.
    return camera::estimateSimilarity(landmarks.bottomRows(51), frame.mean.bottomRows(51));
}

}  // namespace synthforge::transfer
