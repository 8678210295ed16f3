#include "core/camera/orbit_camera.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include <Eigen/Geometry>
#include <Eigen/LU>

namespace synthforge::camera {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kEg3dSqrt2 = 1.414;  // EG3D's literal, kept so f matches its code
constexpr double kPitchLimit = kPi / 2 - 1e-5;  // EG3D clamps v to [1e-5, pi - 1e-5]
constexpr float kRotationTol = 1e-3f;  // float32 JSON round trips stay far below this

std::string str(const Eigen::Vector3f& v) {
    std::ostringstream s;
    s << "[" << v.x() << ", " << v.y() << ", " << v.z() << "]";
    return s.str();
}

// EG3D's create_cam2world_matrix, in double: right = -normalize(up x forward),
// "up" (really down, OpenCV y) = forward x right.
Eigen::Matrix4d lookAt(const Eigen::Vector3d& origin, const Eigen::Vector3d& target) {
    const Eigen::Vector3d d = target - origin;
    if (!(d.norm() > 1e-9))
        throw std::invalid_argument("OrbitCamera: the camera sits on the pivot (radius too small)");
    const Eigen::Vector3d forward = d.normalized();
    const Eigen::Vector3d worldUp(0, 1, 0);
    const Eigen::Vector3d side = worldUp.cross(forward);
    if (!(side.norm() > 1e-12)) throw std::invalid_argument("OrbitCamera: the camera looks straight up or down");
    const Eigen::Vector3d right = -side.normalized();
    const Eigen::Vector3d down = forward.cross(right).normalized();
    Eigen::Matrix4d m = Eigen::Matrix4d::Identity();
    m.block<3, 1>(0, 0) = right;
    m.block<3, 1>(0, 1) = down;
    m.block<3, 1>(0, 2) = forward;
    m.block<3, 1>(0, 3) = origin;
    return m;
}

Eigen::Matrix4f rigidInverse(const Eigen::Matrix4f& m) {
    Eigen::Matrix4f inv = Eigen::Matrix4f::Identity();
    const Eigen::Matrix3f rt = m.topLeftCorner<3, 3>().transpose();
    inv.topLeftCorner<3, 3>() = rt;
    inv.topRightCorner<3, 1>() = -rt * m.topRightCorner<3, 1>();
    return inv;
}

Projection projectWith(const Eigen::Matrix4f& world2cam, const Eigen::Matrix3f& kPix, const Eigen::Vector3f& p) {
    const Eigen::Vector3f c = world2cam.topLeftCorner<3, 3>() * p + world2cam.topRightCorner<3, 1>();
    Projection out;
    out.depth = c.z();
    if (c.z() > 0.0f) {
        out.pixel = Eigen::Vector2f(kPix(0, 0) * c.x() / c.z() + kPix(0, 1) * c.y() / c.z() + kPix(0, 2),
                                    kPix(1, 1) * c.y() / c.z() + kPix(1, 2));
    } else {
        out.pixel.setConstant(std::numeric_limits<float>::quiet_NaN());
    }
    return out;
}

}  // namespace

Eigen::Vector3f flameToWorld(const Eigen::Vector3f& x) {
    return (x + flameOffset()) * kFlameToWorldScale + worldShift();
}

Eigen::Matrix4f flameToWorldMatrix() {
    Eigen::Matrix4f m = Eigen::Matrix4f::Identity();
    m.topLeftCorner<3, 3>() *= kFlameToWorldScale;
    m.topRightCorner<3, 1>() = flameOffset() * kFlameToWorldScale + worldShift();
    return m;
}

Points3f transformPoints(const Eigen::Matrix4f& m, const Eigen::Ref<const Points3f>& points) {
    Points3f out(points.rows(), 3);
    // Row vectors: p' = p * R^T + t^T.
    out.noalias() = points * m.topLeftCorner<3, 3>().transpose();
    out.rowwise() += m.topRightCorner<3, 1>().transpose();
    return out;
}

