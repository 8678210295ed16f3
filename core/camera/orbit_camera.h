#pragma once
// Cameras in the generator world of Next3D/EG3D (docs/design.md), so that a 25-value
// camera vector we write is exactly what such a generator expects.
//
// Frames:
//  - FLAME: metres, y up, the face looking toward +z.
//  - Generator world: X_w = (X + [0, -0.01, -0.01]) * 2.5, then z += sqrt(2)/10.
//  - Camera: OpenCV axes, x right, y down, z forward. cam2world's columns are
//    the camera's right, down ("up" in EG3D's code, which is y-down) and
//    forward axes in world coordinates, and its position.
//  - Pixels: pixel (i, j) covers [i, i+1) x [j, j+1); its centre is (i+0.5, j+0.5).
//    u = fx * x/z + cx, v = fy * y/z + cy.
//
// Orbit convention (EG3D's LookAtPoseSampler with h = pi/2 + yaw and
// v = pi/2 + pitch): the camera sits at `radius` from the WORLD ORIGIN (not
// from the pivot; EG3D places it so) on the sphere point
//     phi = acos(1 - 2 v / pi),   theta = h,
//     position = radius * (sin(phi) cos(pi - theta), cos(phi), sin(phi) sin(pi - theta)),
// and looks at the pivot with no roll (world +y is up in the image).
//  - yaw = pitch = 0 is frontal: the camera is on +z and sees the face.
//  - yaw > 0 moves the camera toward +x, the subject's left.
//  - pitch > 0 moves the camera down (it looks up at the chin). Pitch is EG3D's
//    "vertical" offset, not an elevation angle: the elevation is
//    -asin(2 pitch / pi), which is why uniform pitch samples the sphere
//    uniformly in height. It is clamped to |pitch| <= pi/2 - 1e-5 as EG3D does.
//
// Intrinsics are normalised by image size: f = 1 / (tan(fov/2) * 1.414),
// c = 0.5 ("EG3D FOV"; the 1.414 is EG3D's, so the EG3D FOV is not the true
// one). The true vertical FOV is 2 atan(1 / (2 f)).

#include <stdexcept>

#include <Eigen/Core>

namespace synthforge::camera {

using Points3f = Eigen::Matrix<float, Eigen::Dynamic, 3, Eigen::RowMajor>;
/// 16 values of cam2world (row-major) then 9 of the normalised K (row-major).
using CameraVector25 = Eigen::Matrix<float, 25, 1>;

constexpr float kFlameToWorldScale = 2.5f;
constexpr float kDefaultRadius = 2.7f;
constexpr float kDefaultEg3dFovDeg = 18.0f;
/// Offset added to FLAME points before scaling.
inline Eigen::Vector3f flameOffset() { return {0.0f, -0.01f, -0.01f}; }
/// Shift added to generator-world points after scaling (z += sqrt(2)/10).
inline Eigen::Vector3f worldShift() { return {0.0f, 0.0f, 0.14142135623730951f}; }
/// The point the orbit camera looks at, in generator world.
inline Eigen::Vector3f defaultPivot() { return {0.0f, 0.0f, 0.2f}; }

/// FLAME metres -> generator world.
Eigen::Vector3f flameToWorld(const Eigen::Vector3f& x);
/// The same map as a 4x4 affine matrix (x_w = M * [x; 1]).
Eigen::Matrix4f flameToWorldMatrix();
/// Applies an affine 4x4 matrix to every row of `points`.
Points3f transformPoints(const Eigen::Matrix4f& m, const Eigen::Ref<const Points3f>& points);

/// Normalised focal length for an EG3D FOV in degrees: 1 / (tan(fov/2) * 1.414).
float focalFromEg3dFov(float eg3dFovDeg);
/// Inverse of focalFromEg3dFov.
float eg3dFovFromFocal(float focalNormalised);
/// The true field of view in degrees that a normalised focal length spans: 2 atan(1 / (2 f)).
float trueFovDeg(float focalNormalised);

/// A projected point.
struct Projection {
    Eigen::Vector2f pixel;  ///< continuous pixel coordinates (NaN when depth <= 0)
    float depth = 0.0f;     ///< camera-space z, > 0 in front of the camera
};

/// Any pinhole camera in the 25-vector's form: a pose and normalised
/// intrinsics. Datasets may hold cameras that are not exact orbit cameras; this
/// type carries them unchanged.
struct PinholeCamera {
    Eigen::Matrix4f cam2world = Eigen::Matrix4f::Identity();  ///< OpenCV axes
    Eigen::Matrix3f intrinsics = Eigen::Matrix3f::Identity();  ///< normalised by image size

