#pragma once
// The planted-answer TorchScript generator (tools/planted_generator.py),
// made with Debian's python3-torch for the tests: a density of the posed
// head moved by a known FLAME-space affine map and shape offset.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/head/head_model.h"
#include "core/io/npy.h"
#include "tests/support/python_tools.h"

namespace synthforge::testutil {

struct PlantedGeneratorSpec {
    Eigen::Matrix<float, 3, 4> affine = Eigen::Matrix<float, 3, 4>::Identity();
    /// Directions of the per-sample shape offset: sample b's head moves by
    /// sum_k ws[b, 8 + k] * offsetBasis[k] (ws = psi * z), FLAME metres.
    std::vector<head::RowMatX3f> offsetBasis;
    int imageSize = 48;
    int latentDim = 64;
    float badThreshold = 1e9f;  ///< z[0] above it: drawn displaced by badShift
    Eigen::Vector3f badShift = Eigen::Vector3f::Zero();
    int vertexCount = 0;  ///< 0: the model's
    std::string version = "1";
};

/// Writes `dir`/planted.pt for `model`; fails the calling test if the script fails.
inline std::string makePlantedGenerator(const head::HeadModel& model, const PlantedGeneratorSpec& spec,
                                        const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    std::vector<std::int64_t> faces(static_cast<std::size_t>(model.faces.size()));
    for (Eigen::Index f = 0; f < model.faces.rows(); ++f)
        for (int k = 0; k < 3; ++k) faces[static_cast<std::size_t>(f * 3 + k)] = model.faces(f, k);
    io::saveNpyFile((dir / "faces.npy").string(), io::NdArray::fromInt64(faces, {model.faces.rows(), 3}));
    std::ostringstream cmd;
    cmd << twin::python() << " '" << twin::toolScript("planted_generator.py").string() << "' --faces '"
        << (dir / "faces.npy").string() << "' --vertex-count "
        << (spec.vertexCount > 0 ? spec.vertexCount : model.numVertices()) << " --image-size " << spec.imageSize
        << " --latent-dim " << spec.latentDim << " --version " << spec.version;
    if (!spec.offsetBasis.empty()) {
        std::vector<float> o;
        for (const head::RowMatX3f& b : spec.offsetBasis) o.insert(o.end(), b.data(), b.data() + b.size());
        io::saveNpyFile((dir / "offset_basis.npy").string(),
                        io::NdArray::fromFloat(o, {static_cast<std::int64_t>(spec.offsetBasis.size()),
                                                   spec.offsetBasis[0].rows(), 3}));
        cmd << " --offset-basis '" << (dir / "offset_basis.npy").string() << "'";
    }
    cmd.precision(9);
    cmd << " --affine";
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 4; ++c) cmd << ' ' << spec.affine(r, c);
    if (spec.badThreshold < 1e8f)
        cmd << " --bad-threshold " << spec.badThreshold << " --bad-shift " << spec.badShift.x() << ' '
            << spec.badShift.y() << ' ' << spec.badShift.z();
    const std::string out = (dir / "planted.pt").string();
    cmd << " --out '" << out << "'";
    EXPECT_EQ(std::system(cmd.str().c_str()), 0) << cmd.str();
    return out;
}

}  // namespace synthforge::testutil
