#include "core/head/lbs.h"

#include <algorithm>
#include <cmath>

namespace synthforge::head {

namespace {

using Affine = Eigen::Matrix<float, 3, 4>;

/// Index one past the last non-zero coefficient: sliders usually leave the
/// tail of a 300-wide basis at zero, and skipping it saves most of the work.
Eigen::Index activeCount(const Eigen::VectorXf& v) {
    Eigen::Index n = v.size();
    while (n > 0 && v[n - 1] == 0.0f) --n;
    return n;
}

/// out += basis.leftCols(n) * coeff.head(n), in 16-column chunks. Eigen's
/// GEMV walks up to 128 columns as interleaved read streams; 16 at a time
/// streams the basis from memory 2x faster (docs/performance.md).
void addBasisProduct(Eigen::VectorXf& out, const Eigen::MatrixXf& basis, const Eigen::VectorXf& coeff, Eigen::Index n) {
    constexpr Eigen::Index kChunk = 16;
    for (Eigen::Index c = 0; c < n; c += kChunk) {
        const Eigen::Index w = std::min(kChunk, n - c);
        out.noalias() += basis.middleCols(c, w) * coeff.segment(c, w);
    }
}

/// v_template + shapedirs * shape + exprdirs * expr, flattened as v*3+c.
Eigen::VectorXf blendShapes(const HeadModel& model, const HeadParams& params) {
    Eigen::VectorXf out = Eigen::Map<const Eigen::VectorXf>(model.vTemplate.data(), model.vTemplate.size());
    addBasisProduct(out, model.shapedirs, params.shape, activeCount(params.shape));
    addBasisProduct(out, model.exprdirs, params.expr, activeCount(params.expr));
    return out;
}

HeadPose poseAndSkin(const HeadModel& model, Eigen::VectorXf&& shaped, const HeadParams& params,
                     const ForwardOptions& options) {
    const Eigen::Index V = model.numVertices();
    Eigen::Map<const RowMatX3f> restShaped(shaped.data(), V, 3);

    // Joints are regressed from the shaped (not pose-corrected) mesh, as in FLAME.
    const Eigen::Matrix<float, kNumJoints, 3> restJoints = model.jRegressor * restShaped;

    std::array<Eigen::Matrix3f, kNumJoints> rot;
    for (int j = 0; j < kNumJoints; ++j) rot[j] = axisAngleToMatrix(params.pose.segment<3>(3 * j));

    if (options.poseCorrectives && model.posedirs.size() != 0) {
        Eigen::Matrix<float, kNumPoseFeatures, 1> feature;
        for (int j = 1; j < kNumJoints; ++j) {
            const Eigen::Matrix3f d = rot[j] - Eigen::Matrix3f::Identity();
            for (int r = 0; r < 3; ++r)
                for (int c = 0; c < 3; ++c) feature[9 * (j - 1) + 3 * r + c] = d(r, c);
        }
        for (Eigen::Index c = 0; c < kNumPoseFeatures; c += 12)
            shaped.noalias() += model.posedirs.middleCols(c, 12) * feature.segment<12>(c);
    }
    Eigen::Map<const RowMatX3f> rest(shaped.data(), V, 3);

    // Chain the joint transforms down the tree (parents precede children).
    std::array<Eigen::Matrix4f, kNumJoints> global;
    HeadPose out;
    for (int j = 0; j < kNumJoints; ++j) {
        Eigen::Matrix4f local = Eigen::Matrix4f::Identity();
        local.topLeftCorner<3, 3>() = rot[j];
        const int p = model.parents[j];
        const Eigen::Vector3f offset =
            p < 0 ? Eigen::Vector3f(restJoints.row(j).transpose())
                  : Eigen::Vector3f((restJoints.row(j) - restJoints.row(p)).transpose());
        local.topRightCorner<3, 1>() = offset;
        global[j] = p < 0 ? local : Eigen::Matrix4f(global[p] * local);
        out.joints.row(j) = global[j].topRightCorner<3, 1>().transpose() + params.transl.transpose();
        // Remove the rest-pose joint location so the matrix maps rest -> posed.
        Eigen::Matrix4f a = global[j];
        a.topRightCorner<3, 1>() -= global[j].topLeftCorner<3, 3>() * restJoints.row(j).transpose();
        a.topRightCorner<3, 1>() += params.transl;
        out.jointTransforms[j] = a;
    }

    std::array<Affine, kNumJoints> A;
    for (int j = 0; j < kNumJoints; ++j) A[j] = out.jointTransforms[j].topRows<3>();
    out.vertices.resize(V, 3);
    for (Eigen::Index v = 0; v < V; ++v) {
        Affine m = model.weights(v, 0) * A[0];
        for (int j = 1; j < kNumJoints; ++j) m.noalias() += model.weights(v, j) * A[j];
        out.vertices.row(v) = (m.leftCols<3>() * rest.row(v).transpose() + m.col(3)).transpose();
    }

    if (options.landmarks && !model.landmarks.empty()) {
        out.contourBin = model.landmarks.hasDynamicContour() ? contourBinForPose(params.pose) : -1;
        out.landmarks = placeLandmarks(model, out.vertices, out.contourBin);
    } else {
        out.landmarks.resize(0, 3);
    }
    return out;
}

Eigen::Vector3f barycentricPoint(const HeadModel& model, const RowMatX3f& vertices, std::int32_t face,
                                 float b0, float b1, float b2) {
    const auto f = model.faces.row(face);
    return (b0 * vertices.row(f[0]) + b1 * vertices.row(f[1]) + b2 * vertices.row(f[2])).transpose();
}

}  // namespace

Eigen::Matrix3f axisAngleToMatrix(const Eigen::Vector3f& aa) {
    const float theta2 = aa.squaredNorm();
    Eigen::Matrix3f k;
    k << 0, -aa.z(), aa.y(), aa.z(), 0, -aa.x(), -aa.y(), aa.x(), 0;
    if (theta2 < 1e-12f) {
        // Second-order Taylor expansion: sin(t)/t -> 1, (1-cos t)/t^2 -> 1/2.
        return Eigen::Matrix3f::Identity() + k + 0.5f * k * k;
    }
    const float theta = std::sqrt(theta2);
    return Eigen::Matrix3f::Identity() + (std::sin(theta) / theta) * k + ((1.0f - std::cos(theta)) / theta2) * (k * k);
}

int contourBinForPose(const Eigen::Matrix<float, kNumPoseValues, 1>& pose) {
    // FLAME composes the neck chain from the neck up to the root.
    return contourBinForRotation(axisAngleToMatrix(pose.segment<3>(3 * kGlobal)) *
                                 axisAngleToMatrix(pose.segment<3>(3 * kNeck)));
}

int contourBinForRotation(const Eigen::Matrix3f& r) {
    const float sy = std::sqrt(r(0, 0) * r(0, 0) + r(1, 0) * r(1, 0));
    const float yawDeg = std::atan2(-r(2, 0), sy) * 180.0f / 3.14159265358979323846f;
    // torch.round rounds halves to even, as nearbyint does in the default mode.
    const int y = static_cast<int>(std::nearbyint(std::min(yawDeg, 39.0f)));
    if (y >= 0) return y;
    return y < -39 ? 78 : 39 - y;
}

std::vector<std::int32_t> landmarkFaces(const HeadModel& model, int contourBin) {
    const auto& lm = model.landmarks;
    std::vector<std::int32_t> out;
    out.reserve(lm.count());
    if (lm.hasDynamicContour()) {
        const int bin = std::clamp(contourBin, 0, static_cast<int>(lm.dynamicFaces.rows()) - 1);
        for (int k = 0; k < kNumContourLandmarks; ++k) out.push_back(lm.dynamicFaces(bin, k));
    }
    out.insert(out.end(), lm.staticFaces.begin(), lm.staticFaces.end());
    return out;
}

RowMatX3f placeLandmarks(const HeadModel& model, const RowMatX3f& vertices, int contourBin) {
    const auto& lm = model.landmarks;
    RowMatX3f out(lm.count(), 3);
    int row = 0;
    if (lm.hasDynamicContour()) {
        const int bin = std::clamp(contourBin, 0, static_cast<int>(lm.dynamicFaces.rows()) - 1);
        for (int k = 0; k < kNumContourLandmarks; ++k, ++row)
            out.row(row) = barycentricPoint(model, vertices, lm.dynamicFaces(bin, k), lm.dynamicBary(bin, 3 * k),
                                            lm.dynamicBary(bin, 3 * k + 1), lm.dynamicBary(bin, 3 * k + 2))
                               .transpose();
    }
    for (std::size_t i = 0; i < lm.staticFaces.size(); ++i, ++row)
        out.row(row) = barycentricPoint(model, vertices, lm.staticFaces[i], lm.staticBary(i, 0), lm.staticBary(i, 1),
                                        lm.staticBary(i, 2))
                           .transpose();
    return out;
}

HeadPose forward(const HeadModel& model, const HeadParams& params, const ForwardOptions& options) {
    params.validateFor(model);
    return poseAndSkin(model, blendShapes(model, params), params, options);
}

std::vector<HeadPose> forwardBatch(const HeadModel& model, const std::vector<HeadParams>& params,
                                   const ForwardOptions& options) {
    const Eigen::Index B = static_cast<Eigen::Index>(params.size());
    Eigen::Index ns = 0, ne = 0;
    for (const auto& p : params) {
        p.validateFor(model);
        ns = std::max(ns, activeCount(p.shape));
        ne = std::max(ne, activeCount(p.expr));
    }
    // One GEMM per basis for the whole batch: (3V x K) * (K x B).
    Eigen::MatrixXf coeffS = Eigen::MatrixXf::Zero(ns, B), coeffE = Eigen::MatrixXf::Zero(ne, B);
    for (Eigen::Index b = 0; b < B; ++b) {
        const auto& p = params[b];
        const Eigen::Index ps = std::min<Eigen::Index>(ns, p.shape.size());
        const Eigen::Index pe = std::min<Eigen::Index>(ne, p.expr.size());
        coeffS.col(b).head(ps) = p.shape.head(ps);
        coeffE.col(b).head(pe) = p.expr.head(pe);
    }
    const Eigen::Map<const Eigen::VectorXf> tmpl(model.vTemplate.data(), model.vTemplate.size());
    Eigen::MatrixXf shaped = tmpl.replicate(1, B);
    if (ns > 0) shaped.noalias() += model.shapedirs.leftCols(ns) * coeffS;
    if (ne > 0) shaped.noalias() += model.exprdirs.leftCols(ne) * coeffE;

    std::vector<HeadPose> out;
    out.reserve(params.size());
    for (Eigen::Index b = 0; b < B; ++b) out.push_back(poseAndSkin(model, shaped.col(b), params[b], options));
    return out;
}

void transformPose(const Eigen::Matrix4f& affine, HeadPose& pose) {
    const Eigen::Matrix3f a = affine.topLeftCorner<3, 3>();
    const Eigen::RowVector3f t = affine.topRightCorner<3, 1>().transpose();
    pose.vertices = (pose.vertices * a.transpose()).rowwise() + t;
    if (pose.landmarks.rows() > 0) pose.landmarks = (pose.landmarks * a.transpose()).rowwise() + t;
    for (int j = 0; j < pose.joints.rows(); ++j) pose.joints.row(j) = pose.joints.row(j) * a.transpose() + t;
    for (auto& m : pose.jointTransforms) m = affine * m;
}

}  // namespace synthforge::head