float focalFromEg3dFov(float eg3dFovDeg) {
    return static_cast<float>(1.0 / (std::tan(eg3dFovDeg * kPi / 360.0) * kEg3dSqrt2));
}

float eg3dFovFromFocal(float focalNormalised) {
    return static_cast<float>(2.0 * std::atan(1.0 / (focalNormalised * kEg3dSqrt2)) * 180.0 / kPi);
}

float trueFovDeg(float focalNormalised) {
    return static_cast<float>(2.0 * std::atan(1.0 / (2.0 * focalNormalised)) * 180.0 / kPi);
}

// ---------------------------------------------------------------- PinholeCamera

CameraVector25 PinholeCamera::toVector25() const {
    CameraVector25 v;
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) v[4 * r + c] = cam2world(r, c);
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) v[16 + 3 * r + c] = intrinsics(r, c);
    return v;
}

PinholeCamera PinholeCamera::fromVector25(const Eigen::Ref<const Eigen::VectorXf>& v) {
    if (v.size() != 25)
        throw std::invalid_argument("camera_params: expected 25 values (16 cam2world + 9 K), found " +
                                    std::to_string(v.size()));
    for (int i = 0; i < 25; ++i)
        if (!std::isfinite(v[i]))
            throw std::invalid_argument("camera_params[" + std::to_string(i) + "]: not a finite number");
    PinholeCamera cam;
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) cam.cam2world(r, c) = v[4 * r + c];
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) cam.intrinsics(r, c) = v[16 + 3 * r + c];

    const Eigen::RowVector4f lastRow = cam.cam2world.row(3);
    if ((lastRow - Eigen::RowVector4f(0, 0, 0, 1)).cwiseAbs().maxCoeff() > 1e-6f)
        throw std::invalid_argument("cam2world: last row must be 0 0 0 1");
    const Eigen::Matrix3f r = cam.cam2world.topLeftCorner<3, 3>();
    const float orthoErr = (r.transpose() * r - Eigen::Matrix3f::Identity()).cwiseAbs().maxCoeff();
    if (!(orthoErr <= kRotationTol))
        throw std::invalid_argument("cam2world: rotation is not orthonormal (max |R^T R - I| = " +
                                    std::to_string(orthoErr) + ")");
    if (r.determinant() < 0.0f)
        throw std::invalid_argument("cam2world: rotation is a reflection (det -1); expected OpenCV axes, det +1");

    const Eigen::Matrix3f& k = cam.intrinsics;
    if (!(k(0, 0) > 0.0f) || !(k(1, 1) > 0.0f))
        throw std::invalid_argument("K: focal lengths must be positive");
    if (std::abs(k(0, 1)) > 1e-5f || std::abs(k(1, 0)) > 1e-5f)
        throw std::invalid_argument("K: skew / off-diagonal terms are not supported");
    if ((k.row(2) - Eigen::RowVector3f(0, 0, 1)).cwiseAbs().maxCoeff() > 1e-6f)
        throw std::invalid_argument("K: last row must be 0 0 1");
    return cam;
}

Eigen::Matrix4f PinholeCamera::world2cam() const { return rigidInverse(cam2world); }

Eigen::Matrix3f PinholeCamera::intrinsicsPixels(int width, int height) const {
    Eigen::Matrix3f k = intrinsics;
    k.row(0) *= static_cast<float>(width);
    k.row(1) *= static_cast<float>(height);
    k.row(2) << 0, 0, 1;
    return k;
}

float PinholeCamera::verticalFovDeg() const { return trueFovDeg(intrinsics(1, 1)); }

Projection PinholeCamera::project(const Eigen::Vector3f& world, int width, int height) const {
    return projectWith(world2cam(), intrinsicsPixels(width, height), world);
}

// ------------------------------------------------------------------ OrbitCamera

