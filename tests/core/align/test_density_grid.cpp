// Sampling a density on a grid: layout and its errors, batching, progress,
// cancellation, and the procedural generator's density of the default head,
// whose iso-surface must lie on the posed mesh.

#include <atomic>
#include <chrono>
#include <thread>
#include <memory>
#include <mutex>

#include <gtest/gtest.h>

#include "core/align/density_grid.h"
#include "core/align/marching_cubes.h"
#include "core/align/surface_distance.h"
#include "core/generate/mesh_density.h"
#include "core/generate/procedural_generator.h"
#include "core/head/default_head/model_source.h"
#include "core/head/default_head/neutral_mesh.h"
#include "core/head/lbs.h"

namespace synthforge::align {
namespace {

GridSpec unitBox(int resolution) {
    GridSpec s;
    s.bounds.lo = Eigen::Vector3f(0, 0, 0);
    s.bounds.hi = Eigen::Vector3f(2, 1, 0.5f);
    s.resolution = resolution;
    return s;
}

TEST(DensityGrid, LayoutCoversTheBoxWithCubicCells) {
    const ScalarGrid g = layoutGrid(unitBox(8));
    EXPECT_FLOAT_EQ(g.spacing, 0.25f);
    EXPECT_EQ(g.dims, Eigen::Vector3i(9, 5, 3));
    EXPECT_TRUE(g.origin.isApprox(Eigen::Vector3f(0, 0, 0)));
    GridSpec odd = unitBox(8);
    odd.cellSize = 0.3f;  // 2/0.3 = 6.67 -> 7 cells, centred on the box
    const ScalarGrid h = layoutGrid(odd);
    EXPECT_EQ(h.dims, Eigen::Vector3i(8, 5, 3));
    EXPECT_NEAR(h.origin.x() + 0.5f * 7 * 0.3f, 1.0f, 1e-6f);
    EXPECT_LE(h.origin.x(), 0.0f);
    EXPECT_GE(h.point(7, 4, 2).x(), 2.0f);
}

TEST(DensityGrid, BadLayoutsAreRefusedByName) {
    auto message = [](const GridSpec& s) {
        try {
            layoutGrid(s);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message(unitBox(0)).find("resolution"), std::string::npos);
    EXPECT_NE(message(unitBox(kMaxCellsPerAxis + 1)).find("resolution"), std::string::npos);
    GridSpec inverted = unitBox(8);
    std::swap(inverted.bounds.lo, inverted.bounds.hi);
    EXPECT_NE(message(inverted).find("bounds"), std::string::npos);
    GridSpec flat = unitBox(8);
    flat.bounds.hi.z() = 0.0f;
    EXPECT_NE(message(flat).find("bounds"), std::string::npos);
    GridSpec nan = unitBox(8);
    nan.bounds.hi.x() = NAN;
    EXPECT_NE(message(nan).find("bounds"), std::string::npos);
    GridSpec negative = unitBox(8);
    negative.cellSize = -0.1f;
    EXPECT_NE(message(negative).find("cell size"), std::string::npos);
    GridSpec tiny = unitBox(8);
    tiny.cellSize = 1e-4f;
    EXPECT_NE(message(tiny).find("cells on axis 0"), std::string::npos);
    EXPECT_THROW(boundsAround(camera::Points3f(0, 3), 0.1f), std::invalid_argument);
    EXPECT_THROW(boundsAround(camera::Points3f::Zero(2, 3), -1.0f), std::invalid_argument);
}

struct CountingSink : jobs::ProgressSink {
    std::mutex m;
    std::uint64_t total = 0, lastDone = 0;
    bool finished = false;
    void update(const jobs::ProgressUpdate& u) override {
        std::lock_guard<std::mutex> l(m);
        total = u.total;
        lastDone = u.done;
    }
    void finish(const jobs::ProgressUpdate& u) override {
        std::lock_guard<std::mutex> l(m);
        lastDone = u.done;
        finished = true;
    }
};

TEST(DensityGrid, SamplesOneSlabPerCallInAnyThreadCount) {
    const GridSpec spec = unitBox(8);
    auto linear = [](const camera::Points3f& p) {
        std::vector<float> v(static_cast<std::size_t>(p.rows()));
        for (Eigen::Index i = 0; i < p.rows(); ++i) v[static_cast<std::size_t>(i)] = p(i, 0) + 10 * p(i, 1) + 100 * p(i, 2);
        return v;
    };
    std::atomic<int> calls{0};
    CountingSink sink;
    const ScalarGrid one = sampleField(
        spec, [&](const camera::Points3f& p) { ++calls; return linear(p); }, {}, &sink);
    EXPECT_EQ(calls.load(), one.dims.z());
    EXPECT_TRUE(sink.finished);
    EXPECT_EQ(sink.total, static_cast<std::uint64_t>(one.dims.z()));
    EXPECT_EQ(sink.lastDone, static_cast<std::uint64_t>(one.dims.z()));
    for (int k = 0; k < one.dims.z(); ++k)
        for (int j = 0; j < one.dims.y(); ++j)
            for (int i = 0; i < one.dims.x(); ++i) {
                const Eigen::Vector3f p = one.point(i, j, k);
                EXPECT_FLOAT_EQ(one.at(i, j, k), p.x() + 10 * p.y() + 100 * p.z());
            }
    SampleOptions two;
    two.threads = 2;
    EXPECT_EQ(sampleField(spec, linear, two).values, one.values);
    // Batches of whole slabs: 3 layers in calls of 2 and 1.
    SampleOptions batched;
    batched.slabsPerCall = 2;
    std::vector<Eigen::Index> sizes;
    const ScalarGrid b = sampleField(
        spec, [&](const camera::Points3f& p) { sizes.push_back(p.rows()); return linear(p); }, batched);
    EXPECT_EQ(b.values, one.values);
    const Eigen::Index slab = one.dims.x() * one.dims.y();
    ASSERT_EQ(one.dims.z(), 3);
    EXPECT_EQ(sizes, (std::vector<Eigen::Index>{2 * slab, slab}));
    // Automatic: as many slabs as fit in kPointsPerBatch, here all of them.
    SampleOptions automatic;
    automatic.slabsPerCall = 0;
    calls = 0;
    EXPECT_EQ(sampleField(spec, [&](const camera::Points3f& p) { ++calls; return linear(p); }, automatic).values,
              one.values);
    EXPECT_EQ(calls.load(), 1);
    SampleOptions negative;
    negative.slabsPerCall = -1;
    EXPECT_THROW(sampleField(spec, linear, negative), std::invalid_argument);
}

TEST(DensityGrid, ThreadsQuerySlabsConcurrently) {
    // Each call waits, so calls from two workers overlap even on a busy machine.
    std::atomic<int> running{0}, most{0};
    auto slow = [&](const camera::Points3f& p) {
        const int now = ++running;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        --running;
        return std::vector<float>(static_cast<std::size_t>(p.rows()), 1.0f);
    };
    SampleOptions two;
    two.threads = 2;
    sampleField(unitBox(8), slow, two);
    EXPECT_EQ(most.load(), 2);
    most = 0;
    sampleField(unitBox(8), slow);
    EXPECT_EQ(most.load(), 1);
}

TEST(DensityGrid, CancelAndBadFieldsStopTheSampling) {
    jobs::CancelToken cancel;
    std::atomic<int> calls{0};
    auto cancelling = [&](const camera::Points3f& p) {
        if (++calls == 2) cancel.cancel();
        return std::vector<float>(static_cast<std::size_t>(p.rows()), 0.0f);
    };
    EXPECT_THROW(sampleField(unitBox(16), cancelling, {}, nullptr, &cancel), jobs::Cancelled);
    EXPECT_EQ(calls.load(), 2);
    SampleOptions two;
    two.threads = 2;
    auto shortField = [](const camera::Points3f&) { return std::vector<float>(3, 0.0f); };
    EXPECT_THROW(sampleField(unitBox(8), shortField, two), std::runtime_error);
}

class NoDensity : public generate::Generator {
public:
    generate::GeneratorCapabilities capabilities() const override {
        generate::GeneratorCapabilities c;
        c.name = "image-only";
        return c;
    }
    std::vector<generate::GeneratorOutput> generate(const std::vector<generate::GeneratorInput>&, int, int) const override {
        return {};
    }
};

TEST(DensityGrid, AGeneratorWithoutDensityIsNamed) {
    NoDensity g;
    try {
        sampleDensity(g, {}, unitBox(4));
        FAIL() << "no error";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("image-only"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("no density"), std::string::npos) << e.what();
    }
}

TEST(DensityGrid, ProceduralIsoSurfaceLiesOnThePosedMesh) {
    auto model = std::make_shared<head::HeadModel>(head::loadHeadModel("default"));
    const generate::ProceduralGenerator gen(model, cv::Mat());
    // A posed head, not the template: some shape, expression and an open jaw.
    head::HeadParams params;
    params.shape = Eigen::VectorXf::Constant(std::min(4, model->numShape()), 0.8f);
    params.expr = Eigen::VectorXf::Constant(std::min(4, model->numExpr()), -0.6f);
    params.pose(6) = 0.15f;
    const head::HeadPose pose = head::forward(*model, params);
    generate::GeneratorInput in;
    in.vertices = &pose.vertices;
    GridSpec spec;
    spec.bounds = headBounds(pose.vertices, 0.05f);
    spec.resolution = 64;
    SampleOptions options;
    options.threads = 0;
    const ScalarGrid g = sampleDensity(gen, in, spec, options);
    const float level = generate::MeshDensity::surfaceDensity(generate::ProceduralGeneratorOptions{}.densityBeta);
    const IsoSurface iso = marchingCubes(g, level);
    ASSERT_FALSE(iso.empty()) << iso.message;

    io::TriMesh mesh;
    mesh.positions = camera::transformPoints(camera::flameToWorldMatrix(), pose.vertices);
    mesh.faces = model->faces;
    const MeshDistances d = meshDistances(mesh, iso.mesh);
    const float cell = g.spacing;
    RecordProperty("cell", std::to_string(cell));
    RecordProperty("iso_to_mesh_max_cells", std::to_string(d.bToAStats.max / cell));
    RecordProperty("iso_to_mesh_mean_cells", std::to_string(d.bToAStats.mean / cell));
    RecordProperty("mesh_to_iso_p95_cells", std::to_string(d.aToBStats.p95 / cell));
    RecordProperty("mesh_to_iso_max_cells", std::to_string(d.aToBStats.max / cell));
    EXPECT_LT(d.bToAStats.max, 1.0f * cell);
    EXPECT_LT(d.bToAStats.mean, 0.1f * cell);
    // The eyeballs sit in their sockets: where an eyeball's surface is
    // inside the skin's solid (or the socket's wall behind the eyeball), the
    // density is inside on both sides and no iso-surface can pass there. The
    // skin and the mouth, which nothing overlaps, must lie on it.
    const head::default_head::NeutralHead neutral = head::default_head::buildNeutralHead();
    ASSERT_EQ(neutral.vertexPart.size(), d.aToB.size());
    std::vector<float> open, hidden;
    for (std::size_t v = 0; v < d.aToB.size(); ++v) {
        const auto part = static_cast<head::default_head::Part>(neutral.vertexPart[v]);
        const bool overlapped = part != head::default_head::Part::kSkin && part != head::default_head::Part::kMouthBag;
        (overlapped ? hidden : open).push_back(d.aToB[v]);
    }
    const DistanceStats skin = summarize(open), eyes = summarize(hidden);
    RecordProperty("skin_to_iso_p95_cells", std::to_string(skin.p95 / cell));
    RecordProperty("skin_to_iso_max_cells", std::to_string(skin.max / cell));
    RecordProperty("eyes_to_iso_p95_cells", std::to_string(eyes.p95 / cell));
    EXPECT_LT(d.aToBStats.p95, 1.0f * cell);
    EXPECT_LT(skin.p95, 0.5f * cell);
    // The worst skin vertices are on the ears' rims, thinner than a cell at
    // this resolution, where the sampled density never reaches the level.
    EXPECT_LT(skin.max, 2.0f * cell);
    EXPECT_GT(signedVolume(iso.mesh), 0.0);
}

}  // namespace
}  // namespace synthforge::align
