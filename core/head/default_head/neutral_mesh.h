#pragma once
// The neutral mesh of SynthForge's licence-free default head, built by code.
//
// The head lives in FLAME's metric frame (metres, y up, face toward +z,
// origin near the neck) so that everything written for FLAME works with it.
// One vertex array holds every part: the skin (face, skull, ears, a capped
// neck stump, with eye sockets and a mouth bag sewn inward from the eye
// openings and the lip slit, so that the skin is one closed 2-manifold), and
// two separate eyeball spheres. The build is deterministic: no randomness,
// same code, same bits.
//
// "Left" and "right" are the subject's (iBUG convention): the subject's left
// is at +x.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/head/head_model.h"

namespace synthforge::head::default_head {

/// What each vertex belongs to. The skin manifold is kSkin + kLeftEyeSocket +
/// kRightEyeSocket + kMouthBag (the pockets are sewn to the skin); the
/// eyeballs are separate closed components.
enum class Part : std::uint8_t {
    kSkin = 0,
    kLeftEyeball = 1,
    kRightEyeball = 2,
    kMouthBag = 3,
    kLeftEyeSocket = 4,
    kRightEyeSocket = 5,
};

/// UV islands of the atlas, in the order of NeutralHead::faceIsland values.
enum class UvIsland : std::uint8_t {
    kFace = 0,
    kScalp = 1,
    kNeck = 2,
    kLeftEar = 3,
    kRightEar = 4,
    kLeftEyeball = 5,
    kRightEyeball = 6,
    kMouthBag = 7,
    kLeftEyeSocket = 8,
    kRightEyeSocket = 9,
    kNeckCap = 10,
};
constexpr int kNumUvIslands = 11;

struct NeutralHead {
    RowMatX3f vertices;  ///< V x 3, metres
    RowMatX3i faces;     ///< F x 3, counter-clockwise seen from outside
    RowMatX2f uv;        ///< T x 2 in [0,1]^2, one atlas
    RowMatX3i uvFaces;   ///< F x 3 indices into uv (seams split uv, not vertices)
    std::vector<std::uint8_t> vertexPart;  ///< V values of Part
    std::vector<std::uint8_t> faceIsland;  ///< F values of UvIsland
    /// Named vertex sets (may overlap at borders): face, scalp, left_ear,
    /// right_ear, neck, nose, lips, upper_lip, lower_lip, left_eyelid,
    /// right_eyelid, left_eyeball, right_eyeball, left_iris, right_iris,
    /// left_pupil, right_pupil, mouth_interior, left_brow, right_brow,
    /// left_eye_socket, right_eye_socket, ...
    std::map<std::string, std::vector<std::int32_t>> regions;
    /// Named 3D feature points (see neutral_mesh_anchors.cpp for the full list):
    /// left/right_eye_inner/outer_corner, pupils, eye centres, nose_tip,
    /// nasion, alar, subnasale, mouth corners, lip centres, menton, gonion,
    /// tragion, brows, jaw hinges, neck centres, eurion, ...
    std::map<std::string, Eigen::Vector3f> anchors;
    /// Per vertex: index of its mirror image across x = 0 (itself on the midline).
    std::vector<std::int32_t> mirrorOf;

    int numVertices() const { return static_cast<int>(vertices.rows()); }
    int numFaces() const { return static_cast<int>(faces.rows()); }
};

/// Builds the neutral head. Deterministic: two calls return bitwise-equal data.
NeutralHead buildNeutralHead();

}  // namespace synthforge::head::default_head
