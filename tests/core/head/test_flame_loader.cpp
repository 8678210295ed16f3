// Loads FLAME-structured files written by tests/fixtures/make_flame_fixture.py
// (Python 2 style protocol-2 pickles with chumpy Ch and scipy csc, np.save'd
// dicts, an OBJ template) and checks the forward pass against that script's
// independent numpy reference.

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "core/head/head_model_io.h"
#include "core/head/lbs.h"
#include "core/io/file_util.h"
#include "core/io/npy.h"
#include "tests/support/fixtures.h"

using namespace synthforge;
using namespace synthforge::head;
using testutil::fixturePath;

namespace {

HeadModel loadFullFixtureModel() {
    HeadModel m = loadHeadModelFile(fixturePath("generic_model.pkl"));
    attachLandmarkFile(m, fixturePath("flame_static_embedding.pkl"));
    attachLandmarkFile(m, fixturePath("flame_dynamic_embedding.npy"));
    return m;
}

struct RefCase {
    HeadParams params;
    RowMatX3f vertices, joints, landmarks;
    int dynIndex = -1;
};

RowMatX3f rows3(const io::NdArray& a) {
    const auto v = a.toFloat();
    return Eigen::Map<const RowMatX3f>(v.data(), static_cast<Eigen::Index>(v.size() / 3), 3);
}

RefCase loadRefCase(int k) {
    auto npz = io::loadNpzFile(fixturePath("ref_case" + std::to_string(k) + ".npz"));
    auto vec = [&](const char* key) {
        const auto v = npz.at(key).array.toFloat();
        return Eigen::VectorXf(Eigen::Map<const Eigen::VectorXf>(v.data(), static_cast<Eigen::Index>(v.size())));
    };
    RefCase c;
    c.params.shape = vec("shape");
    c.params.expr = vec("expr");
    c.params.pose = vec("pose");
    c.params.transl = vec("transl");
    c.vertices = rows3(npz.at("vertices").array);
    c.joints = rows3(npz.at("joints").array);
    c.landmarks = rows3(npz.at("landmarks").array);
    c.dynIndex = static_cast<int>(npz.at("dyn_index").array.toInt64().at(0));
    return c;
}

constexpr int kNumRefCases = 5;
constexpr float kTol = 2e-6f;  // float32 forward vs float64 reference, ~0.1 m coordinates

}  // namespace

TEST(FlameLoader, ReadsPython2PickleWithChumpyAndCsc) {
    const HeadModel m = loadHeadModelFile(fixturePath("generic_model.pkl"));
    EXPECT_EQ(m.numVertices(), 200);
    EXPECT_EQ(m.numFaces(), 396);
    EXPECT_EQ(m.numShape(), 300);
    EXPECT_EQ(m.numExpr(), 100);
    EXPECT_EQ(m.posedirs.cols(), kNumPoseFeatures);
    EXPECT_EQ((std::array<int, 5>{-1, 0, 1, 1, 1}), m.parents);
    // J_regressor came from a csc matrix: rows are convex combinations.
    for (int j = 0; j < kNumJoints; ++j) EXPECT_NEAR(m.jRegressor.row(j).sum(), 1.0f, 1e-5f);
    EXPECT_FALSE(m.hasUv());
    EXPECT_TRUE(m.landmarks.empty());
}

TEST(FlameLoader, Flame2023PickleAndNpzCarryTheSameArrays) {
    const HeadModel a = loadHeadModelFile(fixturePath("generic_model.pkl"));
    for (const char* other : {"flame2023.pkl", "generic_model.npz"}) {
        const HeadModel b = loadHeadModelFile(fixturePath(other));
        EXPECT_EQ(a.vTemplate, b.vTemplate) << other;
        EXPECT_EQ(a.shapedirs, b.shapedirs) << other;
        EXPECT_EQ(a.exprdirs, b.exprdirs) << other;
        EXPECT_EQ(a.posedirs, b.posedirs) << other;
        EXPECT_EQ(a.jRegressor, b.jRegressor) << other;
        EXPECT_EQ(a.weights, b.weights) << other;
        EXPECT_EQ(a.faces, b.faces) << other;
        EXPECT_EQ(a.parents, b.parents) << other;
    }
}

