// Our .safetensors head model format: round trip and hostile content.

#include <gtest/gtest.h>

#include "core/head/head_model_io.h"
#include "core/head/lbs.h"
#include "core/io/file_util.h"
#include "core/io/safetensors.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_head.h"

using namespace synthforge;
using namespace synthforge::head;

namespace {

std::string loadError(const std::string& path) {
    try {
        loadHeadModelFile(path);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(HeadModelIo, TinyHeadRoundTripAndForwardAgree) {
    HeadModel m = testutil::makeTinyHeadWithContour();
    m.uv.resize(4, 2);
    m.uv << 0, 0, 1, 0, 0, 1, 1, 1;
    m.uvFaces = RowMatX3i::Zero(m.numFaces(), 3);
    m.uvFaces.col(1).setOnes();
    m.uvFaces.col(2).setConstant(3);
    m.regions["left_eye"] = {3, 8};
    testutil::TempDir dir;
    saveHeadModel(dir.file("t.safetensors"), m);
    const HeadModel r = loadHeadModelFile(dir.file("t.safetensors"));
    EXPECT_EQ(r.uv, m.uv);
    EXPECT_EQ(r.regions, m.regions);
    HeadParams p;
    p.shape = Eigen::VectorXf::Constant(3, 0.5f);
    p.pose[3 * kNeck + 1] = -0.4f;
    const HeadPose a = forward(m, p), b = forward(r, p);
    EXPECT_EQ(a.vertices, b.vertices);
    EXPECT_EQ(a.landmarks, b.landmarks);
    // Written with FLAME's names and metadata, readable by Python's safetensors.
    const auto f = io::loadSafetensorsFile(dir.file("t.safetensors"));
    for (const char* key : {"v_template", "shapedirs", "exprdirs", "posedirs", "J_regressor", "weights", "faces",
                            "uv", "uv_faces", "lmk_faces_idx", "lmk_b_coords", "dynamic_lmk_faces_idx",
                            "dynamic_lmk_b_coords", "parents", "region.left_eye"})
        EXPECT_EQ(f.tensors.count(key), 1u) << key;
    EXPECT_EQ(f.tensors.at("shapedirs").shape, (std::vector<std::int64_t>{10, 3, 4}));
    EXPECT_EQ(f.metadata.at("format_version"), "1");
    EXPECT_EQ(f.metadata.at("landmarks"), "static51+dynamic17");
}

class HeadModelIoHostile : public ::testing::Test {
protected:
    testutil::TempDir dir;
    io::SafetensorsFile good;
    void SetUp() override {
        saveHeadModel(dir.file("good.safetensors"), testutil::makeTinyHead());
        good = io::loadSafetensorsFile(dir.file("good.safetensors"));
    }
    std::string errorAfter(const std::function<void(io::SafetensorsFile&)>& edit) {
        io::SafetensorsFile f = good;
        edit(f);
        io::saveSafetensorsFile(dir.file("bad.safetensors"), f);
        return loadError(dir.file("bad.safetensors"));
    }
};

TEST_F(HeadModelIoHostile, WrongShapesDtypesAndIndicesAreNamed) {
    EXPECT_NE(errorAfter([](auto& f) { f.tensors.erase("weights"); }).find("weights: missing"), std::string::npos);
    EXPECT_NE(errorAfter([](auto& f) { f.tensors["v_template"].shape = {15, 2}; }).find("v_template: has shape (15, 2)"),
              std::string::npos);
    EXPECT_NE(errorAfter([](auto& f) { f.tensors["shapedirs"].shape = {4, 3, 10}; }).find("shapedirs"), std::string::npos);
    EXPECT_NE(errorAfter([](auto& f) {
                  f.tensors["faces"] = io::NdArray::fromFloat(std::vector<float>(24, 0.5f), {8, 3});
              }).find("faces: must hold integers"),
              std::string::npos);
    EXPECT_NE(errorAfter([](auto& f) {
                  std::vector<std::int32_t> faces(24, 1);
                  faces[5] = 1000;
                  f.tensors["faces"] = io::NdArray::fromInt32(faces, {8, 3});
              }).find("faces: index out of range"),
              std::string::npos);
    EXPECT_NE(errorAfter([](auto& f) {
                  auto v = f.tensors["v_template"].toFloat();
                  v[4] = std::nanf("");
                  f.tensors["v_template"] = io::NdArray::fromFloat(v, {10, 3});
              }).find("v_template: contains NaN"),
              std::string::npos);
    EXPECT_NE(errorAfter([](auto& f) { f.metadata.erase("format_version"); }).find("format_version"), std::string::npos);
    EXPECT_NE(errorAfter([](auto& f) { f.metadata["format_version"] = "99"; }).find("is 99"), std::string::npos);
    EXPECT_NE(errorAfter([](auto& f) {
                  f.tensors["parents"] = io::NdArray::fromInt32({-1, 0, 3, 1, 1}, {5});
              }).find("parents"),
              std::string::npos);
}

TEST_F(HeadModelIoHostile, TruncatedFilesNeverLoad) {
    const auto bytes = io::readFileBytes(dir.file("good.safetensors"));
    for (std::size_t cut = 0; cut < bytes.size(); cut += 37) {
        io::writeFileAtomic(dir.file("cut.safetensors"), bytes.data(), cut);
        EXPECT_NE(loadError(dir.file("cut.safetensors")), "") << "cut at " << cut;
    }
}
