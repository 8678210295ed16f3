#pragma once
// A small hand-built head model with known structure for unit tests that
// must not depend on generated fixtures: an octahedron-like blob whose
// vertices are each bound to exactly one joint, so LBS results can be
// predicted in closed form.

#include <random>

#include "core/head/head_model.h"

namespace synthforge::testutil {

inline head::HeadModel makeTinyHead(unsigned seed = 7, int numShape = 4, int numExpr = 3) {
    using namespace head;
    HeadModel m;
    m.name = "tiny test head";
    // Vertex i is bound to joint i % 5; positions spread around the joints.
    const int V = 10;
    m.vTemplate.resize(V, 3);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-0.1f, 0.1f);
    for (int v = 0; v < V; ++v) m.vTemplate.row(v) << u(rng), u(rng) + 0.1f, u(rng);
    m.shapedirs.resize(3 * V, numShape);
    m.exprdirs.resize(3 * V, numExpr);
    m.posedirs.resize(3 * V, kNumPoseFeatures);
    for (int i = 0; i < m.shapedirs.size(); ++i) m.shapedirs.data()[i] = 0.01f * u(rng);
    for (int i = 0; i < m.exprdirs.size(); ++i) m.exprdirs.data()[i] = 0.01f * u(rng);
    for (int i = 0; i < m.posedirs.size(); ++i) m.posedirs.data()[i] = 0.01f * u(rng);
    // Joint j = mean of vertices j and j + 5.
    m.jRegressor = Eigen::MatrixXf::Zero(kNumJoints, V);
    for (int j = 0; j < kNumJoints; ++j) m.jRegressor(j, j) = m.jRegressor(j, j + 5) = 0.5f;
    m.weights = RowMatXf::Zero(V, kNumJoints);
    for (int v = 0; v < V; ++v) m.weights(v, v % kNumJoints) = 1.0f;
    m.faces.resize(8, 3);
    m.faces << 0, 1, 2, 0, 2, 3, 0, 3, 4, 0, 4, 5, 5, 6, 7, 6, 7, 8, 7, 8, 9, 1, 8, 9;
    // Full static 68-point embedding spread over the faces.
    m.landmarks.staticFaces.resize(kNumLandmarks);
    m.landmarks.staticBary.resize(kNumLandmarks, 3);
    for (int i = 0; i < kNumLandmarks; ++i) {
        m.landmarks.staticFaces[i] = i % 8;
        const float a = 0.2f + 0.01f * (i % 10), b = 0.3f;
        m.landmarks.staticBary.row(i) << a, b, 1.0f - a - b;
    }
    return m;
}

/// The same model with FLAME's 51 static + 79-bin dynamic contour layout.
inline head::HeadModel makeTinyHeadWithContour() {
    using namespace head;
    HeadModel m = makeTinyHead();
    m.landmarks.staticFaces.resize(kNumStaticFlameLandmarks);
    m.landmarks.staticBary.conservativeResize(kNumStaticFlameLandmarks, 3);
    m.landmarks.dynamicFaces.resize(79, kNumContourLandmarks);
    m.landmarks.dynamicBary.resize(79, 3 * kNumContourLandmarks);
    for (int b = 0; b < 79; ++b)
        for (int k = 0; k < kNumContourLandmarks; ++k) {
            m.landmarks.dynamicFaces(b, k) = (b + k) % 8;
            m.landmarks.dynamicBary(b, 3 * k) = 1.0f;  // the first corner: easy to predict
            m.landmarks.dynamicBary(b, 3 * k + 1) = 0.0f;
            m.landmarks.dynamicBary(b, 3 * k + 2) = 0.0f;
        }
    return m;
}

}  // namespace synthforge::testutil