    CameraVector25 toVector25() const;
    /// Parses and validates a 25-vector: 25 finite values, a rigid cam2world
    /// (orthonormal rotation with det +1, last row 0 0 0 1) and a pinhole K
    /// (f > 0, no skew, last row 0 0 1). Throws std::invalid_argument naming
    /// the field ("camera_params", "cam2world", "K").
    static PinholeCamera fromVector25(const Eigen::Ref<const Eigen::VectorXf>& v);

    Eigen::Matrix4f world2cam() const;
    /// K in pixels: fx = K00 * width, cx = K02 * width, fy = K11 * height, cy = K12 * height.
    Eigen::Matrix3f intrinsicsPixels(int width, int height) const;
    /// True vertical FOV in degrees (from K11).
    float verticalFovDeg() const;
    /// World point -> pixel and camera z for a width x height image.
    Projection project(const Eigen::Vector3f& world, int width, int height) const;
};

/// The studio's and the samplers' camera: yaw/pitch offsets around frontal
/// (radians), EG3D FOV, orbit radius and pivot. See the header comment for the
/// exact convention.
struct OrbitCamera {
    float yaw = 0.0f;    ///< radians, offset from frontal; > 0 toward the subject's left (+x)
    float pitch = 0.0f;  ///< radians, EG3D vertical offset from frontal; > 0 camera below
    float eg3dFovDeg = kDefaultEg3dFovDeg;
    float radius = kDefaultRadius;  ///< distance of the camera from the world origin
    Eigen::Vector3f pivot = defaultPivot();

    /// Camera centre in generator world.
    Eigen::Vector3f position() const;
    /// Look-at pose, OpenCV axes. Throws std::invalid_argument when the camera
    /// sits on the pivot or the parameters are not finite.
    Eigen::Matrix4f cam2world() const;
    Eigen::Matrix4f world2cam() const;
    float focalNormalised() const { return focalFromEg3dFov(eg3dFovDeg); }
    Eigen::Matrix3f intrinsicsNormalised() const;
    Eigen::Matrix3f intrinsicsPixels(int width, int height) const;
    /// True vertical FOV in degrees (smaller than the EG3D FOV).
    float verticalFovDeg() const { return trueFovDeg(focalNormalised()); }

    PinholeCamera pinhole() const;
    CameraVector25 toVector25() const;
    /// Recovers yaw, pitch, radius and FOV from a 25-vector of a look-at camera
    /// toward `pivot`. Validates as PinholeCamera::fromVector25 does, and also
    /// throws std::invalid_argument when K is not square-pixel and centred
    /// ("K") or the pose is not a roll-free look-at toward the pivot ("cam2world").
    static OrbitCamera fromVector25(const Eigen::Ref<const Eigen::VectorXf>& v,
                                    const Eigen::Vector3f& pivot = defaultPivot());
    static OrbitCamera fromPinhole(const PinholeCamera& camera, const Eigen::Vector3f& pivot = defaultPivot());

    Projection project(const Eigen::Vector3f& world, int width, int height) const {
        return pinhole().project(world, width, height);
    }
};

}  // namespace synthforge::camera
