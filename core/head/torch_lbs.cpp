#include "core/head/torch_lbs.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace synthforge::head {

namespace {

torch::Tensor toTensor(const float* data, std::vector<int64_t> sizes, torch::Device device, torch::Dtype dtype) {
    auto t = torch::from_blob(const_cast<float*>(data), sizes, torch::kFloat32).clone();
    return t.to(device, dtype);
}

torch::Tensor toIndexTensor(const std::int32_t* data, std::vector<int64_t> sizes, torch::Device device) {
    auto t = torch::from_blob(const_cast<std::int32_t*>(data), sizes, torch::kInt32).to(torch::kInt64);
    return t.to(device);
}

/// Eigen column-major (3V x K) -> V x 3 x K tensor.
torch::Tensor basisTensor(const Eigen::MatrixXf& m, int64_t V, torch::Device device, torch::Dtype dtype) {
    if (m.cols() == 0) return torch::zeros({V, 3, 0}, torch::TensorOptions().device(device).dtype(dtype));
    // Column-major K columns of length 3V == row-major K x 3V.
    auto t = toTensor(m.data(), {m.cols(), m.rows()}, device, dtype);
    return t.reshape({m.cols(), V, 3}).permute({1, 2, 0}).contiguous();
}

/// Gathers barycentric points: verts B x V x 3, faces F x 3, idx L, bary L x 3 -> B x L x 3.
torch::Tensor gatherLandmarks(const torch::Tensor& verts, const torch::Tensor& faces, const torch::Tensor& idx,
                              const torch::Tensor& bary) {
    const auto tri = faces.index_select(0, idx);                        // L x 3
    const auto pts = verts.index_select(1, tri.reshape({-1}));          // B x 3L x 3
    const auto b = verts.size(0);
    return (pts.reshape({b, -1, 3, 3}) * bary.unsqueeze(0).unsqueeze(-1)).sum(2);
}

}  // namespace

TorchHeadModel TorchHeadModel::fromModel(const HeadModel& model, torch::Device device, torch::Dtype dtype) {
    const int64_t V = model.numVertices();
    TorchHeadModel t;
    t.vTemplate = toTensor(model.vTemplate.data(), {V, 3}, device, dtype);
    t.shapedirs = basisTensor(model.shapedirs, V, device, dtype);
    t.exprdirs = basisTensor(model.exprdirs, V, device, dtype);
    if (model.posedirs.size() != 0)  // 3V x 36 col-major == 36 x 3V row-major
        t.posedirs = toTensor(model.posedirs.data(), {kNumPoseFeatures, 3 * V}, device, dtype);
    // jRegressor is column-major 5 x V == row-major V x 5.
    t.jRegressor = toTensor(model.jRegressor.data(), {V, kNumJoints}, device, dtype).t().contiguous();
    t.weights = toTensor(model.weights.data(), {V, kNumJoints}, device, dtype);
    t.faces = toIndexTensor(model.faces.data(), {model.faces.rows(), 3}, device);
    const auto& lm = model.landmarks;
    if (!lm.empty()) {
        const int64_t L = static_cast<int64_t>(lm.staticFaces.size());
        t.staticLmkFaces = toIndexTensor(lm.staticFaces.data(), {L}, device);
        t.staticLmkBary = toTensor(lm.staticBary.data(), {L, 3}, device, dtype);
        if (lm.hasDynamicContour()) {
            const int64_t bins = lm.dynamicFaces.rows();
            t.dynLmkFaces = toIndexTensor(lm.dynamicFaces.data(), {bins, kNumContourLandmarks}, device);
            t.dynLmkBary = toTensor(lm.dynamicBary.data(), {bins, kNumContourLandmarks, 3}, device, dtype);
        }
    }
    t.parents = model.parents;
    return t;
}

torch::Tensor torchAxisAngleToMatrix(const torch::Tensor& aa) {
    // The epsilon keeps the norm differentiable at zero rotation (where the
    // exact expression's derivative is 0/0); its effect on R is ~1e-8.
    const auto angle = (aa + 1e-8).norm(2, 1, true);          // N x 1
    const auto dir = aa / angle;                              // N x 3
    const auto c = angle.cos().unsqueeze(-1), s = angle.sin().unsqueeze(-1);  // N x 1 x 1
    const auto x = dir.select(1, 0), y = dir.select(1, 1), z = dir.select(1, 2);
    const auto zero = torch::zeros_like(x);
    const auto K = torch::stack({zero, -z, y, z, zero, -x, -y, x, zero}, 1).reshape({-1, 3, 3});
    const auto I = torch::eye(3, aa.options()).unsqueeze(0);
    return I + s * K + (1 - c) * torch::bmm(K, K);
}

