// Consistency of the annotations with each other and with the mesh: every
// map comes from one raster, so a landmark's pixel must hold its triangle,
// the depth there must be its z, and the silhouettes of segmentation and
// depth must be identical.

#include <cmath>

#include <gtest/gtest.h>

#include "core/annotate/annotator.h"
#include "core/generate/sampler.h"
#include "core/head/lbs.h"
#include "tests/support/default_head_scene.h"

namespace synthforge::annotate {
namespace {

using testutil::defaultHeadScene;

/// Whether the pixel centre (x + 0.5, y + 0.5) lies strictly inside the
/// projection of triangle f (camera-space vertices `cam`), with a margin.
bool centreInsideTriangle(const raster::Vertices& cam, const raster::Intrinsics& k, const head::RowMatX3i& faces,
                          int f, int x, int y, float marginPx) {
    Eigen::Vector2f p[3];
    for (int c = 0; c < 3; ++c) {
        const Eigen::Vector3f v = cam.row(faces(f, c));
        p[c] = {k.fx * v.x() / v.z() + k.cx, k.fy * v.y() / v.z() + k.cy};
    }
    const Eigen::Vector2f q(x + 0.5f, y + 0.5f);
    const float area = (p[1] - p[0]).x() * (p[2] - p[0]).y() - (p[1] - p[0]).y() * (p[2] - p[0]).x();
    for (int e = 0; e < 3; ++e) {
        const Eigen::Vector2f a = p[e], b = p[(e + 1) % 3];
        const float cross = (b - a).x() * (q - a).y() - (b - a).y() * (q - a).x();
        // Signed distance from the edge, positive inside for either winding.
        const float d = cross / (b - a).norm() * (area > 0 ? 1.0f : -1.0f);
        if (d < marginPx) return false;
    }
    return true;
}

struct Checked {
    int landmarksInsideTheirTriangle = 0;
    int visible = 0;
    int exact = 0;  ///< of those inside: the raster shows exactly the landmark's triangle
};

Checked checkConsistency(const head::HeadModel& model, const head::HeadPose& pose, const camera::PinholeCamera& cam,
                         const Annotations& a) {
    Checked c;
    const raster::Vertices camVerts = camera::transformPoints(flameToCamera(cam), pose.vertices);
    const raster::Intrinsics k = raster::Intrinsics::fromMatrix(cam.intrinsicsPixels(a.width, a.height));
    // Silhouettes: segmentation and depth cover exactly the same pixels.
    for (int y = 0; y < a.height; ++y)
        for (int x = 0; x < a.width; ++x) {
            const bool seg = a.segmentation.at<std::uint8_t>(y, x) != 0;
            const bool dep = a.depth.at<float>(y, x) > 0.0f;
            EXPECT_EQ(seg, dep) << "pixel " << x << "," << y;
            if (seg != dep) return c;
        }
    EXPECT_EQ(a.landmarkFaces.size(), 68u);
    for (int i = 0; i < 68; ++i) {
        if (!a.landmarkVisible[i]) continue;
        ++c.visible;
        const float u = a.landmarks2d(i, 0), v = a.landmarks2d(i, 1);
        const int x = static_cast<int>(u), y = static_cast<int>(v);
        const int f = a.landmarkFaces[i];
        // When the pixel centre lies well inside the landmark's triangle
        // (which is visible there), the raster must name that triangle and
        // its depth must be the landmark's z up to the plane's slope over
        // the sub-pixel offset.
        if (!centreInsideTriangle(camVerts, k, model.faces, f, x, y, 0.05f)) continue;
        ++c.landmarksInsideTheirTriangle;
        const int shown = a.raster.triangleAt(x, y);
        if (shown == f) {
            ++c.exact;
        } else {
            // Only where the surface folds over itself (eyelid corners, the
            // outline) may a neighbouring triangle overlap the landmark's own
            // in the image; it must then touch it and lie at the same depth.
            int shared = 0;
            for (int p = 0; p < 3; ++p)
                for (int q = 0; q < 3; ++q) shared += model.faces(shown, p) == model.faces(f, q);
            EXPECT_GT(shared, 0) << "landmark " << i << " shows triangle " << shown << " instead of " << f;
        }
        EXPECT_NEAR(a.depth.at<float>(y, x), a.landmarks3d(i, 2), 0.005f * a.landmarks3d(i, 2)) << "landmark " << i;
    }
    return c;
}

TEST(Annotator, FrontalDefaultHeadIsConsistent) {
    const auto& s = defaultHeadScene();
    const head::HeadPose pose = head::forward(s.model, {});
    camera::OrbitCamera cam;
    const Annotations a = annotate(s.model, pose, cam.pinhole(), 1024, 1024, &s.labels);
    const Checked c = checkConsistency(s.model, pose, cam.pinhole(), a);
    EXPECT_EQ(c.visible, 68) << "every landmark of a frontal neutral face is visible";
    EXPECT_GE(c.landmarksInsideTheirTriangle, 25) << "the check must actually run on many landmarks";
    EXPECT_GE(c.exact, c.landmarksInsideTheirTriangle * 9 / 10);

    // Semantics at the landmarks: eye corners on eye or skin, lips on lips.
    for (int i : {36, 39, 42, 45}) {
        const int cls = a.segmentation.at<std::uint8_t>(static_cast<int>(a.landmarks2d(i, 1)),
                                                        static_cast<int>(a.landmarks2d(i, 0)));
        EXPECT_TRUE(cls == kSkin || cls == kRightEye || cls == kLeftEye) << "eye corner " << i << " class " << cls;
    }
    for (int i = 48; i < 68; ++i) {
        const int cls = a.segmentation.at<std::uint8_t>(static_cast<int>(a.landmarks2d(i, 1)),
                                                        static_cast<int>(a.landmarks2d(i, 0)));
        EXPECT_TRUE(cls == kTopLip || cls == kBottomLip) << "lip landmark " << i << " class " << cls;
    }
    // The subject's right eye (iBUG 36..41) is on the image's left.
    EXPECT_LT(a.landmarks2d(36, 0), 512.0f);
    EXPECT_GT(a.landmarks2d(45, 0), 512.0f);
    // Face box spans the landmarks.
    EXPECT_FLOAT_EQ(a.faceBox.x0, a.landmarks2d.col(0).minCoeff());
    EXPECT_FLOAT_EQ(a.faceBox.y1, a.landmarks2d.col(1).maxCoeff());
}

TEST(Annotator, SampledPosesAndCamerasAreConsistent) {
    const auto& s = defaultHeadScene();
    const generate::SamplerConfig config;
    int checkedTotal = 0, visibleTotal = 0, exactTotal = 0;
    for (std::uint64_t i = 0; i < 12; ++i) {
        const generate::SampleSpec spec = generate::drawSample(config, s.model, 1234, i);
        const head::HeadPose pose = head::forward(s.model, spec.params);
        const camera::PinholeCamera cam = spec.camera.pinhole();
        AnnotationOptions o;
        o.normals = true;
        const Annotations a = annotate(s.model, pose, cam, 512, 512, &s.labels, o);
        const Checked c = checkConsistency(s.model, pose, cam, a);
        checkedTotal += c.landmarksInsideTheirTriangle;
        exactTotal += c.exact;
        visibleTotal += c.visible;
        // Normals: unit length on the surface, facing the camera.
        int facing = 0, surface = 0;
        for (int y = 0; y < 512; y += 4)
            for (int x = 0; x < 512; x += 4) {
                const cv::Vec3f n = a.normals.at<cv::Vec3f>(y, x);
                if (a.depth.at<float>(y, x) <= 0.0f) {
                    EXPECT_EQ(cv::norm(n), 0.0);
                    continue;
                }
                ++surface;
                EXPECT_NEAR(cv::norm(n), 1.0, 1e-4);
                const Eigen::Vector3f ray((x + 0.5f - cam.intrinsics(0, 2) * 512) / (cam.intrinsics(0, 0) * 512),
                                          (y + 0.5f - cam.intrinsics(1, 2) * 512) / (cam.intrinsics(1, 1) * 512), 1.0f);
                if (ray.dot(Eigen::Vector3f(n[0], n[1], n[2])) < 0.0f) ++facing;
            }
        EXPECT_GT(surface, 1000);
        EXPECT_GT(facing, surface * 95 / 100) << "sample " << i;
    }
    EXPECT_GT(visibleTotal, 12 * 40);
    EXPECT_GT(checkedTotal, 12 * 15);
    EXPECT_GE(exactTotal, checkedTotal * 9 / 10);
}

TEST(Annotator, OccludedLandmarksAreHidden) {
    // Seen from the side, the far eye's outer corner is behind the head.
    const auto& s = defaultHeadScene();
    const head::HeadPose pose = head::forward(s.model, {});
    camera::OrbitCamera cam;
    cam.yaw = 1.3f;  // camera toward +x, the subject's left: the right eye (36..41) is hidden
    const Annotations a = annotate(s.model, pose, cam.pinhole(), 512, 512, &s.labels);
    EXPECT_EQ(a.landmarkVisible[36], 0);
    EXPECT_EQ(a.landmarkVisible[45], 1);
}

TEST(Annotator, DynamicContourFollowsTheOutlineAtEveryCameraYaw) {
    // The contour bin comes from the head's yaw relative to the camera, so
    // the 17 outline points stay visible as the camera orbits; a head turned
    // by the same angle in front of a frontal camera gets the same bin.
    const auto& s = defaultHeadScene();
    const head::HeadPose pose = head::forward(s.model, {});
    for (float yaw : {-0.7f, -0.5f, -0.25f, 0.0f, 0.25f, 0.5f, 0.7f}) {
        camera::OrbitCamera cam;
        cam.yaw = yaw;
        const Annotations a = annotate(s.model, pose, cam.pinhole(), 512, 512, &s.labels);
        int visible = 0;
        for (int i = 0; i < 17; ++i) visible += a.landmarkVisible[i];
        // Beyond FLAME's last bin (39 degrees) a point near the ear may hide.
        EXPECT_GE(visible, std::abs(yaw) <= 0.5f ? 17 : 15) << "yaw " << yaw;
        head::HeadParams turned;
        turned.pose(3 * head::kGlobal + 1) = -yaw;
        const head::HeadPose turnedPose = head::forward(s.model, turned);
        const Annotations b = annotate(s.model, turnedPose, camera::OrbitCamera{}.pinhole(), 512, 512, &s.labels);
        // The orbit looks at a pivot in front of the origin, so its view
        // direction turns a little more than the head would: up to 2 degrees here.
        EXPECT_NEAR(b.contourBin, a.contourBin, 2) << "yaw " << yaw;
        EXPECT_EQ(b.contourBin, turnedPose.contourBin);
        // Views that draw landmarks ask the same question and get the same bin.
        EXPECT_EQ(contourBinForCamera(s.model, pose, cam.pinhole()), a.contourBin);
    }
}

TEST(Annotator, RefusesMissingInputs) {
    const auto& s = defaultHeadScene();
    const head::HeadPose pose = head::forward(s.model, {});
    camera::OrbitCamera cam;
    EXPECT_THROW(annotate(s.model, pose, cam.pinhole(), 64, 64, nullptr), std::invalid_argument);
    head::HeadPose wrong = pose;
    wrong.vertices.conservativeResize(10, 3);
    EXPECT_THROW(annotate(s.model, wrong, cam.pinhole(), 64, 64, &s.labels), std::invalid_argument);
    AnnotationOptions noSeg;
    noSeg.segmentation = false;
    const Annotations a = annotate(s.model, pose, cam.pinhole(), 64, 64, nullptr, noSeg);
    EXPECT_TRUE(a.segmentation.empty());
    EXPECT_EQ(a.depth.rows, 64);
}

}  // namespace
}  // namespace synthforge::annotate
