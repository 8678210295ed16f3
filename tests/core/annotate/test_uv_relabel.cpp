// core/annotate/uv_relabel.h: relabelling a rendered sample's raster gives
// exactly annotate()'s segmentation for the same map, and follows an edited
// map exactly where the edit is visible.

#include <chrono>
#include <cmath>
#include <iostream>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include "core/annotate/annotator.h"
#include "core/annotate/uv_relabel.h"
#include "core/camera/orbit_camera.h"
#include "core/head/lbs.h"
#include "tests/support/default_head_scene.h"

namespace synthforge::annotate {
namespace {

using testutil::defaultHeadScene;

TEST(UvRelabel, SameMapGivesAnnotatorsSegmentation) {
    const auto& s = defaultHeadScene();
    const head::HeadPose pose = head::forward(s.model, {});
    camera::OrbitCamera cam;
    const Annotations a = annotate(s.model, pose, cam.pinhole(), 512, 512, &s.labels);
    const PixelUvs uvs = pixelUvs(s.model, a.raster);
    ASSERT_EQ(uvs.width, 512);
    const cv::Mat seg = relabelSegmentation(uvs, s.labels);
    EXPECT_EQ(cv::countNonZero(seg != a.segmentation), 0);
    // Background pixels carry NaN UVs.
    for (std::size_t i = 0; i < uvs.uv.size(); ++i)
        ASSERT_EQ(std::isnan(uvs.uv[i].x()), a.raster.triangleId[i] < 0) << "pixel " << i;
}

TEST(UvRelabel, EditedMapChangesExactlyThePixelsThatSeeTheEdit) {
    const auto& s = defaultHeadScene();
    const head::HeadPose pose = head::forward(s.model, {});
    camera::OrbitCamera cam;
    const Annotations a = annotate(s.model, pose, cam.pinhole(), 512, 512, &s.labels);
    const PixelUvs uvs = pixelUvs(s.model, a.raster);
    // Paint the texel seen at the image centre (the nose) and its block as hair.
    const Eigen::Vector2f centre = uvs.uv[uvs.width * 256 + 256];
    ASSERT_FALSE(std::isnan(centre.x()));
    cv::Mat ids = s.labels.original().clone();
    const int n = ids.rows;
    const int cx = static_cast<int>(centre.x() * n), cy = static_cast<int>((1.0f - centre.y()) * n);
    ids(cv::Rect(cx - 8, cy - 8, 17, 17)).setTo(kHair);
    const UvLabelMap edited(ids, s.labels.classes(), "edited");

    const auto t0 = std::chrono::steady_clock::now();
    const cv::Mat seg = relabelSegmentation(uvs, edited);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "relabel 512x512: " << ms << " ms\n";

    const Annotations truth = annotate(s.model, pose, cam.pinhole(), 512, 512, &edited);
    EXPECT_EQ(cv::countNonZero(seg != truth.segmentation), 0);
    EXPECT_EQ(seg.at<std::uint8_t>(256, 256), kHair);
    EXPECT_GT(cv::countNonZero(seg != a.segmentation), 0);
}

TEST(UvRelabel, IncrementalPaddingEqualsPaddingTheWholeMap) {
    const auto& s = defaultHeadScene();
    PaddedLabelMap live(s.labels.original());
    cv::Mat ids = s.labels.original().clone();
    const int n = ids.rows;
    // The initial padding is UvLabelMap's.
    for (int y = 0; y < n; y += 7)
        for (int x = 0; x < n; x += 5) {
            const float u = (x + 0.5f) / n, v = 1.0f - (y + 0.5f) / n;
            ASSERT_EQ(live.classAt(u, v), s.labels.classAt(u, v)) << x << "," << y;
        }
    // Edits anywhere (inside islands, in the gutter, background into islands,
    // at the map's edge), each checked against padding the whole map.
    cv::RNG rng(7);
    double incrementalMs = 0;
    for (int i = 0; i < 25; ++i) {
        const int w = rng.uniform(1, 60), h = rng.uniform(1, 60);
        const cv::Rect r(rng.uniform(0, n - w + 1), rng.uniform(0, n - h + 1), w, h);
        const int id = i % 5 == 0 ? kBackground : rng.uniform(1, 19);
        ids(r).setTo(id);
        if (i % 3 == 0) ids.at<std::uint8_t>(r.y, r.x) = kBackground;  // not one flat colour
        const auto t0 = std::chrono::steady_clock::now();
        live.update(ids(r).clone(), r);
        incrementalMs += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (i % 5 != 4) continue;  // the full check is slow: every fifth edit
        const UvLabelMap full(ids, s.labels.classes(), "edited");
        for (int y = 0; y < n; ++y)
            for (int x = 0; x < n; ++x) {
                const float u = (x + 0.5f) / n, v = 1.0f - (y + 0.5f) / n;
                ASSERT_EQ(live.classAt(u, v), full.classAt(u, v)) << "edit " << i << " texel " << x << "," << y;
            }
    }
    EXPECT_EQ(cv::countNonZero(live.ids() != ids), 0);
    std::cout << "incremental padding: " << incrementalMs / 25 << " ms per edit of up to 60x60\n";
    EXPECT_THROW(live.update(cv::Mat(2, 2, CV_8UC1), cv::Rect(n - 1, 0, 2, 2)), std::invalid_argument);
}

TEST(UvRelabel, RefusesAModelWithoutUvs) {
    head::HeadModel m;
    raster::RasterResult r;
    EXPECT_THROW(pixelUvs(m, r), std::invalid_argument);
}

}  // namespace
}  // namespace synthforge::annotate
