#include "core/head/head_model.h"

#include <cmath>
#include <stdexcept>

namespace synthforge::head {

namespace {

[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& what) {
    throw std::runtime_error(source + ": " + field + ": " + what);
}

template <typename M>
void requireFinite(const M& m, const std::string& source, const std::string& field) {
    // One vectorised pass: Eigen's allFinite() tests x - x == x - x one
    // coefficient at a time, which is most of the time a FLAME load spends
    // validating its 7.5 million basis values.
    if (m.size() == 0) return;
    if (!std::isfinite(m.cwiseAbs().template maxCoeff<Eigen::PropagateNaN>()))
        fail(source, field, "contains NaN or infinite values");
}

template <typename M>
void requireIndices(const M& m, long limit, const std::string& source, const std::string& field,
                    const std::string& target) {
    if (m.size() == 0) return;
    if (m.minCoeff() < 0 || m.maxCoeff() >= limit)
        fail(source, field, "index out of range [0, " + std::to_string(limit) + ") of " + target);
}

std::string dims(long r, long c) { return std::to_string(r) + "x" + std::to_string(c); }

}  // namespace

void HeadModel::validate(const std::string& source) const {
    const long V = vTemplate.rows();
    if (V < 3) fail(source, "v_template", "needs at least 3 vertices, has " + std::to_string(V));
    requireFinite(vTemplate, source, "v_template");
    if (shapedirs.rows() != 3 * V)
        fail(source, "shapedirs", "has " + std::to_string(shapedirs.rows()) + " rows, expected 3*V = " + std::to_string(3 * V));
    if (exprdirs.rows() != 3 * V && exprdirs.cols() != 0)
        fail(source, "exprdirs", "has " + std::to_string(exprdirs.rows()) + " rows, expected 3*V = " + std::to_string(3 * V));
    requireFinite(shapedirs, source, "shapedirs");
    requireFinite(exprdirs, source, "exprdirs");
    if (posedirs.size() != 0 && (posedirs.rows() != 3 * V || posedirs.cols() != kNumPoseFeatures))
        fail(source, "posedirs", "is " + dims(posedirs.rows(), posedirs.cols()) + ", expected " + dims(3 * V, kNumPoseFeatures));
    requireFinite(posedirs, source, "posedirs");
    if (jRegressor.rows() != kNumJoints || jRegressor.cols() != V)
        fail(source, "J_regressor", "is " + dims(jRegressor.rows(), jRegressor.cols()) + ", expected " + dims(kNumJoints, V));
    requireFinite(jRegressor, source, "J_regressor");
    if (weights.rows() != V || weights.cols() != kNumJoints)
        fail(source, "weights", "is " + dims(weights.rows(), weights.cols()) + ", expected " + dims(V, kNumJoints));
    requireFinite(weights, source, "weights");
    for (long v = 0; v < V; ++v)
        if (std::fabs(weights.row(v).sum() - 1.0f) > 1e-3f)
            fail(source, "weights", "row " + std::to_string(v) + " sums to " + std::to_string(weights.row(v).sum()) + ", not 1");
    if (parents[0] != -1) fail(source, "parents", "joint 0 must be the root (parent -1)");
    for (int j = 1; j < kNumJoints; ++j)
        if (parents[j] < 0 || parents[j] >= j)
            fail(source, "parents", "joint " + std::to_string(j) + " has parent " + std::to_string(parents[j]) +
                                        "; parents must precede their children");
    if (faces.rows() == 0) fail(source, "faces", "is empty");
    requireIndices(faces, V, source, "faces", "v_template");
    if (uv.rows() > 0) {
        requireFinite(uv, source, "uv");
        if (uvFaces.rows() != faces.rows())
            fail(source, "uv_faces", "has " + std::to_string(uvFaces.rows()) + " faces, expected " + std::to_string(faces.rows()));
        requireIndices(uvFaces, uv.rows(), source, "uv_faces", "uv");
    } else if (uvFaces.rows() > 0) {
        fail(source, "uv_faces", "present without uv");
    }
    const auto& lm = landmarks;
    if (!lm.empty()) {
        const long n = static_cast<long>(lm.staticFaces.size());
        const long expected = lm.hasDynamicContour() ? kNumStaticFlameLandmarks : kNumLandmarks;
        if (n != expected)
            fail(source, "lmk_faces_idx", "has " + std::to_string(n) + " points, expected " + std::to_string(expected) +
                                              (lm.hasDynamicContour() ? " with a dynamic contour" : " without a dynamic contour"));
        if (lm.staticBary.rows() != n) fail(source, "lmk_b_coords", "row count differs from lmk_faces_idx");
        requireFinite(lm.staticBary, source, "lmk_b_coords");
        for (std::int32_t f : lm.staticFaces)
            if (f < 0 || f >= faces.rows())
                fail(source, "lmk_faces_idx", "face " + std::to_string(f) + " out of range [0, " + std::to_string(faces.rows()) + ")");
        if (lm.hasDynamicContour()) {
            if (lm.dynamicFaces.cols() != kNumContourLandmarks)
                fail(source, "dynamic_lmk_faces_idx", "has " + std::to_string(lm.dynamicFaces.cols()) + " points per bin, expected 17");
            if (lm.dynamicBary.rows() != lm.dynamicFaces.rows() || lm.dynamicBary.cols() != 3 * kNumContourLandmarks)
                fail(source, "dynamic_lmk_b_coords", "shape does not match dynamic_lmk_faces_idx");
            requireFinite(lm.dynamicBary, source, "dynamic_lmk_b_coords");
            requireIndices(lm.dynamicFaces, faces.rows(), source, "dynamic_lmk_faces_idx", "faces");
        }
    }
    if (!exprNames.empty() && static_cast<long>(exprNames.size()) != exprdirs.cols())
        fail(source, "expr_names", "has " + std::to_string(exprNames.size()) + " names for " +
                                       std::to_string(exprdirs.cols()) + " expression components");
    for (const auto& [regionName, idx] : regions)
        for (std::int32_t v : idx)
            if (v < 0 || v >= V)
                fail(source, "region '" + regionName + "'", "vertex " + std::to_string(v) + " out of range");
}

void HeadParams::validateFor(const HeadModel& model) const {
    auto check = [](const auto& vec, const char* field) {
        for (Eigen::Index i = 0; i < vec.size(); ++i)
            if (!std::isfinite(vec[i]))
                throw std::invalid_argument(std::string(field) + "[" + std::to_string(i) + "] is not a finite number");
    };
    if (shape.size() > model.numShape())
        throw std::invalid_argument("shape has " + std::to_string(shape.size()) + " values but the model '" + model.name +
                                    "' has " + std::to_string(model.numShape()) + " shape components");
    if (expr.size() > model.numExpr())
        throw std::invalid_argument("expr has " + std::to_string(expr.size()) + " values but the model '" + model.name +
                                    "' has " + std::to_string(model.numExpr()) + " expression components");
    check(shape, "shape");
    check(expr, "expr");
    check(pose, "pose");
    check(transl, "transl");
}

}  // namespace synthforge::head