TorchHeadPose torchForward(const TorchHeadModel& m, const torch::Tensor& shape, const torch::Tensor& expr,
                           const torch::Tensor& pose, const torch::Tensor& transl, bool poseCorrectives) {
    const int64_t V = m.vTemplate.size(0);
    int64_t B = 1;
    for (const auto* t : {&shape, &expr, &pose, &transl})
        if (t->defined()) B = t->size(0);
    const auto opts = m.vTemplate.options();

    auto shaped = m.vTemplate.unsqueeze(0).expand({B, V, 3});
    auto addBasis = [&](const torch::Tensor& coeff, const torch::Tensor& basis, const char* what) {
        if (!coeff.defined() || coeff.size(1) == 0) return;
        if (coeff.size(1) > basis.size(2))
            throw std::invalid_argument(std::string(what) + " has " + std::to_string(coeff.size(1)) +
                                        " values but the model has " + std::to_string(basis.size(2)));
        const auto sub = basis.narrow(2, 0, coeff.size(1));               // V x 3 x K
        shaped = shaped + torch::einsum("bk,vck->bvc", {coeff.to(opts), sub});
    };
    addBasis(shape, m.shapedirs, "shape");
    addBasis(expr, m.exprdirs, "expr");

    const auto restJoints = torch::einsum("jv,bvc->bjc", {m.jRegressor, shaped});     // B x 5 x 3
    const auto poseT = pose.defined() ? pose.to(opts) : torch::zeros({B, kNumPoseValues}, opts);
    const auto rot = torchAxisAngleToMatrix(poseT.reshape({-1, 3})).reshape({B, kNumJoints, 3, 3});

    auto rest = shaped;
    if (poseCorrectives && m.posedirs.defined()) {
        const auto feature = (rot.narrow(1, 1, kNumJoints - 1) - torch::eye(3, opts)).reshape({B, -1});  // B x 36
        rest = rest + torch::matmul(feature, m.posedirs).reshape({B, V, 3});
    }

    // Kinematic chain.
    std::vector<torch::Tensor> global(kNumJoints);
    const auto bottom = torch::tensor({0.0, 0.0, 0.0, 1.0}, opts).expand({B, 1, 4});
    for (int j = 0; j < kNumJoints; ++j) {
        const int p = m.parents[j];
        const auto jt = restJoints.select(1, j);
        const auto offset = p < 0 ? jt : jt - restJoints.select(1, p);
        const auto local = torch::cat({torch::cat({rot.select(1, j), offset.unsqueeze(-1)}, 2), bottom}, 1);
        global[j] = p < 0 ? local : torch::bmm(global[p], local);
    }
    const auto G = torch::stack(global, 1);                                   // B x 5 x 4 x 4
    const auto posedJoints = G.narrow(2, 0, 3).select(3, 3);                   // B x 5 x 3
    const auto Rg = G.narrow(2, 0, 3).narrow(3, 0, 3);                         // B x 5 x 3 x 3
    const auto tA = posedJoints - torch::matmul(Rg, restJoints.unsqueeze(-1)).squeeze(-1);
    const auto A = torch::cat({Rg, tA.unsqueeze(-1)}, 3);                     // B x 5 x 3 x 4

    const auto T = torch::einsum("vj,bjrc->bvrc", {m.weights, A});           // B x V x 3 x 4
    const auto restH = torch::cat({rest, torch::ones({B, V, 1}, opts)}, 2);   // B x V x 4
    auto verts = torch::matmul(T, restH.unsqueeze(-1)).squeeze(-1);
    const auto tr = transl.defined() ? transl.to(opts).unsqueeze(1) : torch::zeros({B, 1, 3}, opts);
    verts = verts + tr;

    TorchHeadPose out;
    out.vertices = verts;
    out.joints = posedJoints + tr;
    if (!m.staticLmkFaces.defined()) {
        out.landmarks = torch::zeros({B, 0, 3}, opts);
        return out;
    }
    auto staticPts = gatherLandmarks(verts, m.faces, m.staticLmkFaces, m.staticLmkBary);
    if (!m.dynLmkFaces.defined()) {
        out.landmarks = staticPts;
        return out;
    }
    // FLAME's contour bin from the yaw of global * neck, per batch item.
    const auto chain = torch::bmm(rot.select(1, kGlobal), rot.select(1, kNeck));
    const auto sy = (chain.select(2, 0).select(1, 0).pow(2) + chain.select(2, 0).select(1, 1).pow(2)).sqrt();
    const auto yaw = torch::atan2(-chain.select(2, 0).select(1, 2), sy) * (180.0 / M_PI);
    auto y = torch::round(torch::clamp_max(yaw, 39.0)).to(torch::kLong).detach();
    auto bin = torch::where(y < 0, torch::where(y < -39, torch::full_like(y, 78), 39 - y), y)
                   .clamp(0, m.dynLmkFaces.size(0) - 1);
    std::vector<torch::Tensor> contour;
    for (int64_t b = 0; b < B; ++b) {
        const int64_t k = bin[b].item<int64_t>();
        contour.push_back(gatherLandmarks(verts.narrow(0, b, 1), m.faces, m.dynLmkFaces[k], m.dynLmkBary[k]));
    }
    out.landmarks = torch::cat({torch::cat(contour, 0), staticPts}, 1);
    return out;
}

}  // namespace synthforge::head
