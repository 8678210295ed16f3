#include "core/scene/scene_interpolation.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace synthforge::scene {

namespace {

/// Linear blend of two coefficient vectors; the shorter one counts as
/// padded with zeros (FLAME files may keep fewer components).
Eigen::VectorXf lerp(const Eigen::VectorXf& a, const Eigen::VectorXf& b, double t) {
    const Eigen::Index n = std::max(a.size(), b.size());
    Eigen::VectorXf pa = Eigen::VectorXf::Zero(n), pb = Eigen::VectorXf::Zero(n);
    pa.head(a.size()) = a;
    pb.head(b.size()) = b;
    return ((1.0 - t) * pa.cast<double>() + t * pb.cast<double>()).cast<float>();
}

float lerp(float a, float b, double t) { return static_cast<float>((1.0 - t) * a + t * b); }

}  // namespace

Eigen::VectorXf slerpLatent(const Eigen::VectorXf& a, const Eigen::VectorXf& b, double t) {
    if (a.size() != b.size()) throw std::invalid_argument("slerpLatent: codes of different lengths");
    const double na = a.cast<double>().norm(), nb = b.cast<double>().norm();
    if (na == 0 || nb == 0) return lerp(a, b, t);
    const Eigen::VectorXd ua = a.cast<double>() / na, ub = b.cast<double>() / nb;
    const double cosine = std::clamp(ua.dot(ub), -1.0, 1.0), omega = std::acos(cosine);
    if (std::sin(omega) < 1e-6) return lerp(a, b, t);
    const Eigen::VectorXd dir = (std::sin((1 - t) * omega) * ua + std::sin(t * omega) * ub) / std::sin(omega);
    return (dir * ((1 - t) * na + t * nb)).cast<float>();
}

Scene interpolateScenes(const Scene& a, const Scene& b, double t, int latentDim) {
    if (!(t >= 0 && t <= 1)) throw std::invalid_argument("interpolateScenes: t must be in [0, 1]");
    if (a.headModel != b.headModel)
        throw std::invalid_argument("head_model: the scenes use different head models (\"" + a.headModel + "\", \"" +
                                    b.headModel + "\")");
    if (a.generator != b.generator)
        throw std::invalid_argument("generator: the scenes use different generators (\"" + a.generator + "\", \"" +
                                    b.generator + "\")");
    if (a.width != b.width || a.height != b.height)
        throw std::invalid_argument("width/height: the scenes have different image sizes");
    Scene s = a;
    s.params.shape = lerp(a.params.shape, b.params.shape, t);
    s.params.expr = lerp(a.params.expr, b.params.expr, t);
    // Axis-angle pose values blend linearly: exact for rotations about one
    // axis (the jaw opening, a head turn), close for the small ones FLAME uses.
    s.params.pose = lerp(Eigen::VectorXf(a.params.pose), Eigen::VectorXf(b.params.pose), t);
    s.params.transl = lerp(Eigen::VectorXf(a.params.transl), Eigen::VectorXf(b.params.transl), t);
    s.camera.yaw = lerp(a.camera.yaw, b.camera.yaw, t);
    s.camera.pitch = lerp(a.camera.pitch, b.camera.pitch, t);
    s.camera.eg3dFovDeg = lerp(a.camera.eg3dFovDeg, b.camera.eg3dFovDeg, t);
    s.camera.radius = lerp(a.camera.radius, b.camera.radius, t);
    s.z = slerpLatent(a.latent(latentDim), b.latent(latentDim), t);
    // Worn assets cannot blend (a cap does not half appear): each frame wears
    // the nearer end's, so both ends render exactly as their scenes.
    s.assets = t < 0.5 ? a.assets : b.assets;
    return s;
}

}  // namespace synthforge::scene
