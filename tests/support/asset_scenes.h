#pragma once
// Scenes for the asset tests: a 192² pipeline on the default head, a
// neutral frontal sample wearing given assets, and the raster check of
// landmark occlusion by assets.

#include <cstdint>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include "core/generate/assets/asset_composite.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::generate::assettest {

constexpr int kSize = 192;

inline const SamplePipeline& pipeline() {
    static const SamplePipeline p = [] {
        SamplePipeline s = testutil::tinyPipeline(kSize);
        s.annotation.normals = true;
        return s;
    }();
    return p;
}

/// A neutral head seen from the front (optionally with the neck turned).
inline SampleSpec frontal(std::vector<AssetSpec> assets, float neckYaw = 0.0f) {
    const head::HeadModel& m = *pipeline().model;
    SampleSpec s;
    s.params.shape = Eigen::VectorXf::Zero(m.numShape());
    s.params.expr = Eigen::VectorXf::Zero(m.numExpr());
    s.params.pose.segment<3>(3 * head::kNeck) << 0.0f, neckYaw, 0.0f;
    s.z = Eigen::VectorXf::Zero(pipeline().sampler.latentDim);
    s.assets = std::move(assets);
    return s;
}

inline AssetSpec asset(AssetType type) {
    AssetSpec a;
    a.type = type;
    a.id = 1 + static_cast<int>(type);
    a.material.baseColor = {0.2f, 0.3f, 0.4f};
    return a;
}

inline int countClass(const cv::Mat& seg, int id) { return cv::countNonZero(seg == id); }

/// For every landmark visible on the bare head: hidden with the asset exactly
/// when an opaque asset pixel lies in front of it. Returns (hidden by the
/// frame or hat, visible behind a lens).
inline std::pair<int, int> checkOcclusion(const AssetSpec& a, std::vector<int>* hiddenIndices = nullptr) {
    const SampleSpec spec = frontal({a});
    const RenderedSample bare = pipeline().render(frontal({}));
    const RenderedSample worn = pipeline().render(spec);
    const camera::PinholeCamera cam = spec.camera.pinhole();
    const AssetLayer layer = rasterizeAssets(spec.assets, *pipeline().model, worn.pose, cam, kSize, kSize, 1);
    int hidden = 0, behindLens = 0;
    for (int k = 0; k < head::kNumLandmarks; ++k) {
        if (!bare.annotations.landmarkVisible[static_cast<std::size_t>(k)]) continue;
        const float u = worn.annotations.landmarks2d(k, 0), v = worn.annotations.landmarks2d(k, 1);
        const float z = worn.annotations.landmarks3d(k, 2);
        const int x = static_cast<int>(u), y = static_cast<int>(v);
        // The compositor's rule: nearer by more than the visibility tolerance.
        const float tol = pipeline().annotation.visibilityTolerance;
        const bool frameInFront = layer.opaque.face(x, y) >= 0 && z > layer.opaque.depth(x, y) * (1.0f + tol);
        const bool lensInFront = layer.lens.face(x, y) >= 0 && layer.lens.depth(x, y) < z;
        EXPECT_EQ(worn.annotations.landmarkVisible[static_cast<std::size_t>(k)], frameInFront ? 0 : 1) << "landmark " << k;
        if (frameInFront) {
            ++hidden;
            if (hiddenIndices) hiddenIndices->push_back(k);
        } else if (lensInFront) {
            ++behindLens;
            EXPECT_EQ(worn.annotations.segmentation.at<std::uint8_t>(static_cast<int>(v), static_cast<int>(u)), 16)
                << "landmark " << k << " behind a lens";
        }
    }
    return {hidden, behindLens};
}

}  // namespace synthforge::generate::assettest
