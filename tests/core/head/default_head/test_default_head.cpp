// The assembled default head: layout, bases, landmark semantics, skinning and
// the jaw, checked on the model every first-time user meets.

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/camera/orbit_camera.h"
#include "core/head/default_head/default_head.h"
#include "core/annotate/label_map_io.h"
#include "core/head/default_head/label_map.h"
#include "core/head/default_head/model_source.h"
#include "core/head/head_model_io.h"
#include "core/head/lbs.h"
#include "core/head/mesh_checks.h"
#include "core/raster/rasterizer.h"

using namespace synthforge;
using namespace synthforge::head;

namespace {

/// Built once per test process (each ctest case is a process; the cache in
/// SYNTHFORGE_CACHE_DIR makes later ones fast).
const HeadModel& model() {
    static const HeadModel m = loadDefaultHead();
    return m;
}

Eigen::Matrix<float, kNumPoseValues, 1> jawPose(float angle) {
    Eigen::Matrix<float, kNumPoseValues, 1> p = Eigen::Matrix<float, kNumPoseValues, 1>::Zero();
    p[3 * kJaw] = angle;
    return p;
}

/// Frontal triangle-id image of a posed head.
raster::RasterResult frontalIds(const RowMatX3f& vertices, int size) {
    const camera::OrbitCamera cam;
    const auto world = camera::transformPoints(camera::flameToWorldMatrix(), vertices);
    const auto cameraSpace = camera::transformPoints(cam.world2cam(), world);
    return raster::rasterize(cameraSpace, raster::Intrinsics::fromMatrix(cam.intrinsicsPixels(size, size)),
                             model().faces, size, size);
}

std::set<std::int32_t> vertexSet(const std::string& region) {
    const auto& r = model().regions.at(region);
    return {r.begin(), r.end()};
}

/// Largest factor by which a skin edge grows from `rest` to `posed`: tearing
/// shows as extreme elongation. The mouth bag is an inner membrane that is
/// meant to stretch when the jaw opens, so its edges are left out.
float worstEdgeStretch(const RowMatX3f& rest, const RowMatX3f& posed) {
    const auto bag = vertexSet("mouth_interior");
    float worst = 1.0f;
    const auto& f = model().faces;
    for (int i = 0; i < f.rows(); ++i)
        for (int k = 0; k < 3; ++k) {
            const int u = f(i, k), v = f(i, (k + 1) % 3);
            if (bag.count(u) || bag.count(v)) continue;
            const float before = (rest.row(u) - rest.row(v)).norm(), after = (posed.row(u) - posed.row(v)).norm();
            if (before > 1e-6f) worst = std::max(worst, after / before);
        }
    return worst;
}

}  // namespace

TEST(DefaultHead, HasFlameLayoutAndEnoughComponents) {
    const HeadModel& m = model();
    EXPECT_NO_THROW(m.validate("default"));
    EXPECT_GE(m.numVertices(), 4000);
    EXPECT_LE(m.numVertices(), 6500);
    EXPECT_GE(m.numShape(), 50);
    EXPECT_GE(m.numExpr(), 20);
    EXPECT_EQ(static_cast<int>(m.exprNames.size()), m.numExpr());
    EXPECT_EQ(m.landmarks.count(), kNumLandmarks);
    EXPECT_TRUE(m.hasUv());
    for (const char* r : {"face", "scalp", "neck", "left_ear", "right_ear", "nose", "lips", "left_eyeball", "right_eyeball"})
        EXPECT_EQ(m.regions.count(r), 1u) << r;
}

TEST(DefaultHead, BuildIsDeterministicAndCacheRoundTrips) {
    const HeadModel a = buildDefaultHead(), b = buildDefaultHead();
    EXPECT_EQ(a.vTemplate, b.vTemplate);
    EXPECT_EQ(a.shapedirs, b.shapedirs);
    EXPECT_EQ(a.exprdirs, b.exprdirs);
    EXPECT_EQ(a.weights, b.weights);
    const std::string dir = (std::filesystem::temp_directory_path() / ("sf_default_" + std::to_string(::getpid()))).string();
    ::setenv("SYNTHFORGE_CACHE_DIR", dir.c_str(), 1);
    std::filesystem::remove_all(dir);
    const HeadModel first = loadDefaultHead();  // builds and writes the cache
    ASSERT_TRUE(std::filesystem::exists(defaultHeadCachePath()));
    const HeadModel cached = loadDefaultHead();
    EXPECT_EQ(cached.shapedirs, a.shapedirs);
    EXPECT_EQ(cached.exprNames, a.exprNames);
    // A corrupt cache is rebuilt rather than trusted.
    std::ofstream(defaultHeadCachePath(), std::ios::trunc) << "garbage";
    EXPECT_EQ(loadDefaultHead().vTemplate, a.vTemplate);
    EXPECT_EQ(loadHeadModel("default").faces, a.faces);
    std::filesystem::remove_all(dir);
}