TEST(FlameLoader, PosesMatchIndependentNumpyReference) {
    const HeadModel m = loadFullFixtureModel();
    ASSERT_EQ(m.landmarks.count(), kNumLandmarks);
    for (int k = 0; k < kNumRefCases; ++k) {
        const RefCase c = loadRefCase(k);
        const HeadPose p = forward(m, c.params);
        EXPECT_EQ(p.contourBin, c.dynIndex) << "case " << k;
        EXPECT_LT((p.vertices - c.vertices).cwiseAbs().maxCoeff(), kTol) << "case " << k;
        EXPECT_LT((p.joints - c.joints).cwiseAbs().maxCoeff(), kTol) << "case " << k;
        EXPECT_LT((p.landmarks - c.landmarks).cwiseAbs().maxCoeff(), kTol) << "case " << k;
    }
}

TEST(FlameLoader, BatchedForwardMatchesReferenceToo) {
    const HeadModel m = loadFullFixtureModel();
    std::vector<RefCase> cases;
    std::vector<HeadParams> params;
    for (int k = 0; k < kNumRefCases; ++k) {
        cases.push_back(loadRefCase(k));
        params.push_back(cases.back().params);
    }
    const auto out = forwardBatch(m, params);
    for (int k = 0; k < kNumRefCases; ++k)
        EXPECT_LT((out[k].vertices - cases[k].vertices).cwiseAbs().maxCoeff(), kTol) << "case " << k;
}

TEST(FlameLoader, DecaEmbeddingMatchesFlameFilesAndOffersFull68) {
    const HeadModel flame = loadFullFixtureModel();
    HeadModel deca = loadHeadModelFile(fixturePath("generic_model.pkl"));
    attachLandmarkFile(deca, fixturePath("landmark_embedding.npy"));
    EXPECT_EQ(deca.landmarks.staticFaces, flame.landmarks.staticFaces);
    EXPECT_EQ(deca.landmarks.dynamicFaces, flame.landmarks.dynamicFaces);
    EXPECT_TRUE(deca.landmarks.dynamicBary.isApprox(flame.landmarks.dynamicBary));

    HeadModel full = loadHeadModelFile(fixturePath("generic_model.pkl"));
    attachLandmarkFile(full, fixturePath("landmark_embedding.npy"), /*preferFull68=*/true);
    EXPECT_FALSE(full.landmarks.hasDynamicContour());
    ASSERT_EQ(full.landmarks.count(), kNumLandmarks);
    // The fixture's full 68 is contour bin 0 followed by the static 51, so a
    // frontal pose gives the same landmarks either way.
    const RefCase c = loadRefCase(0);
    EXPECT_LT((forward(full, c.params).landmarks - c.landmarks).cwiseAbs().maxCoeff(), kTol);
}

