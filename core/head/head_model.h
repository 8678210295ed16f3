#pragma once
// The FLAME-layout head model: template, linear shape/expression/pose bases,
// a five-joint skeleton with linear blend skinning, UVs and the landmark
// embedding. Official FLAME files and our own .safetensors both load into
// this one struct, so every feature above it works with either.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace synthforge::head {

/// FLAME's kinematic tree: joint index -> meaning.
enum Joint : int { kGlobal = 0, kNeck = 1, kJaw = 2, kLeftEye = 3, kRightEye = 4 };
constexpr int kNumJoints = 5;
constexpr int kNumPoseValues = 3 * kNumJoints;        ///< axis-angle per joint
constexpr int kNumPoseFeatures = 9 * (kNumJoints - 1); ///< (R - I) of every non-root joint
constexpr int kNumLandmarks = 68;
constexpr int kNumContourLandmarks = 17;   ///< iBUG 0..16, the dynamic jaw contour
constexpr int kNumStaticFlameLandmarks = 51;  ///< iBUG 17..67
constexpr int kFlameShapeComponents = 300;    ///< FLAME's 400 directions: 300 identity...
constexpr int kFlameExprComponents = 100;     ///< ...and 100 expression

using RowMatX3f = Eigen::Matrix<float, Eigen::Dynamic, 3, Eigen::RowMajor>;
using RowMatX2f = Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor>;
using RowMatX3i = Eigen::Matrix<std::int32_t, Eigen::Dynamic, 3, Eigen::RowMajor>;
using RowMatXf = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Landmarks as (face index, barycentric coordinates) on the template mesh.
///
/// Two layouts exist, as in FLAME and DECA:
///  - static 51 (iBUG 17..67) plus a dynamic 17-point contour (iBUG 0..16)
///    chosen per neck-chain yaw bin (`dynamicFaces` is bins x 17);
///  - a full static 68-point embedding with no dynamic part.
struct LandmarkEmbedding {
    std::vector<std::int32_t> staticFaces;  ///< 51 or 68 triangle indices
    RowMatX3f staticBary;                   ///< same count x 3
    Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> dynamicFaces;  ///< bins x 17
    RowMatXf dynamicBary;  ///< bins x (17*3), row-major per bin: point k at columns 3k..3k+2

    bool empty() const { return staticFaces.empty(); }
    bool hasDynamicContour() const { return dynamicFaces.rows() > 0; }
    /// Number of landmarks the forward pass yields: 68 or 0.
    int count() const { return empty() ? 0 : kNumLandmarks; }
};

struct HeadModel {
    std::string name;     ///< e.g. "FLAME 2020" or "SynthForge default head"
    std::string licence;  ///< note carried into metadata; FLAME files are licensed

    RowMatX3f vTemplate;           ///< V x 3, metres, y up, face toward +z
    Eigen::MatrixXf shapedirs;     ///< 3V x S, column k = direction k, row v*3+c
    Eigen::MatrixXf exprdirs;      ///< 3V x E
    Eigen::MatrixXf posedirs;      ///< 3V x 36
    Eigen::MatrixXf jRegressor;    ///< 5 x V, rows sum to ~1
    RowMatXf weights;              ///< V x 5 skinning weights, rows sum to 1
    std::array<int, kNumJoints> parents{{-1, 0, 1, 1, 1}};
    RowMatX3i faces;               ///< F x 3 vertex indices
    RowMatX2f uv;                  ///< T x 2 texture coordinates (may be empty)
    RowMatX3i uvFaces;             ///< F x 3 indices into uv (empty when uv is)
    LandmarkEmbedding landmarks;
    std::map<std::string, std::vector<std::int32_t>> regions;  ///< optional named vertex sets
    std::vector<std::string> exprNames;  ///< optional names of the expression components (empty for FLAME)

    int numVertices() const { return static_cast<int>(vTemplate.rows()); }
    int numFaces() const { return static_cast<int>(faces.rows()); }
    int numShape() const { return static_cast<int>(shapedirs.cols()); }
    int numExpr() const { return static_cast<int>(exprdirs.cols()); }
    bool hasUv() const { return uv.rows() > 0; }

    /// Checks every array's shape, index range and finiteness. Throws
    /// std::runtime_error("<source>: <field>: <what is wrong>").
    void validate(const std::string& source) const;
};

/// Parameters of one head instance. Shape and expression may be shorter than
/// the model's bases (missing coefficients are zero), never longer.
struct HeadParams {
    Eigen::VectorXf shape;  ///< identity coefficients, in units of one standard deviation
    Eigen::VectorXf expr;   ///< expression coefficients
    Eigen::Matrix<float, kNumPoseValues, 1> pose = Eigen::Matrix<float, kNumPoseValues, 1>::Zero();  ///< axis-angle x5
    Eigen::Vector3f transl = Eigen::Vector3f::Zero();

    /// Throws std::invalid_argument naming the field when a vector is longer
    /// than the model allows or holds NaN/inf.
    void validateFor(const HeadModel& model) const;
};

}  // namespace synthforge::head