TEST(DefaultHead, LabelMapCacheEqualsTheBuiltMapAndRebuildsBadFiles) {
    const char* previous = std::getenv("SYNTHFORGE_CACHE_DIR");
    const std::string saved = previous ? previous : "";
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("sf_labels_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    ::setenv("SYNTHFORGE_CACHE_DIR", dir.c_str(), 1);
    const HeadModel& m = model();
    const cv::Mat built = default_head::buildDefaultLabelMap(m, 64);
    auto same = [&](const cv::Mat& ids) {
        return ids.size() == built.size() && ids.type() == CV_8UC1 && cv::countNonZero(ids != built) == 0;
    };
    EXPECT_TRUE(same(loadDefaultLabelMap(m, 64)));  // builds and writes the cache
    std::filesystem::path file;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string().rfind("default_labels_", 0) == 0) file = e.path();
    ASSERT_FALSE(file.empty()) << "no cache file written";
    EXPECT_NE(file.filename().string().find("_64.png"), std::string::npos) << file;
    EXPECT_TRUE(same(annotate::loadLabelMap(file.string())));
    EXPECT_TRUE(same(loadDefaultLabelMap(m, 64)));  // read back

    // A valid PNG of another size, then garbage: rebuilt and rewritten, never trusted.
    annotate::saveLabelMap(file.string(), cv::Mat(32, 32, CV_8UC1, cv::Scalar(3)));
    EXPECT_TRUE(same(loadDefaultLabelMap(m, 64)));
    EXPECT_TRUE(same(annotate::loadLabelMap(file.string())));
    std::ofstream(file, std::ios::trunc | std::ios::binary) << "\x89PNG garbage";
    EXPECT_TRUE(same(loadDefaultLabelMap(m, 64)));

    // Another head is refused when a map would have to be built.
    HeadModel other = m;
    other.vTemplate.array() += 0.01f;
    EXPECT_THROW(loadDefaultLabelMap(other, 48), std::invalid_argument);

    std::filesystem::remove_all(dir);
    if (previous)
        ::setenv("SYNTHFORGE_CACHE_DIR", saved.c_str(), 1);
    else
        ::unsetenv("SYNTHFORGE_CACHE_DIR");
}

TEST(DefaultHead, BasesAreOrthogonalAndShapeIsOrderedBySigma) {
    const HeadModel& m = model();
    auto checkOrthogonal = [](const Eigen::MatrixXf& b, const char* what) {
        const Eigen::MatrixXd g = b.cast<double>().transpose() * b.cast<double>();
        for (int i = 0; i < g.rows(); ++i)
            for (int j = 0; j < i; ++j)
                EXPECT_LT(std::abs(g(i, j)) / std::sqrt(g(i, i) * g(j, j)), 1e-4) << what << " " << i << "," << j;
    };
    checkOrthogonal(m.shapedirs, "shape");
    checkOrthogonal(m.exprdirs, "expr");
    // One standard deviation moves some vertex by millimetres, not metres or microns.
    for (int k = 0; k < m.numShape(); ++k) {
        const float maxDisp = Eigen::Map<const RowMatX3f>(m.shapedirs.col(k).data(), m.numVertices(), 3).rowwise().norm().maxCoeff();
        EXPECT_GT(maxDisp, 5e-5f) << k;
        EXPECT_LT(maxDisp, 0.015f) << k;
        if (k > 0) EXPECT_LE(m.shapedirs.col(k).norm(), m.shapedirs.col(k - 1).norm() * 1.0001f) << k;
    }
}

TEST(DefaultHead, LandmarkSemantics) {
    const RowMatX3f L = forward(model(), HeadParams{}).landmarks;
    auto mirrored = [&](int a, int b) {
        return std::abs(L(a, 0) + L(b, 0)) < 1e-4f && std::abs(L(a, 1) - L(b, 1)) < 1e-4f && std::abs(L(a, 2) - L(b, 2)) < 1e-4f;
    };
    EXPECT_TRUE(mirrored(36, 45)) << "outer eye corners";
    EXPECT_TRUE(mirrored(39, 42)) << "inner eye corners";
    EXPECT_TRUE(mirrored(48, 54)) << "mouth corners";
    // Subject's right (iBUG 36..41) is at -x.
    EXPECT_LT(L(36, 0), L(39, 0));
    EXPECT_LT(L(39, 0), 0.0f);
    // The nose tip is the frontmost point of the face.
    float maxZ = -1;
    for (int v = 0; v < model().numVertices(); ++v) maxZ = std::max(maxZ, model().vTemplate(v, 2));
    EXPECT_GT(L(30, 2), maxZ - 5e-4f);
    // Mouth corners inside the eyes' x-range and outside the nose's.
    EXPECT_LT(std::abs(L(54, 0)), std::abs(L(45, 0)));
    EXPECT_GT(std::abs(L(54, 0)), std::abs(L(35, 0)));
    // The jaw contour descends to the chin and climbs back.
    for (int i = 0; i < 8; ++i) EXPECT_GT(L(i, 1), L(i + 1, 1)) << i;
    for (int i = 8; i < 16; ++i) EXPECT_LT(L(i, 1), L(i + 1, 1)) << i;
    // Upper lid above lower lid, brows above eyes, upper lip above lower lip.
    EXPECT_GT(L(37, 1), L(41, 1));
    EXPECT_GT(L(19, 1), L(37, 1));
    EXPECT_GT(L(51, 1), L(57, 1));
    EXPECT_GE(L(62, 1) + 1e-4f, L(66, 1));
}