TEST(FlameLoader, DynamicEmbeddingNeedsStaticFirst) {
    HeadModel m = loadHeadModelFile(fixturePath("generic_model.pkl"));
    try {
        attachLandmarkFile(m, fixturePath("flame_dynamic_embedding.npy"));
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("flame_static_embedding.pkl"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(m.landmarks.empty()) << "a failed attach must leave the model unchanged";
}

TEST(FlameLoader, MasksAndUvTemplate) {
    HeadModel m = loadFullFixtureModel();
    attachFlameMasks(m, fixturePath("FLAME_masks.pkl"));
    ASSERT_EQ(m.regions.count("nose"), 1u);
    EXPECT_EQ(m.regions.at("nose").size(), 3u);
    EXPECT_EQ(m.regions.at("scalp").size(), 76u);
    attachUvTemplate(m, fixturePath("head_template.obj"));
    EXPECT_EQ(m.uv.rows(), 211);
    EXPECT_EQ(m.uvFaces.rows(), m.numFaces());
    // Parse the OBJ by hand: face f's vt indices must map to the same UVs.
    std::ifstream obj(fixturePath("head_template.obj"));
    std::vector<Eigen::Vector2f> vt;
    std::string line;
    int face = 0;
    while (std::getline(obj, line)) {
        if (line.rfind("vt ", 0) == 0) {
            float u, v;
            std::sscanf(line.c_str() + 3, "%f %f", &u, &v);
            vt.emplace_back(u, v);
        } else if (line.rfind("f ", 0) == 0) {
            int a[3], t[3];
            ASSERT_EQ(std::sscanf(line.c_str() + 2, "%d/%d %d/%d %d/%d", &a[0], &t[0], &a[1], &t[1], &a[2], &t[2]), 6);
            for (int k = 0; k < 3; ++k) {
                EXPECT_EQ(m.faces(face, k), a[k] - 1);
                EXPECT_TRUE(m.uv.row(m.uvFaces(face, k)).transpose().isApprox(vt[t[k] - 1], 1e-6f)) << face;
            }
            ++face;
        }
    }
    EXPECT_EQ(face, 396);
}

TEST(FlameLoader, ArraysSharedBetweenKeysReachEveryKey) {
    // pickle.dumps({'shared_a': a, 'shared_b': a, 'own': b}, protocol=3) with
    // a = arange(6) and b = [7, 8] (int64): the second use of `a` is a memo
    // reference to the same value, which the loader moves its arrays out of.
    const std::string bytes(
        "\200\003}q\000(X\010\000\000\000shared_aq\001cnumpy.core.multiarray\012_reconstruct\012q\002cnumpy"
        "\012ndarray\012q\003K\000\205q\004C\001bq\005\207q\006Rq\007(K\001K\006\205q\010cnumpy\012dtype\012q"
        "\011X\002\000\000\000i8q\012\211\210\207q\013Rq\014(K\003X\001\000\000\000<q\015NNNJ\377\377\377\377"
        "J\377\377\377\377K\000tq\016b\211C0\000\000\000\000\000\000\000\000\001\000\000\000\000\000\000\000"
        "\002\000\000\000\000\000\000\000\003\000\000\000\000\000\000\000\004\000\000\000\000\000\000\000\005"
        "\000\000\000\000\000\000\000q\017tq\020bX\010\000\000\000shared_bq\021h\007X\003\000\000\000ownq\022"
        "h\002h\003K\000\205q\023h\005\207q\024Rq\025(K\001K\002\205q\026h\014\211C\020\007\000\000\000\000"
        "\000\000\000\010\000\000\000\000\000\000\000q\027tq\030bu.",
        300);
    testutil::TempDir dir;
    const std::string path = dir.file("shared_masks.pkl");
    io::writeFileAtomic(path, bytes);
    HeadModel m = loadHeadModelFile(fixturePath("generic_model.pkl"));
    attachFlameMasks(m, path);
    const std::vector<std::int32_t> arange{0, 1, 2, 3, 4, 5};
    EXPECT_EQ(m.regions.at("shared_a"), arange);
    EXPECT_EQ(m.regions.at("shared_b"), arange);
    EXPECT_EQ(m.regions.at("own"), (std::vector<std::int32_t>{7, 8}));
}

TEST(FlameLoader, UvTemplateOfAnotherMeshIsRejected) {
    HeadModel m = loadHeadModelFile(fixturePath("generic_model.pkl"));
    testutil::TempDir dir;
    const std::string bad = dir.file("other.obj");
    {
        std::ofstream o(bad);
        o << "v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 0 1\nf 1/1 2/2 3/3\n";
    }
    EXPECT_THROW(attachUvTemplate(m, bad), std::runtime_error);
    EXPECT_FALSE(m.hasUv());
}

TEST(FlameLoader, SafetensorsRoundTripKeepsEverything) {
    HeadModel m = loadFullFixtureModel();
    attachFlameMasks(m, fixturePath("FLAME_masks.pkl"));
    attachUvTemplate(m, fixturePath("head_template.obj"));
    testutil::TempDir dir;
    saveHeadModel(dir.file("flame.safetensors"), m);
    const HeadModel r = loadHeadModelFile(dir.file("flame.safetensors"));
    EXPECT_EQ(r.name, m.name);
    EXPECT_EQ(r.vTemplate, m.vTemplate);
    EXPECT_EQ(r.shapedirs, m.shapedirs);
    EXPECT_EQ(r.exprdirs, m.exprdirs);
    EXPECT_EQ(r.posedirs, m.posedirs);
    EXPECT_EQ(r.jRegressor, m.jRegressor);
    EXPECT_EQ(r.weights, m.weights);
    EXPECT_EQ(r.faces, m.faces);
    EXPECT_EQ(r.uv, m.uv);
    EXPECT_EQ(r.uvFaces, m.uvFaces);
    EXPECT_EQ(r.landmarks.staticFaces, m.landmarks.staticFaces);
    EXPECT_EQ(r.landmarks.staticBary, m.landmarks.staticBary);
    EXPECT_EQ(r.landmarks.dynamicFaces, m.landmarks.dynamicFaces);
    EXPECT_EQ(r.landmarks.dynamicBary, m.landmarks.dynamicBary);
    EXPECT_EQ(r.regions, m.regions);
    const RefCase c = loadRefCase(1);
    EXPECT_LT((forward(r, c.params).landmarks - c.landmarks).cwiseAbs().maxCoeff(), kTol);
    // Deterministic: saving again gives the same bytes.
    saveHeadModel(dir.file("again.safetensors"), r);
    EXPECT_EQ(io::readFileBytes(dir.file("flame.safetensors")), io::readFileBytes(dir.file("again.safetensors")));
}

TEST(FlameLoader, TruncatedAndCorruptPicklesFailCleanly) {
    const auto bytes = io::readFileBytes(fixturePath("generic_model.pkl"));
    testutil::TempDir dir;
    const std::string path = dir.file("cut.pkl");
    // A spread of cut points, including inside the big shapedirs payload.
    for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{50}, bytes.size() / 7,
                            bytes.size() / 3, bytes.size() / 2, bytes.size() - 2, bytes.size() - 1}) {
        io::writeFileAtomic(path, bytes.data(), cut);
        try {
            loadHeadModelFile(path);
            ADD_FAILURE() << "truncation at " << cut << " was accepted";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        }
    }
}

TEST(FlameLoader, HostilePickleGlobalIsRefused) {
    testutil::TempDir dir;
    const std::string path = dir.file("evil.pkl");
    // protocol 2: GLOBAL 'os system', ('echo pwned',), REDUCE, STOP
    using namespace std::string_literals;
    const std::string evil = "\x80\x02"s + "cos\nsystem\nq\x00U\x0a"s + "echo pwnedq\x01\x85q\x02Rq\x03."s;
    io::writeFileAtomic(path, evil);
    try {
        loadHeadModelFile(path);
        FAIL() << "expected refusal";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("os.system"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
}

TEST(FlameLoader, MissingFieldAndUnknownExtension) {
    testutil::TempDir dir;
    io::writeFileAtomic(dir.file("empty.pkl"), std::string("\x80\x02}q\x00.", 6));
    try {
        loadHeadModelFile(dir.file("empty.pkl"));
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("v_template: missing"), std::string::npos) << e.what();
    }
    EXPECT_THROW(loadHeadModelFile(dir.file("model.fbx")), std::runtime_error);
    EXPECT_THROW(loadHeadModelFile(dir.file("absent.safetensors")), std::runtime_error);
}
