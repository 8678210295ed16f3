// The alignment solver (alignment_solver.h): targets from the generator
// (density iso-surface, depth, optionally predicted landmarks) gathered once
// per sample, then Adam on the affine correction, then optionally on each
// sample's shape and expression through the FLAME torch twin.

#include "core/align/alignment_solver.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "core/align/density_grid.h"
#include "core/align/marching_cubes.h"
#include "core/generate/torch_torchscript_generator.h"
#include "core/head/torch_lbs.h"
#include "core/raster/rasterizer.h"

namespace synthforge::align {

namespace {

using torch::indexing::Slice;

/// Depth differences well beyond this (generator units, 4 mm of FLAME) count
/// as outliers in the depth term.
constexpr double kDepthScale = 0.01;

/// What one sample is aligned against, and what it is.
struct SampleTarget {
    generate::SampleSpec spec;
    camera::PinholeCamera camera;
    head::RowMatX3f conditioning;   ///< the posed head the generator is conditioned on (FLAME metres)
    torch::Tensor shape, expr, pose, transl;  ///< [1, n] each
    torch::Tensor vertices, landmarks;        ///< base pose [V, 3], [68, 3] (no grad)
    torch::Tensor surface;                    ///< [S, 3] world points on the density's iso-surface
    torch::Tensor surfaceNormals;             ///< [S, 3] unit normals there
    torch::Tensor depth;                      ///< [h, w] generator depth, 0 = background
    torch::Tensor predicted;                  ///< [68, 2] pixels at (imageW, imageH), or undefined
    int imageW = 0, imageH = 0;
    torch::Tensor ws, c, cond;                ///< TorchScript generators: density() inputs
};

torch::Tensor toTensor(const Eigen::Ref<const head::RowMatX3f>& m) {
    return torch::from_blob(const_cast<float*>(m.data()), {m.rows(), 3}, torch::kFloat32).clone();
}

torch::Tensor rowVector(const Eigen::VectorXf& v) {
    if (v.size() == 0) return torch::zeros({1, 0});
    return torch::from_blob(const_cast<float*>(v.data()), {1, v.size()}, torch::kFloat32).clone();
}

torch::Tensor matrixTensor(const Eigen::Matrix4f& m) {
    torch::Tensor t = torch::empty({4, 4});
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) t[r][c] = m(r, c);
    return t;
}

/// v [N, 3] -> A v + t with the 3 x 4 `affine` (rows [A | t]).
torch::Tensor applyAffine(const torch::Tensor& affine, const torch::Tensor& v) {
    return torch::matmul(v, affine.index({Slice(), Slice(0, 3)}).t()) + affine.index({Slice(), 3});
}

void checkOptions(const AlignmentOptions& o, const generate::SamplePipeline& p) {
    if (!p.model || !p.generator) throw std::invalid_argument("align: the pipeline has no head model or generator");
    const auto caps = p.generator->capabilities();
    if (!caps.density || caps.densityLevel <= 0.0f)
        throw std::invalid_argument("align: the generator '" + caps.name + "' has no density to align against");
    if (o.samples < 1 || o.samples > 10000) throw std::invalid_argument("--samples: expected 1..10000");
    if (o.steps < 0 || o.perSampleSteps < 0) throw std::invalid_argument("--steps: expected a non-negative count");
    if (!(o.lr > 0.0) || !std::isfinite(o.lr)) throw std::invalid_argument("--lr: expected a positive number");
    for (double w : {o.weights.chamfer, o.weights.density, o.weights.depth, o.weights.landmarks})
        if (!(w >= 0.0) || !std::isfinite(w)) throw std::invalid_argument("align: loss weights must be finite and >= 0");
    if (o.weights.landmarks > 0.0 && !o.landmarks)
        throw std::invalid_argument("--w-landmarks: needs a landmark model (--landmark-model RUN)");
    if (o.meshPoints < 16 || o.surfacePoints < 16) throw std::invalid_argument("align: meshPoints and surfacePoints must be >= 16");
    if (o.refineCoefficients < 1) throw std::invalid_argument("align: refineCoefficients must be >= 1");
}

/// Area-weighted unit vertex normals of a triangle mesh.
torch::Tensor vertexNormals(const torch::Tensor& positions, const Eigen::Ref<const head::RowMatX3i>& faces) {
    const torch::Tensor f =
        torch::from_blob(const_cast<std::int32_t*>(faces.data()), {faces.rows(), 3}, torch::kInt32).to(torch::kInt64);
    const torch::Tensor a = positions.index_select(0, f.index({Slice(), 0}));
    const torch::Tensor b = positions.index_select(0, f.index({Slice(), 1}));
    const torch::Tensor c = positions.index_select(0, f.index({Slice(), 2}));
    const torch::Tensor fn = torch::cross(b - a, c - a, 1);
    torch::Tensor n = torch::zeros_like(positions);
    for (int k = 0; k < 3; ++k) n.index_add_(0, f.index({Slice(), k}), fn);
    return n / n.norm(2, 1, true).clamp_min(1e-12);
}

/// Every k-th row so that at most `n` remain.
torch::Tensor strided(const torch::Tensor& rows, int n) {
    const int64_t step = std::max<int64_t>(1, (rows.size(0) + n - 1) / n);
    return rows.index({Slice(0, torch::indexing::None, step)});
}

SampleTarget gatherSample(const generate::SamplePipeline& p, const generate::SampleSpec& spec, std::uint64_t index,
                          const AlignmentOptions& o, const Eigen::Matrix4f& nominal, const Eigen::Matrix4f& correction,
                          const generate::TorchScriptGenerator* ts, jobs::ProgressSink* progress,
                          const jobs::CancelToken* cancel) {
    SampleTarget t;
    t.spec = spec;
    t.camera = t.spec.camera.pinhole();
    const head::HeadPose pose = head::forward(*p.model, t.spec.params);
    t.conditioning = pose.vertices;
    t.shape = rowVector(t.spec.params.shape);
    t.expr = rowVector(t.spec.params.expr);
    t.pose = torch::from_blob(t.spec.params.pose.data(), {1, head::kNumPoseValues}, torch::kFloat32).clone();
    t.transl = torch::from_blob(t.spec.params.transl.data(), {1, 3}, torch::kFloat32).clone();

    generate::GeneratorInput in;
    in.z = &t.spec.z;
    in.vertices = &t.conditioning;
    in.camera = t.camera;
    const auto caps = p.generator->capabilities();

    // The density's surface, from a grid around where the nominal map puts the head.
    GridSpec grid;
    grid.bounds = boundsAround(camera::transformPoints(nominal * correction, pose.vertices), o.gridMargin);
    grid.resolution = o.gridResolution;
    SampleOptions so;
    so.slabsPerCall = 0;
    so.threads = 0;
    const ScalarGrid field = sampleDensity(*p.generator, in, grid, so, progress, cancel);
    const IsoSurface iso = marchingCubes(field, caps.densityLevel);
    if (iso.mesh.positions.rows() < 16)
        throw std::runtime_error("align: sample " + std::to_string(index) + ": the density has no surface at level " +
                                 std::to_string(caps.densityLevel) + " around the head" +
                                 (iso.message.empty() ? "" : " (" + iso.message + ")"));
    const torch::Tensor positions = toTensor(iso.mesh.positions);
    t.surface = strided(positions, o.surfacePoints);
    t.surfaceNormals = strided(vertexNormals(positions, iso.mesh.faces), o.surfacePoints);

    // The generator's own depth (and image, for predicted landmarks).
    int w = 64, h = 64;
    if (ts) {
        w = o.weights.landmarks > 0.0 ? ts->metadata().imageWidth : ts->metadata().depthWidth;
        h = o.weights.landmarks > 0.0 ? ts->metadata().imageHeight : ts->metadata().depthHeight;
    } else if (o.weights.landmarks > 0.0) {
        w = h = 256;
    }
    const generate::GeneratorOutput out = p.generator->generate({in}, w, h).at(0);
    t.imageW = w;
    t.imageH = h;
    if (!out.depth.empty())
        t.depth = torch::from_blob(out.depth.data, {out.depth.rows, out.depth.cols}, torch::kFloat32).clone();
    if (o.weights.landmarks > 0.0) {
        const Eigen::MatrixXf lm = o.landmarks(out.image);
        if (lm.rows() != 68 || lm.cols() != 2)
            throw std::runtime_error("align: the landmark model must give 68 x 2 landmarks");
        t.predicted = torch::empty({68, 2});
        for (int i = 0; i < 68; ++i)
            for (int k = 0; k < 2; ++k) t.predicted[i][k] = lm(i, k);
    }
    if (ts) {
        torch::NoGradGuard no;
        t.c = ts->cameras({in});
        t.ws = ts->mapping(ts->latents({in}), t.c);
        t.cond = ts->vertices({in});
    }
    return t;
}

struct Losses {
    torch::Tensor chamfer, density, depth, landmarks;
};

/// The losses of one sample for corrected FLAME-space vertices and landmarks.
Losses sampleLosses(const SampleTarget& t, const torch::Tensor& vertices, const torch::Tensor& landmarks,
                    const torch::Tensor& meshIndex, const head::HeadModel& model, const Eigen::Matrix4f& nominal,
                    const AlignmentOptions& o, float level, const generate::TorchScriptGenerator* ts) {
    const torch::Tensor M = matrixTensor(nominal);
    const torch::Tensor world = applyAffine(M.index({Slice(0, 3)}), vertices);
    Losses l;
    const torch::Tensor zero = torch::zeros({});
    l.chamfer = l.density = l.depth = l.landmarks = zero;
    const torch::Tensor sub = world.index_select(0, meshIndex);
    if (o.weights.chamfer > 0.0) {
        // Mesh -> surface only: the iso-surface also holds parts the head has
        // no vertices for (the neck's continuation, the mouth's inside), which
        // the other direction would pull the mesh toward.
        // Point to tangent plane of the nearest surface point: the iso-surface's
        // vertices are a cell apart, and point-to-point distances would keep a
        // floor of about a third of a cell, with a gradient along the surface.
        torch::Tensor nearest;
        {
            torch::NoGradGuard no;
            nearest = std::get<1>(torch::cdist(sub, t.surface).min(1));
        }
        const torch::Tensor q = t.surface.index_select(0, nearest), n = t.surfaceNormals.index_select(0, nearest);
        l.chamfer = ((sub - q) * n).sum(1).abs().mean();
    }
    if (o.weights.density > 0.0 && ts) {
        const torch::Tensor sigma = ts->density(t.ws, t.c, t.cond, sub.unsqueeze(0)).squeeze(0);
        l.density = ((sigma - level) / level).pow(2).mean();
    }
    const torch::Tensor W2C = matrixTensor(t.camera.world2cam());
    const torch::Tensor cam = applyAffine(W2C.index({Slice(0, 3)}), world);
    if (o.weights.depth > 0.0 && t.depth.defined()) {
        // Which triangle each pixel sees is not differentiable; given it, the
        // depth at the pixel is linear in the triangle's vertices.
        const int w = static_cast<int>(t.depth.size(1)), h = static_cast<int>(t.depth.size(0));
        const torch::Tensor camCpu = cam.detach().contiguous();
        const Eigen::Map<const raster::Vertices> cv(camCpu.data_ptr<float>(), camCpu.size(0), 3);
        raster::RasterOptions ro;
        ro.threads = 1;
        const raster::RasterResult r =
            raster::rasterize(cv, raster::Intrinsics::fromMatrix(t.camera.intrinsicsPixels(w, h)), model.faces, w, h, ro);
        std::vector<int64_t> f0, f1, f2, pix;
        std::vector<float> b0, b1;
        const float* gd = t.depth.data_ptr<float>();
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const std::size_t i = r.index(x, y);
                if (r.triangleId[i] < 0 || !(gd[i] > 0.0f)) continue;
                const auto f = model.faces.row(r.triangleId[i]);
                f0.push_back(f(0));
                f1.push_back(f(1));
                f2.push_back(f(2));
                b0.push_back(r.bary0[i]);
                b1.push_back(r.bary1[i]);
                pix.push_back(static_cast<int64_t>(i));
            }
        if (!pix.empty()) {
            const auto n = static_cast<int64_t>(pix.size());
            const auto idx = [n](std::vector<int64_t>& v) { return torch::from_blob(v.data(), {n}, torch::kInt64).clone(); };
            const torch::Tensor B0 = torch::from_blob(b0.data(), {n}, torch::kFloat32).clone();
            const torch::Tensor B1 = torch::from_blob(b1.data(), {n}, torch::kFloat32).clone();
            const torch::Tensor z = cam.index({Slice(), 2});
            const torch::Tensor ours = B0 * z.index_select(0, idx(f0)) + B1 * z.index_select(0, idx(f1)) +
                                       (1.0 - B0 - B1) * z.index_select(0, idx(f2));
            const torch::Tensor theirs = t.depth.view(-1).index_select(0, idx(pix));
            // Robust (Cauchy, scale kDepthScale): along the silhouette the two
            // renders see different surfaces (a grazing cheek, the ear behind),
            // and those few large differences must not outweigh the face.
            const torch::Tensor r = (ours - theirs) / kDepthScale;
            l.depth = (kDepthScale * torch::log1p(r * r)).mean();
        }
    }
    if (o.weights.landmarks > 0.0 && t.predicted.defined() && landmarks.size(0) == 68) {
        const torch::Tensor lw = applyAffine(M.index({Slice(0, 3)}), landmarks);
        const torch::Tensor lc = applyAffine(W2C.index({Slice(0, 3)}), lw);
        const Eigen::Matrix3f K = t.camera.intrinsicsPixels(t.imageW, t.imageH);
        const torch::Tensor z = lc.index({Slice(), 2}).clamp_min(1e-4);
        const torch::Tensor u = K(0, 0) * lc.index({Slice(), 0}) / z + K(0, 2);
        const torch::Tensor v = K(1, 1) * lc.index({Slice(), 1}) / z + K(1, 2);
        // The inner 51: the contour's 17 depend on the view's contour bin.
        const torch::Tensor d = torch::stack({u, v}, 1).index({Slice(17)}) - t.predicted.index({Slice(17)});
        l.landmarks = d.norm(2, 1).mean();
    }
    return l;
}

