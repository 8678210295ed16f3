// The alignment solver against the planted-answer generator
// (tools/planted_generator.py): its density is the head moved by a known
// affine map (and, for refinement, a known shape offset), so the right
// answer is known exactly.

#include <gtest/gtest.h>

#include <Eigen/LU>

#include "core/align/alignment_solver.h"
#include "core/generate/procedural_generator.h"
#include "core/generate/samplers/samplers.h"
#include "core/generate/torchscript_generator.h"
#include "core/head/default_head/model_source.h"
#include "tests/support/asset_configs.h"
#include "tests/support/fixtures.h"
#include "tests/support/planted_generator.h"

namespace synthforge::align {
namespace {

std::shared_ptr<const head::HeadModel> defaultHead() {
    static auto m = std::make_shared<const head::HeadModel>(head::loadHeadModel("default"));
    return m;
}

/// The sampler's draws with the head's own pose (neck, jaw, eyes) at rest:
/// the planted shape offset is added to posed vertices, which equals a shape
/// change only while nothing but the global pose moves.
/// It also sets z[8..12], which the planted module reads as its per-sample
/// shape offset's weights: +w for even samples, -w for odd ones, so the
/// offsets cancel on average and the shared affine map cannot absorb them.
class RestPoseSampler : public generate::Sampler {
public:
    RestPoseSampler(std::shared_ptr<const generate::Sampler> inner, Eigen::VectorXf w)
        : inner_(std::move(inner)), w_(std::move(w)) {}
    generate::SampleSpec draw(std::uint64_t seed, std::uint64_t index) const override {
        generate::SampleSpec s = inner_->draw(seed, index);
        s.params.pose.setZero();
        s.params.transl.setZero();
        s.params.expr.setZero();
        s.z.segment(8, w_.size()) = (index % 2 == 0 ? 1.0f : -1.0f) * w_;
        return s;
    }

private:
    std::shared_ptr<const generate::Sampler> inner_;
    Eigen::VectorXf w_;
};

generate::SamplePipeline plantedPipeline(const std::string& module, Eigen::VectorXf offsetWeights = Eigen::VectorXf::Zero(5)) {
    generate::SamplePipeline p;
    p.model = defaultHead();
    p.sampler.assets = generate::AssetsSamplerConfig::none();
    p.generator = generate::loadTorchScriptGenerator(module, p.model, {});
    p.sampler.latentDim = p.generator->capabilities().latentDim;
    p.drawer = std::make_shared<RestPoseSampler>(generate::makeSampler(p.sampler, p.model), offsetWeights);
    return p;
}

AlignmentOptions fastOptions() {
    AlignmentOptions o;
    o.samples = 3;
    o.steps = 220;
    o.gridResolution = 40;
    o.meshPoints = 1200;
    return o;
}

TEST(AlignmentSolver, RecoversThePlantedAffineMap) {
    testutil::TempDir tmp;
    testutil::PlantedGeneratorSpec spec;
    spec.imageSize = 32;
    spec.affine << 1.015f, 0.008f, -0.004f, 0.004f,  //
        -0.006f, 0.99f, 0.005f, -0.003f,              //
        0.003f, 0.01f, 1.008f, 0.006f;
    const generate::SamplePipeline p = plantedPipeline(testutil::makePlantedGenerator(*defaultHead(), spec, tmp.path));
    std::vector<AlignmentStep> steps;
    const AlignmentFit fit = solveAlignment(p, fastOptions(), [&](const AlignmentStep& s) { steps.push_back(s); });

    ASSERT_EQ(steps.size(), 220u);
    EXPECT_LT(steps.back().total, 0.1 * steps.front().total);
    const Eigen::Matrix<float, 3, 4> got = fit.correction.topRows<3>();
    // Translation within 1 mm (FLAME metres), linear part within 1 %.
    const Eigen::Vector3f dt = got.col(3) - spec.affine.col(3);
    EXPECT_LT(dt.norm(), 1e-3f) << "fitted\n" << got << "\nplanted\n" << spec.affine;
    const Eigen::Matrix3f dA = got.leftCols<3>() - spec.affine.leftCols<3>();
    EXPECT_LT(dA.cwiseAbs().maxCoeff(), 0.01f) << "fitted\n" << got << "\nplanted\n" << spec.affine;
    EXPECT_EQ(fit.generatorName, "torchscript:planted-test-field");
    EXPECT_TRUE(fit.nominalFlameToWorld.isApprox(camera::flameToWorldMatrix(), 1e-6f));
    EXPECT_GT(fit.weights.at("density"), 0.0);
}

TEST(AlignmentSolver, PerSampleRefinementRemovesMostOfAPlantedShapeOffset) {
    testutil::TempDir tmp;
    const head::HeadModel& m = *defaultHead();
    // Planted identity changes along the first five shape directions, one
    // per sample (weights from z, times psi): +beta and -beta.
    testutil::PlantedGeneratorSpec spec;
    spec.imageSize = 32;
    for (int k = 0; k < 5; ++k)
        spec.offsetBasis.push_back(Eigen::Map<const head::RowMatX3f>(m.shapedirs.col(k).data(), m.numVertices(), 3));
    Eigen::VectorXf w(5);
    w << 1.2f, -0.9f, 0.7f, 0.5f, -0.6f;
    const float psi = generate::TorchScriptGeneratorOptions{}.psi;
    const generate::SamplePipeline p = plantedPipeline(testutil::makePlantedGenerator(m, spec, tmp.path), w / psi);
    AlignmentOptions o = fastOptions();
    o.samples = 2;
    o.steps = 120;
    o.perSample = true;
    o.perSampleSteps = 200;
    const AlignmentFit fit = solveAlignment(p, o);

    ASSERT_EQ(fit.perSample.size(), 2u);
    ASSERT_EQ(fit.sampleShape.rows(), 2);
    const Eigen::Matrix3f A = fit.correction.topLeftCorner<3, 3>();
    const Eigen::RowVector3f t = fit.correction.topRightCorner<3, 1>().transpose();
    for (int i = 0; i < 2; ++i) {
        // Vertex error against the planted head (the density's), before and
        // after the refinement, both under the fitted correction.
        generate::SampleSpec s = p.drawer->draw(0, static_cast<std::uint64_t>(i));
        Eigen::VectorXf beta = Eigen::VectorXf::Zero(m.numShape());
        beta.head(5) = (i % 2 == 0 ? 1.0f : -1.0f) * w;
        const Eigen::VectorXf flat = m.shapedirs * beta;
        const head::RowMatX3f truth =
            head::forward(m, s.params).vertices + Eigen::Map<const head::RowMatX3f>(flat.data(), m.numVertices(), 3);
        const head::RowMatX3f plain = (head::forward(m, s.params).vertices * A.transpose()).rowwise() + t;
        s.params.shape.conservativeResize(std::max<Eigen::Index>(s.params.shape.size(), fit.sampleShape.cols()));
        for (Eigen::Index k = 0; k < fit.sampleShape.cols(); ++k) s.params.shape[k] += fit.sampleShape(i, k);
        s.params.expr.conservativeResize(std::max<Eigen::Index>(s.params.expr.size(), fit.sampleExpr.cols()));
        for (Eigen::Index k = 0; k < fit.sampleExpr.cols(); ++k) s.params.expr[k] += fit.sampleExpr(i, k);
        const Eigen::RowVector3f dt = fit.sampleTranslation.row(i);
        const head::RowMatX3f refined = ((head::forward(m, s.params).vertices.rowwise() + dt) * A.transpose()).rowwise() + t;
        const double before = 1000.0 * (plain - truth).rowwise().norm().mean();
        const double after = 1000.0 * (refined - truth).rowwise().norm().mean();
        EXPECT_LT(after, 0.2 * before) << "sample " << i << ": " << before << " mm -> " << after << " mm";
        EXPECT_GT(fit.perSample[static_cast<std::size_t>(i)].vertexShiftMm, 0.5 * before);
        EXPECT_GT(fit.perSample[static_cast<std::size_t>(i)].residualPx, 0.0);
    }
}

TEST(AlignmentSolver, TheLandmarkTermAloneRecoversAPlantedShift) {
    testutil::TempDir tmp;
    testutil::PlantedGeneratorSpec spec;
    spec.imageSize = 32;
    spec.affine.col(3) << 0.003f, -0.002f, 0.0f;
    const generate::SamplePipeline p = plantedPipeline(testutil::makePlantedGenerator(*defaultHead(), spec, tmp.path));
    // A perfect landmark "network": the planted head's landmarks, projected
    // at the generator's image size, in the order the solver asks for them.
    auto next = std::make_shared<std::uint64_t>(0);
    AlignmentOptions o = fastOptions();
    o.samples = 2;
    o.steps = 150;
    o.weights = AlignmentLossWeights{0.0, 0.0, 0.0, 1.0};
    o.landmarks = [&, next](const cv::Mat& image) {
        EXPECT_EQ(image.cols, 32);
        const generate::SampleSpec s = p.drawer->draw(o.seed, (*next)++);
        const head::HeadPose pose = head::forward(*defaultHead(), s.params);
        Eigen::MatrixXf px(68, 2);
        const camera::PinholeCamera cam = s.camera.pinhole();
        for (int i = 0; i < 68; ++i) {
            const Eigen::Vector3f v = pose.landmarks.row(i).transpose();
            const Eigen::Vector3f moved = spec.affine.leftCols<3>() * v + spec.affine.col(3);
            const camera::Projection pr = cam.project(camera::flameToWorld(moved), 32, 32);
            px.row(i) = pr.pixel.transpose();
        }
        return px;
    };
    std::vector<AlignmentStep> steps;
    const AlignmentFit fit = solveAlignment(p, o, [&](const AlignmentStep& s) { steps.push_back(s); });
    EXPECT_EQ(*next, 2u);
    EXPECT_GT(steps.front().landmarks, 0.3);
    EXPECT_LT(steps.back().landmarks, 0.05) << "pixels at 32²";
    // Landmarks pin the shift across the image; depth along the view is
    // weakly seen by 51 points at 32², so only x and y are asserted.
    EXPECT_NEAR(fit.correction(0, 3), 0.003f, 5e-4f);
    EXPECT_NEAR(fit.correction(1, 3), -0.002f, 5e-4f);
    EXPECT_DOUBLE_EQ(fit.weights.at("landmarks"), 1.0);
}

TEST(AlignmentSolver, TheProceduralGeneratorNeedsNoCorrection) {
    generate::SamplePipeline p;
    p.model = defaultHead();
    p.sampler.assets = generate::AssetsSamplerConfig::none();
    p.generator = std::make_shared<generate::ProceduralGenerator>(p.model, cv::Mat());
    AlignmentOptions o = fastOptions();
    o.samples = 2;
    o.steps = 60;
    const AlignmentFit fit = solveAlignment(p, o);
    // Its density is the mesh itself: the fit stays at the identity.
    EXPECT_LT((fit.correction.topRightCorner<3, 1>()).norm(), 1e-3f);
    EXPECT_LT((fit.correction.topLeftCorner<3, 3>() - Eigen::Matrix3f::Identity()).cwiseAbs().maxCoeff(), 0.01f);
    EXPECT_EQ(fit.weights.at("density"), 0.0);  // no gradient through the procedural density
}

TEST(AlignmentSolver, BadOptionsAreClearErrors) {
    generate::SamplePipeline p;
    p.model = defaultHead();
    p.generator = std::make_shared<generate::ProceduralGenerator>(p.model, cv::Mat());
    AlignmentOptions o;
    o.samples = 0;
    EXPECT_THROW(solveAlignment(p, o), std::invalid_argument);
    o = AlignmentOptions{};
    o.weights.landmarks = 0.2;
    try {
        solveAlignment(p, o);
        ADD_FAILURE();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("--landmark-model"), std::string::npos) << e.what();
    }
    o = AlignmentOptions{};
    o.lr = -1;
    EXPECT_THROW(solveAlignment(p, o), std::invalid_argument);
}

}  // namespace
}  // namespace synthforge::align