TEST(DefaultHead, JawOpensTheMouthWithoutTearing) {
    const HeadModel& m = model();
    const auto bag = vertexSet("mouth_interior");
    auto interiorPixels = [&](float jaw) {
        HeadParams p;
        p.pose = jawPose(jaw);
        const auto ids = frontalIds(forward(m, p).vertices, 256);
        int n = 0;
        for (std::int32_t t : ids.triangleId)
            if (t >= 0 && bag.count(m.faces(t, 0)) && bag.count(m.faces(t, 1)) && bag.count(m.faces(t, 2))) ++n;
        return n;
    };
    EXPECT_EQ(interiorPixels(0.0f), 0) << "closed lips must hide the mouth interior";
    EXPECT_GT(interiorPixels(0.3f), 100) << "an open jaw must show it";
    HeadParams open;
    open.pose = jawPose(0.3f);
    EXPECT_LT(worstEdgeStretch(m.vTemplate, forward(m, open).vertices), 3.0f);
}

TEST(DefaultHead, NeckBendsSmoothlyAndEyesRotateRigidly) {
    const HeadModel& m = model();
    HeadParams turn;
    turn.pose[3 * kNeck + 1] = 0.5f;
    turn.pose[3 * kNeck] = 0.2f;
    EXPECT_LT(worstEdgeStretch(m.vTemplate, forward(m, turn).vertices), 2.0f);

    HeadParams look;
    look.pose[3 * kLeftEye + 1] = 0.3f;
    const RowMatX3f posed = forward(m, look).vertices;
    const Eigen::Vector3f centre = (m.jRegressor * m.vTemplate).row(kLeftEye).transpose();
    const Eigen::Matrix3f R = axisAngleToMatrix(Eigen::Vector3f(0, 0.3f, 0));
    for (std::int32_t v : m.regions.at("left_eyeball")) {
        const Eigen::Vector3f expected = centre + R * (m.vTemplate.row(v).transpose() - centre);
        EXPECT_LT((posed.row(v).transpose() - expected).norm(), 1e-5f) << v;
    }
    for (std::int32_t v : m.regions.at("right_eyeball")) EXPECT_LT((posed.row(v) - m.vTemplate.row(v)).norm(), 1e-6f);
}

namespace {

/// Faces crossing each other at coefficient `value` on one component, with the
/// others at zero.
std::vector<std::pair<int, int>> crossingsAt(bool expression, int component, float value) {
    HeadParams p;
    Eigen::VectorXf& v = expression ? p.expr : p.shape;
    v = Eigen::VectorXf::Zero(component + 1);
    v[component] = value;
    return findSelfIntersections(forward(model(), p).vertices, model().faces, 0.004f, 4);
}

}  // namespace

TEST(DefaultHead, NoSelfIntersectionAtNeutral) { EXPECT_TRUE(findSelfIntersections(model().vTemplate, model().faces).empty()); }

// Sampled as the issue asks: the first ten identity components (the largest
// variance) and every expression, at -2 and +2 sigma.
TEST(DefaultHead, NoSelfIntersectionAtTwoSigmaOnShapeComponents) {
    for (int k = 0; k < 10; ++k)
        for (float s : {-2.0f, 2.0f}) EXPECT_TRUE(crossingsAt(false, k, s).empty()) << "shape " << k << " at " << s;
}

TEST(DefaultHead, NoSelfIntersectionAtTwoSigmaOnExpressions) {
    for (int k = 0; k < model().numExpr(); ++k)
        for (float s : {-2.0f, 2.0f})
            EXPECT_TRUE(crossingsAt(true, k, s).empty()) << "expression " << model().exprNames[k] << " at " << s;
}

TEST(DefaultHead, ExpressionsCombineWithShapeWithoutCrossing) {
    // Extreme-ish combinations: strong identity and strong expression together.
    for (int k : {0, 3, 9, 13}) {
        HeadParams p;
        p.shape = Eigen::VectorXf::Zero(3);
        p.shape << 2.0f, -2.0f, 2.0f;
        p.expr = Eigen::VectorXf::Zero(model().numExpr());
        p.expr[k] = 2.0f;
        EXPECT_TRUE(findSelfIntersections(forward(model(), p).vertices, model().faces, 0.004f, 4).empty())
            << model().exprNames[k];
    }
}