double weighted(const Losses& l, const AlignmentLossWeights& w, torch::Tensor& total) {
    total = w.chamfer * l.chamfer + w.density * l.density + w.depth * l.depth + w.landmarks * l.landmarks;
    return total.item<double>();
}

double cosineLr(double lr, int step, int steps) {
    if (steps <= 1) return lr;
    const double p = static_cast<double>(step) / (steps - 1);
    return lr * (0.05 + 0.95 * 0.5 * (1.0 + std::cos(M_PI * p)));
}

void setLr(torch::optim::Adam& adam, double lr) {
    for (auto& g : adam.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
}

/// Projected landmarks [68, 2] of FLAME-space `landmarks` under `affine`.
torch::Tensor project(const SampleTarget& t, const torch::Tensor& affine, const torch::Tensor& landmarks,
                      const Eigen::Matrix4f& nominal) {
    const Eigen::Matrix4f full = t.camera.world2cam() * nominal;
    const torch::Tensor lc = applyAffine(matrixTensor(full).index({Slice(0, 3)}), applyAffine(affine, landmarks));
    const Eigen::Matrix3f K = t.camera.intrinsicsPixels(t.imageW, t.imageH);
    const torch::Tensor z = lc.index({Slice(), 2}).clamp_min(1e-4);
    return torch::stack({K(0, 0) * lc.index({Slice(), 0}) / z + K(0, 2), K(1, 1) * lc.index({Slice(), 1}) / z + K(1, 2)}, 1);
}

struct Refinement {
    Eigen::VectorXf shape, expr;   ///< offsets of the first coefficients
    Eigen::Vector3f translation = Eigen::Vector3f::Zero();  ///< FLAME metres, before the correction
    SampleResidual residual;
    AlignmentStep last;
};

/// One sample's own refinement on top of the shared `affine`: a translation
/// and offsets of its first shape and expression coefficients, through the
/// FLAME torch twin. The residual says how far it moved the labels.
Refinement refineSample(const SampleTarget& t, const torch::Tensor& affine, const head::TorchHeadModel& tm,
                        const torch::Tensor& meshIndex, const head::HeadModel& model, const Eigen::Matrix4f& nominal,
                        const AlignmentOptions& opt, float level, const generate::TorchScriptGenerator* ts, int steps,
                        int& stepCounter, const AlignmentStepCallback& onStep, jobs::ProgressTracker& tracker,
                        const jobs::CancelToken* cancel) {
    const int S = std::min<int>(opt.refineCoefficients, static_cast<int>(tm.shapedirs.size(2)));
    const int E = std::min<int>(opt.refineCoefficients, static_cast<int>(tm.exprdirs.size(2)));
    // Offsets are added to the sample's own first coefficients (which may be
    // fewer than S or E: padded with zeros).
    const auto padded = [](const torch::Tensor& base, int n) {
        return base.size(1) >= n ? base : torch::cat({base, torch::zeros({1, n - base.size(1)})}, 1);
    };
    const torch::Tensor shape0 = padded(t.shape, S), expr0 = padded(t.expr, E);
    torch::Tensor ds = torch::zeros({1, S}, torch::requires_grad());
    torch::Tensor de = torch::zeros({1, E}, torch::requires_grad());
    torch::Tensor dt = torch::zeros({3}, torch::requires_grad());
    const auto posed = [&](const torch::Tensor& s, const torch::Tensor& e, const torch::Tensor& tr) {
        const torch::Tensor shape = torch::cat({shape0.index({Slice(), Slice(0, S)}) + s, shape0.index({Slice(), Slice(S)})}, 1);
        const torch::Tensor expr = torch::cat({expr0.index({Slice(), Slice(0, E)}) + e, expr0.index({Slice(), Slice(E)})}, 1);
        head::TorchHeadPose tp = head::torchForward(tm, shape, expr, t.pose, t.transl);
        return std::make_pair(applyAffine(affine, tp.vertices[0] + tr), applyAffine(affine, tp.landmarks[0] + tr));
    };
    Refinement out;
    {
        torch::AutoGradMode grad(true);
        // Coefficients are in standard deviations, the translation in metres:
        // one Adam step moves each by about its lr.
        torch::optim::Adam adam({ds, de}, torch::optim::AdamOptions(opt.lr * 30.0));
        torch::optim::Adam adamT({dt}, torch::optim::AdamOptions(opt.lr));
        for (int s = 0; s < steps; ++s) {
            if (cancel) cancel->throwIfCancelled();
            setLr(adam, cosineLr(opt.lr * 30.0, s, steps));
            setLr(adamT, cosineLr(opt.lr, s, steps));
            adam.zero_grad();
            adamT.zero_grad();
            const auto [v, lm] = posed(ds, de, dt);
            const Losses l = sampleLosses(t, v, lm, meshIndex, model, nominal, opt, level, ts);
            torch::Tensor total;
            AlignmentStep st;
            st.total = weighted(l, opt.weights, total);
            st.chamfer = l.chamfer.item<double>();
            st.density = l.density.item<double>();
            st.depth = l.depth.item<double>();
            st.landmarks = l.landmarks.item<double>();
            (total + opt.refinePrior * (ds.pow(2).sum() + de.pow(2).sum())).backward();
            adam.step();
            adamT.step();
            st.step = ++stepCounter;
            st.perSample = true;
            out.last = st;
            if (onStep) onStep(st);
            tracker.advance();
        }
    }
    torch::NoGradGuard no;
    out.shape.resize(S);
    out.expr.resize(E);
    for (int k = 0; k < S; ++k) out.shape[k] = ds[0][k].item<float>();
    for (int k = 0; k < E; ++k) out.expr[k] = de[0][k].item<float>();
    for (int k = 0; k < 3; ++k) out.translation[k] = dt[k].item<float>();
    // How far the refinement moves the labels: landmarks in pixels at the
    // generator's image size, vertices in FLAME millimetres.
    const auto before = posed(torch::zeros({1, S}), torch::zeros({1, E}), torch::zeros({3}));
    const auto after = posed(ds.detach(), de.detach(), dt.detach());
    const torch::Tensor identity = torch::eye(3, 4);
    if (t.landmarks.size(0) == 68) {
        const torch::Tensor moved = project(t, identity, after.second, nominal) - project(t, identity, before.second, nominal);
        out.residual.residualPx = moved.pow(2).sum(1).mean().sqrt().item<double>();
    }
    out.residual.vertexShiftMm = 1000.0 * (after.first - before.first).norm(2, 1).mean().item<double>();
    return out;
}

}  // namespace

