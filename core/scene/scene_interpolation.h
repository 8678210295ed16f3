#pragma once
// In-between scenes for the explorer's interpolation (`synthforge explore
// interp`): the latent code by spherical interpolation, the FLAME
// coefficients and pose linearly, the orbit camera (yaw, pitch, FOV,
// radius) linearly, which is a camera path along the orbit. Worn assets are
// the nearer end's (they switch at the midpoint).

#include "core/scene/scene.h"

namespace synthforge::scene {

/// Slerp between latent codes a and b (same length): along the great
/// circle of the directions, the norm linear between the two norms, so a
/// Gaussian code stays on the shell a Gaussian code lies on. Collinear or
/// zero codes fall back to linear interpolation.
Eigen::VectorXf slerpLatent(const Eigen::VectorXf& a, const Eigen::VectorXf& b, double t);

/// The scene at t in [0, 1] from a (t = 0) to b (t = 1). Latent codes are
/// taken at `latentDim` (drawn from the seeds when a scene has none).
/// std::invalid_argument when the two scenes differ in head model,
/// generator or image size, or t is outside [0, 1].
Scene interpolateScenes(const Scene& a, const Scene& b, double t, int latentDim);

}  // namespace synthforge::scene
