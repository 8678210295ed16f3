#pragma once
// The steps that turn the neutral mesh into the default HeadModel. Internal
// to core/head/default_head; default_head.cpp strings them together.

#include <string>
#include <vector>

#include "core/head/default_head/neutral_mesh.h"
#include <Eigen/Geometry>

#include "core/head/head_model.h"

namespace synthforge::head::default_head {

/// Anchor lookup that names the missing anchor instead of inserting a zero.
Eigen::Vector3f anchor(const NeutralHead& head, const std::string& name);

/// Height of the lip line: midway between the inner lip contours.
float stomionY(const NeutralHead& head);

/// Smooth 0..1 ramp between e0 and e1 (Hermite), clamped.
float smoothstep(float e0, float e1, float x);
/// exp(-|p - c|^2 / (2 sigma^2))
float gaussian(const Eigen::Vector3f& p, const Eigen::Vector3f& c, float sigma);

/// Vertices of the skin that border a pocket (eye openings, lip slit): the
/// rims, per pocket part.
std::vector<std::int32_t> rimVertices(const NeutralHead& head, Part pocket);

/// Per-vertex membership (0/1) of a named region, or of a part.
std::vector<float> regionMask(const NeutralHead& head, const std::string& region);

/// Joint rest positions, the J_regressor reproducing them from the mesh, and
/// smooth skinning weights (neck blend, jaw with the lower lip and the lower
/// mouth bag, rigid eyeballs).
void buildSkeleton(const NeutralHead& head, HeadModel& model);

/// Identity basis: PCA over a procedural population, `count` components
/// scaled to one standard deviation.
Eigen::MatrixXf buildShapeBasis(const NeutralHead& head, int count);

/// Named expression actions, Loewdin-orthogonalised; `names` receives the
/// component names in column order.
Eigen::MatrixXf buildExpressionBasis(const NeutralHead& head, std::vector<std::string>& names);

/// The 68-point iBUG embedding on the skin (static 68).
LandmarkEmbedding buildLandmarks68(const NeutralHead& head, const RowMatX3i& faces);
/// Turns a static 68 embedding into FLAME's layout: static 51 (iBUG 17..67)
/// plus a 79-bin dynamic contour that follows the visible outline of the
/// face at each whole degree of yaw (contour_bins.cpp).
void makeContourDynamic(const NeutralHead& head, LandmarkEmbedding& landmarks);

}  // namespace synthforge::head::default_head

namespace synthforge::head::default_head {

/// Area-weighted unit vertex normals of the neutral mesh.
RowMatX3f vertexNormals(const NeutralHead& head);

/// Directions for fields that push skin "outward": the vertex normals, except
/// on the ears, whose thin lobe has two sheets with opposite normals a
/// millimetre apart; there the lateral direction (+-x) moves both together.
RowMatX3f fieldNormals(const NeutralHead& head);

/// Replaces the displacement of every eyeball vertex by the mean over its
/// eyeball, so that eyeballs translate rigidly with any field.
void makeEyeballsRigid(const NeutralHead& head, RowMatX3f& displacement);

/// Deterministic standard normal samples (Box-Muller over mt19937): the
/// standard library's distributions differ between implementations.
class NormalSampler {
public:
    explicit NormalSampler(std::uint32_t seed);
    float next();
private:
    std::uint32_t state_[2];
    std::uint64_t counter_ = 0;
    float spare_ = 0;
    bool hasSpare_ = false;
};

}  // namespace synthforge::head::default_head

namespace synthforge::head::default_head {

/// Makes a displacement field safe around the eyes and the lips, whose
/// neighbouring surfaces sit a fraction of a millimetre apart:
///  - eyes: the eyeball, its socket and the skin within ~15 mm of the eye
///    centre move as one rigid translation (the eyeball's mean displacement
///    for identity fields; zero for expressions, which move lids explicitly);
///  - lips: the lip surfaces within a few millimetres of the lip line and
///    the mouth bag take the mean displacement of the slit's two rims at the
///    same x, so the two lips and the bag move together there.
struct FieldGuards {
    bool eyes = true;
    bool lips = true;
    bool eyeballsFollowField = true;  ///< false for expressions
};
void guardField(const NeutralHead& head, RowMatX3f& d, const FieldGuards& guards);

}  // namespace synthforge::head::default_head