AlignmentFit solveAlignment(const generate::SamplePipeline& p, const AlignmentOptions& o,
                            const AlignmentStepCallback& onStep, jobs::ProgressSink* progress,
                            const jobs::CancelToken* cancel) {
    checkOptions(o, p);
    torch::NoGradGuard gatherNoGrad;
    const auto* ts = dynamic_cast<const generate::TorchScriptGenerator*>(p.generator.get());
    const auto caps = p.generator->capabilities();
    const Eigen::Matrix4f nominal = caps.flameToWorld;
    const head::TorchHeadModel tm = head::TorchHeadModel::fromModel(*p.model);
    const std::shared_ptr<const generate::Sampler> drawer =
        p.drawer ? p.drawer : generate::makeSampler(p.sampler, p.model);

    AlignmentLossWeights weights = o.weights;
    // A generator whose density is not a torch function gives no gradient
    // at the vertices: the density term is left out (the fit records it).
    if (!ts) weights.density = 0.0;
    AlignmentOptions opt = o;
    opt.weights = weights;

    std::vector<SampleTarget> targets;
    for (int i = 0; i < o.samples; ++i) {
        if (cancel) cancel->throwIfCancelled();
        targets.push_back(gatherSample(p, drawer->draw(o.seed, static_cast<std::uint64_t>(i)), static_cast<std::uint64_t>(i),
                                       opt, nominal, Eigen::Matrix4f::Identity(), ts, progress, cancel));
        const head::TorchHeadPose tp = head::torchForward(tm, targets.back().shape, targets.back().expr,
                                                         targets.back().pose, targets.back().transl);
        targets.back().vertices = tp.vertices[0];
        targets.back().landmarks = tp.landmarks[0];
    }
    const int64_t V = p.model->numVertices();
    const torch::Tensor meshIndex = strided(torch::arange(V), o.meshPoints);
    const float level = caps.densityLevel;

    AlignmentFit fit;
    fit.generatorName = caps.name;
    fit.generatorVersion = caps.version;
    fit.vertexCount = V;
    fit.nominalFlameToWorld = nominal;
    fit.samples = o.samples;
    fit.weights = {{"chamfer", weights.chamfer}, {"density", weights.density}, {"depth", weights.depth},
                   {"landmarks", weights.landmarks}};

    const int totalSteps = o.steps + (o.perSample ? o.perSampleSteps * o.samples : 0);
    jobs::ProgressTracker tracker(progress, "align", static_cast<std::uint64_t>(totalSteps));
    AlignmentStep last;
    int stepCounter = 0;

    // The shared affine correction: [A | t] = [I | 0] + delta.
    torch::Tensor delta = torch::zeros({3, 4}, torch::requires_grad());
    const torch::Tensor identity = torch::eye(3, 4);
    {
        torch::AutoGradMode grad(true);
        torch::optim::Adam adam({delta}, torch::optim::AdamOptions(o.lr));
        for (int s = 0; s < o.steps; ++s) {
            if (cancel) cancel->throwIfCancelled();
            setLr(adam, cosineLr(o.lr, s, o.steps));
            adam.zero_grad();
            const torch::Tensor affine = identity + delta;
            torch::Tensor sum = torch::zeros({});
            AlignmentStep st;
            for (const SampleTarget& t : targets) {
                const Losses l = sampleLosses(t, applyAffine(affine, t.vertices), applyAffine(affine, t.landmarks),
                                              meshIndex, *p.model, nominal, opt, level, ts);
                torch::Tensor total;
                st.total += weighted(l, weights, total) / o.samples;
                st.chamfer += l.chamfer.item<double>() / o.samples;
                st.density += l.density.item<double>() / o.samples;
                st.depth += l.depth.item<double>() / o.samples;
                st.landmarks += l.landmarks.item<double>() / o.samples;
                sum = sum + total / o.samples;
            }
            sum.backward();
            adam.step();
            st.step = ++stepCounter;
            last = st;
            if (onStep) onStep(st);
            tracker.advance();
        }
    }
    const torch::Tensor affine = (identity + delta).detach();
    Eigen::Matrix4f C = Eigen::Matrix4f::Identity();
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 4; ++c) C(r, c) = affine[r][c].item<float>();
    fit.correction = C;
    fit.steps = o.steps;

    if (o.perSample) {
        for (int i = 0; i < o.samples; ++i) {
            const Refinement r = refineSample(targets[static_cast<std::size_t>(i)], affine, tm, meshIndex, *p.model,
                                              nominal, opt, level, ts, o.perSampleSteps, stepCounter, onStep, tracker, cancel);
            if (fit.sampleShape.size() == 0) {
                fit.sampleShape = Eigen::MatrixXf::Zero(o.samples, r.shape.size());
                fit.sampleExpr = Eigen::MatrixXf::Zero(o.samples, r.expr.size());
                fit.sampleTranslation = Eigen::MatrixXf::Zero(o.samples, 3);
            }
            fit.sampleShape.row(i) = r.shape.transpose();
            fit.sampleExpr.row(i) = r.expr.transpose();
            fit.sampleTranslation.row(i) = r.translation.transpose();
            SampleResidual res = r.residual;
            res.index = i;
            fit.perSample.push_back(res);
            last = r.last;
        }
    }
    fit.final = {{"total", last.total}, {"chamfer", last.chamfer}, {"density", last.density}, {"depth", last.depth},
                 {"landmarks", last.landmarks}};
    tracker.finish();
    return fit;
}