Eigen::Vector3f OrbitCamera::position() const {
    const double p = std::clamp(static_cast<double>(pitch), -kPitchLimit, kPitchLimit);
    const double theta = kPi / 2 + yaw;
    const double v = (kPi / 2 + p) / kPi;
    const double phi = std::acos(1.0 - 2.0 * v);
    return Eigen::Vector3d(radius * std::sin(phi) * std::cos(kPi - theta), radius * std::cos(phi),
                           radius * std::sin(phi) * std::sin(kPi - theta))
        .cast<float>();
}

Eigen::Matrix4f OrbitCamera::cam2world() const {
    if (!std::isfinite(yaw) || !std::isfinite(pitch) || !std::isfinite(radius) || !pivot.allFinite())
        throw std::invalid_argument("OrbitCamera: yaw, pitch, radius and pivot must be finite");
    return lookAt(position().cast<double>(), pivot.cast<double>()).cast<float>();
}

Eigen::Matrix4f OrbitCamera::world2cam() const { return rigidInverse(cam2world()); }

Eigen::Matrix3f OrbitCamera::intrinsicsNormalised() const {
    const float f = focalNormalised();
    Eigen::Matrix3f k;
    k << f, 0, 0.5f, 0, f, 0.5f, 0, 0, 1;
    return k;
}

Eigen::Matrix3f OrbitCamera::intrinsicsPixels(int width, int height) const {
    return pinhole().intrinsicsPixels(width, height);
}

PinholeCamera OrbitCamera::pinhole() const {
    PinholeCamera cam;
    cam.cam2world = cam2world();
    cam.intrinsics = intrinsicsNormalised();
    return cam;
}

CameraVector25 OrbitCamera::toVector25() const { return pinhole().toVector25(); }

OrbitCamera OrbitCamera::fromVector25(const Eigen::Ref<const Eigen::VectorXf>& v, const Eigen::Vector3f& pivot) {
    return fromPinhole(PinholeCamera::fromVector25(v), pivot);
}

OrbitCamera OrbitCamera::fromPinhole(const PinholeCamera& camera, const Eigen::Vector3f& pivot) {
    const Eigen::Matrix3f& k = camera.intrinsics;
    if (std::abs(k(0, 0) - k(1, 1)) > 1e-4f * k(1, 1))
        throw std::invalid_argument("K: an orbit camera needs fx == fy (normalised), found " +
                                    std::to_string(k(0, 0)) + " and " + std::to_string(k(1, 1)));
    if (std::abs(k(0, 2) - 0.5f) > 1e-4f || std::abs(k(1, 2) - 0.5f) > 1e-4f)
        throw std::invalid_argument("K: an orbit camera needs the principal point at 0.5, 0.5");

    const Eigen::Vector3d o = camera.cam2world.topRightCorner<3, 1>().cast<double>();
    const double r = o.norm();
    if (!(r > 1e-6)) throw std::invalid_argument("cam2world: the camera sits at the world origin");
    OrbitCamera out;
    out.pivot = pivot;
    out.radius = static_cast<float>(r);
    // position.y = r cos(phi) and cos(phi) = 1 - 2v/pi with v = pi/2 + pitch,
    // hence pitch = -(pi/2) * y / r; x and z give the azimuth directly.
    out.pitch = static_cast<float>(-kPi / 2 * std::clamp(o.y() / r, -1.0, 1.0));
    out.yaw = static_cast<float>(std::atan2(o.x(), o.z()));
    out.eg3dFovDeg = eg3dFovFromFocal(k(1, 1));

    // The recovered parameters must reproduce the pose: this rejects cameras
    // that look elsewhere or roll.
    const Eigen::Matrix4f rebuilt = out.cam2world();
    const float err = (rebuilt.topLeftCorner<3, 3>() - camera.cam2world.topLeftCorner<3, 3>()).cwiseAbs().maxCoeff();
    if (!(err <= kRotationTol))
        throw std::invalid_argument("cam2world: not a roll-free look-at camera toward the pivot " + str(pivot) +
                                    " (rotation differs by " + std::to_string(err) + ")");
    return out;
}

}  // namespace synthforge::camera