SampleResidual checkSample(const generate::SamplePipeline& p, const generate::SampleSpec& spec, std::uint64_t index,
                           const SampleCheckOptions& c) {
    AlignmentOptions o;
    o.steps = 0;
    o.lr = c.lr;
    o.weights = c.weights;
    o.gridResolution = c.gridResolution;
    o.gridMargin = c.gridMargin;
    o.meshPoints = c.meshPoints;
    o.surfacePoints = c.surfacePoints;
    o.refineCoefficients = c.refineCoefficients;
    checkOptions(o, p);
    torch::NoGradGuard no;
    const auto* ts = dynamic_cast<const generate::TorchScriptGenerator*>(p.generator.get());
    if (!ts) o.weights.density = 0.0;
    const auto caps = p.generator->capabilities();
    const Eigen::Matrix4f correction = p.correction.value_or(Eigen::Matrix4f::Identity());
    const head::TorchHeadModel tm = head::TorchHeadModel::fromModel(*p.model);
    SampleTarget t = gatherSample(p, spec, index, o, caps.flameToWorld, correction, ts, nullptr, nullptr);
    const head::TorchHeadPose tp = head::torchForward(tm, t.shape, t.expr, t.pose, t.transl);
    t.vertices = tp.vertices[0];
    t.landmarks = tp.landmarks[0];
    const torch::Tensor affine = matrixTensor(correction).index({Slice(0, 3)});
    const torch::Tensor meshIndex = strided(torch::arange(p.model->numVertices()), o.meshPoints);
    int counter = 0;
    jobs::ProgressTracker quiet(nullptr, "check", static_cast<std::uint64_t>(c.steps));
    Refinement r = refineSample(t, affine, tm, meshIndex, *p.model, caps.flameToWorld, o, caps.densityLevel, ts,
                                c.steps, counter, {}, quiet, nullptr);
    r.residual.index = static_cast<std::int64_t>(index);
    r.residual.residualPx *= static_cast<double>(p.width) / std::max(1, t.imageW);
    return r.residual;
}

}  // namespace synthforge::align
