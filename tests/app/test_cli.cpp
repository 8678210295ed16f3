// End-to-end tests of the `synthforge` binary: they run the real executable
// (SYNTHFORGE_CLI) on the generated FLAME-structured fixture and check exit
// codes, messages and the files it writes against the in-process forward pass.

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/head/default_head/model_source.h"
#include "core/head/head_model_io.h"
#include "core/head/head_params_io.h"
#include "core/head/lbs.h"
#include "core/head/posed_mesh.h"
#include "core/io/mesh_io.h"
#include "tests/support/mesh_order_check.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace synthforge;

namespace {

struct CmdResult {
    int code = -1;
    std::string out, err;
};

std::string shellQuote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'') q += "'\\''";
        else q += c;
    }
    return q + "'";
}

std::string readText(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string fixture(const std::string& name) { return (fs::path(SYNTHFORGE_FIXTURE_DIR) / name).string(); }

/// Each test works in its own temporary directory, removed afterwards.
class Cli : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("synthforge_cli_" + std::string(info->name()) + "_" + std::to_string(::getpid()) + "_" +
                std::to_string(counter++));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        ASSERT_TRUE(fs::is_regular_file(fixture("generic_model.pkl")))
            << "fixture missing in " << SYNTHFORGE_FIXTURE_DIR << " (run ctest so generate_flame_fixture runs first)";
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    /// Runs synthforge with the given (unquoted) arguments in the temp dir.
    CmdResult run(const std::vector<std::string>& args) const {
        // A private cache dir keeps the built-in default head's cache out of $HOME.
        std::string cmd = "cd " + shellQuote(dir_.string()) +
                          " && SYNTHFORGE_CACHE_DIR=" + shellQuote((dir_ / "cache").string()) + " " +
                          shellQuote(SYNTHFORGE_CLI);
        for (const auto& a : args) cmd += " " + shellQuote(a);
        const fs::path outFile = dir_ / ".stdout", errFile = dir_ / ".stderr";
        cmd += " >" + shellQuote(outFile.string()) + " 2>" + shellQuote(errFile.string());
        const int status = std::system(cmd.c_str());
        CmdResult r;
        if (status != -1 && WIFEXITED(status)) r.code = WEXITSTATUS(status);
        else r.code = -1000 - (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        r.out = readText(outFile);
        r.err = readText(errFile);
        fs::remove(outFile);
        fs::remove(errFile);
        return r;
    }

    /// `head convert` of the full fixture into m.safetensors; returns its path.
    std::string convertModel() {
        const std::string out = path("m.safetensors");
        const CmdResult r = run({"head", "convert", fixture("generic_model.pkl"), "--landmarks",
                                 fixture("flame_static_embedding.pkl"), "--landmarks",
                                 fixture("flame_dynamic_embedding.npy"), "--masks", fixture("FLAME_masks.pkl"),
                                 "--uv", fixture("head_template.obj"), "-o", out});
        EXPECT_EQ(r.code, 0) << r.err;
        EXPECT_TRUE(fs::is_regular_file(out));
        return out;
    }

    void writeFile(const std::string& name, const std::string& text) const {
        std::ofstream(dir_ / name, std::ios::binary) << text;
    }

    fs::path dir_;
};

std::string describe(const CmdResult& r) { return "exit " + std::to_string(r.code) + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err; }

/// Canonical rotation of a triangle (smallest index first, winding kept).
std::array<int, 3> canonical(int a, int b, int c) {
    if (b < a && b < c) return {b, c, a};
    if (c < a && c < b) return {c, a, b};
    return {a, b, c};
}

/// Checks that an imported mesh is the posed head: same position set (each
/// imported position within tol of a forward vertex and vice versa), same
/// bbox, and the model's triangles with winding.
void expectMeshMatchesForward(const io::TriMesh& mesh, const head::HeadModel& model, const head::HeadPose& posed,
                              float tol) {
    const Eigen::Index V = posed.vertices.rows();
    ASSERT_EQ(mesh.positions.rows(), V) << "welded position count";
    ASSERT_EQ(mesh.faces.rows(), model.numFaces());
    std::vector<int> toModel(static_cast<std::size_t>(mesh.positions.rows()), -1);
    float worst = 0.0f;
    for (Eigen::Index i = 0; i < mesh.positions.rows(); ++i) {
        Eigen::Index best = -1;
        const float d = std::sqrt((posed.vertices.rowwise() - mesh.positions.row(i)).rowwise().squaredNorm().minCoeff(&best));
        worst = std::max(worst, (posed.vertices.row(best) - mesh.positions.row(i)).cwiseAbs().maxCoeff());
        (void)d;
        toModel[static_cast<std::size_t>(i)] = static_cast<int>(best);
    }
    EXPECT_LE(worst, tol) << "an exported position is not within " << tol << " of any forward vertex";
    // Bijective: every forward vertex is hit exactly once.
    std::vector<int> sorted = toModel;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_TRUE(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end()) << "two positions map to one vertex";

    const Eigen::RowVector3f lo = mesh.positions.colwise().minCoeff(), hi = mesh.positions.colwise().maxCoeff();
    const Eigen::RowVector3f flo = posed.vertices.colwise().minCoeff(), fhi = posed.vertices.colwise().maxCoeff();
    EXPECT_LE((lo - flo).cwiseAbs().maxCoeff(), tol) << "bbox min " << lo << " vs " << flo;
    EXPECT_LE((hi - fhi).cwiseAbs().maxCoeff(), tol) << "bbox max " << hi << " vs " << fhi;

    std::vector<std::array<int, 3>> got, want;
    for (Eigen::Index f = 0; f < mesh.faces.rows(); ++f)
        got.push_back(canonical(toModel[mesh.faces(f, 0)], toModel[mesh.faces(f, 1)], toModel[mesh.faces(f, 2)]));
    for (Eigen::Index f = 0; f < model.faces.rows(); ++f)
        want.push_back(canonical(model.faces(f, 0), model.faces(f, 1), model.faces(f, 2)));
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_TRUE(got == want) << "triangles (with winding) differ from the model's";
}

std::string poseJawOpen() { return "0,0,0, 0,0,0, 0.3,0,0, 0,0,0, 0,0,0"; }

}  // namespace

// --- usage ------------------------------------------------------------------

TEST_F(Cli, HelpListsHeadAndPoseOptions) {
    const CmdResult top = run({"--help"});
    EXPECT_EQ(top.code, 0) << describe(top);
    EXPECT_NE(top.out.find("head"), std::string::npos) << top.out;

    const CmdResult pose = run({"head", "pose", "--help"});
    EXPECT_EQ(pose.code, 0) << describe(pose);
    EXPECT_NE(pose.out.find("--shape"), std::string::npos) << pose.out;
    EXPECT_NE(pose.out.find("--pose"), std::string::npos) << pose.out;
    EXPECT_NE(pose.out.find("--output"), std::string::npos) << pose.out;
}

TEST_F(Cli, UsageErrorsExitTwo) {
    const CmdResult none = run({});
    EXPECT_EQ(none.code, 2) << describe(none);
    EXPECT_FALSE(none.err.empty());

    // At the top level CLI11 reports the missing subcommand first; below a
    // subcommand the unknown option itself is named.
    const CmdResult unknownTop = run({"--no-such-option"});
    EXPECT_EQ(unknownTop.code, 2) << describe(unknownTop);
    EXPECT_FALSE(unknownTop.err.empty());
    const CmdResult unknown = run({"head", "info", "--no-such-option", fixture("generic_model.pkl")});
    EXPECT_EQ(unknown.code, 2) << describe(unknown);
    EXPECT_NE(unknown.err.find("--no-such-option"), std::string::npos) << unknown.err;
    EXPECT_TRUE(unknown.out.empty()) << "info ran despite the bad option: " << unknown.out;

    const CmdResult noOut = run({"head", "pose", fixture("generic_model.pkl")});
    EXPECT_EQ(noOut.code, 2) << describe(noOut);
    EXPECT_NE(noOut.err.find("--output"), std::string::npos) << noOut.err;

    const CmdResult unknownSub = run({"head", "explode"});
    EXPECT_EQ(unknownSub.code, 2) << describe(unknownSub);
}

// --- convert + info -----------------------------------------------------------

TEST_F(Cli, ConvertThenInfoJson) {
    const std::string m = convertModel();
    const CmdResult r = run({"head", "info", m, "--json"});
    ASSERT_EQ(r.code, 0) << describe(r);
    json j;
    ASSERT_NO_THROW(j = json::parse(r.out)) << r.out;
    EXPECT_EQ(j.at("vertices").get<int>(), 200);
    EXPECT_EQ(j.at("faces").get<int>(), 396);
    EXPECT_EQ(j.at("shape_components").get<int>(), 300);
    EXPECT_EQ(j.at("expression_components").get<int>(), 100);
    EXPECT_EQ(j.at("landmarks").get<int>(), 68);
    EXPECT_EQ(j.at("uv_coords").get<int>(), 211);
    EXPECT_TRUE(j.at("pose_correctives").get<bool>());
    ASSERT_TRUE(j.at("regions").is_object());
    ASSERT_TRUE(j["regions"].contains("nose")) << j["regions"].dump();
    EXPECT_GT(j["regions"]["nose"].get<int>(), 0);
    EXPECT_NE(j.at("landmark_layout").get<std::string>().find("79 bins"), std::string::npos);

    // The text form prints the same counts.
    const CmdResult text = run({"head", "info", m});
    EXPECT_EQ(text.code, 0) << describe(text);
    EXPECT_NE(text.out.find("200"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("nose"), std::string::npos) << text.out;
}

// --- pose ---------------------------------------------------------------------

TEST_F(Cli, PoseObjMatchesInProcessForward) {
    const std::string m = convertModel();
    const CmdResult r = run({"head", "pose", m, "--shape", "1,-0.5", "--expr", "0.3", "--pose", poseJawOpen(), "-o",
                             "posed.obj"});
    ASSERT_EQ(r.code, 0) << describe(r);
    ASSERT_TRUE(fs::is_regular_file(path("posed.obj")));
    ASSERT_TRUE(fs::is_regular_file(path("posed.obj.json")));

    const head::HeadModel model = head::loadHeadModel(m);
    head::HeadParams params;
    params.shape = head::parseNumberList("1,-0.5", "shape");
    params.expr = head::parseNumberList("0.3", "expr");
    params.pose = head::parseNumberList(poseJawOpen(), "pose");
    const head::HeadPose posed = head::forward(model, params);
    // The jaw really opened: the posed mesh differs from the shaped rest mesh.
    head::HeadParams restParams = params;
    restParams.pose.setZero();
    EXPECT_GT((head::forward(model, restParams).vertices - posed.vertices).cwiseAbs().maxCoeff(), 1e-3f);

    const io::TriMesh mesh = io::importMesh(path("posed.obj"));
    EXPECT_EQ(mesh.faces.rows(), 396);
    ASSERT_GT(mesh.uv.rows(), 0) << "OBJ lost its UVs";
    EXPECT_EQ(mesh.uv.rows(), 211);
    EXPECT_EQ(mesh.uvFaces.rows(), 396);
    expectMeshMatchesForward(mesh, model, posed, 1e-5f);

    const json s = json::parse(readText(path("posed.obj.json")));
    ASSERT_TRUE(s.at("landmarks").is_array());
    ASSERT_EQ(s["landmarks"].size(), 68u);
    float lmErr = 0.0f;
    for (int i = 0; i < 68; ++i)
        for (int c = 0; c < 3; ++c) lmErr = std::max(lmErr, std::fabs(s["landmarks"][i][c].get<float>() - posed.landmarks(i, c)));
    EXPECT_LE(lmErr, 1e-6f);
    EXPECT_EQ(s.at("contour_bin").get<int>(), posed.contourBin);
    ASSERT_EQ(s.at("joints").size(), 5u);
    EXPECT_NEAR(s["joints"][2][1].get<float>(), posed.joints(2, 1), 1e-6f);
    EXPECT_EQ(s.at("params").at("shape").size(), 2u);
    EXPECT_FLOAT_EQ(s["params"]["shape"][1].get<float>(), -0.5f);
    EXPECT_FLOAT_EQ(s["params"]["pose"][6].get<float>(), 0.3f);
    EXPECT_EQ(s.at("model").at("vertices").get<int>(), 200);
    for (int c = 0; c < 3; ++c) {
        EXPECT_NEAR(s.at("bbox_min")[c].get<float>(), posed.vertices.col(c).minCoeff(), 1e-6f);
        EXPECT_NEAR(s.at("bbox_max")[c].get<float>(), posed.vertices.col(c).maxCoeff(), 1e-6f);
    }
    EXPECT_NE(r.out.find("posed.obj"), std::string::npos) << r.out;
}

TEST_F(Cli, ParamsFileDatasetKeys) {
    const std::string m = convertModel();
    const std::string text = R"({"flame_shape": [0.5, -1.0, 0.25, 2.0],
                                 "flame_exp": [1.0, -0.5],
                                 "flame_pose": [0.05, -0.1, 0.0, 0.2, 0.0, 0.01]})";
    writeFile("p.json", text);
    const CmdResult r = run({"head", "pose", m, "--params", "p.json", "-o", "fromfile.obj", "--summary", "s.json"});
    ASSERT_EQ(r.code, 0) << describe(r);
    ASSERT_TRUE(fs::is_regular_file(path("s.json")));
    EXPECT_FALSE(fs::exists(path("fromfile.obj.json"))) << "--summary ignored";

    const head::HeadModel model = head::loadHeadModel(m);
    const head::HeadParams params = head::parseHeadParamsJson(text, "p.json");
    EXPECT_FLOAT_EQ(params.pose[3 * head::kJaw], 0.2f);  // DECA layout: global then jaw
    const head::HeadPose posed = head::forward(model, params);
    expectMeshMatchesForward(io::importMesh(path("fromfile.obj")), model, posed, 1e-5f);

    const json s = json::parse(readText(path("s.json")));
    ASSERT_EQ(s.at("params").at("pose").size(), 15u);
    EXPECT_FLOAT_EQ(s["params"]["pose"][6].get<float>(), 0.2f);
    EXPECT_FLOAT_EQ(s["params"]["pose"][1].get<float>(), -0.1f);
    EXPECT_FLOAT_EQ(s["params"]["pose"][3].get<float>(), 0.0f);  // neck untouched
    EXPECT_EQ(s["params"]["shape"].size(), 4u);

    // Command-line values override the file's.
    const CmdResult o = run({"head", "pose", m, "--params", "p.json", "--shape", "0", "-o", "override.obj"});
    ASSERT_EQ(o.code, 0) << describe(o);
    const json so = json::parse(readText(path("override.obj.json")));
    EXPECT_EQ(so["params"]["shape"].size(), 1u);
    EXPECT_EQ(so["params"]["expr"].size(), 2u);
}

TEST_F(Cli, PlyAndGlbOutputsReimport) {
    const std::string m = convertModel();
    const head::HeadModel model = head::loadHeadModel(m);
    head::HeadParams params;
    params.shape = head::parseNumberList("0.7,0.2,-1", "shape");
    params.pose = head::parseNumberList("0,0.2,0, 0,0,0, 0.25,0,0, 0,0,0, 0,0,0", "pose");
    params.transl = Eigen::Vector3f(0.01f, 0.0f, -0.02f);
    const head::HeadPose posed = head::forward(model, params);

    for (const std::string name : {"posed.ply", "posed.glb"}) {
        SCOPED_TRACE(name);
        const CmdResult r = run({"head", "pose", m, "--shape", "0.7,0.2,-1", "--pose",
                                 "0,0.2,0, 0,0,0, 0.25,0,0, 0,0,0, 0,0,0", "--transl", "0.01,0,-0.02", "-o", name});
        ASSERT_EQ(r.code, 0) << describe(r);
        ASSERT_TRUE(fs::is_regular_file(path(name)));
        EXPECT_GT(fs::file_size(path(name)), 200u * 12u);
        EXPECT_TRUE(fs::is_regular_file(path(name + ".json")));
        const io::TriMesh mesh = io::importMesh(path(name));
        EXPECT_EQ(mesh.faces.rows(), 396);
        // Assimp's PLY reader keeps one UV per vertex and merges our per-corner
        // texcoord lists at seams; PoseOutputsKeepModelVertexOrder checks PLY UVs exactly.
        if (name == "posed.glb") EXPECT_EQ(mesh.uv.rows(), 211) << "UVs not carried through " << name;
        else EXPECT_GT(mesh.uv.rows(), 0) << "UVs not carried through " << name;
        expectMeshMatchesForward(mesh, model, posed, 1e-5f);
    }
}

// Users index FLAME vertices by number: vertex i of every file `head pose`
// writes is forward vertex i, read back in file order (not through Assimp).
TEST_F(Cli, PoseOutputsKeepModelVertexOrder) {
    const std::string m = convertModel();
    const head::HeadModel model = head::loadHeadModel(m);
    head::HeadParams params;
    params.shape = head::parseNumberList("0.7,0.2,-1", "shape");
    params.pose = head::parseNumberList(poseJawOpen(), "pose");
    const io::TriMesh want = head::meshWithModelLayout(model, head::forward(model, params).vertices);
    for (const std::string ext : {".obj", ".ply", ".gltf", ".glb"}) {
        SCOPED_TRACE(ext);
        const CmdResult r = run({"head", "pose", m, "--shape", "0.7,0.2,-1", "--pose", poseJawOpen(), "-o", "o" + ext});
        ASSERT_EQ(r.code, 0) << describe(r);
        EXPECT_EQ(testutil::vertexOrderMismatch(testutil::readMeshInFileOrder(path("o" + ext)), want, ext), "");
    }
    const CmdResult d = run({"head", "pose", "default", "--expr", "0.5", "-o", "d.glb"});
    ASSERT_EQ(d.code, 0) << describe(d);
    const head::HeadModel def = head::loadHeadModel("default");
    head::HeadParams dp;
    dp.expr = head::parseNumberList("0.5", "expr");
    EXPECT_EQ(testutil::vertexOrderMismatch(testutil::readMeshInFileOrder(path("d.glb")),
                                            head::meshWithModelLayout(def, head::forward(def, dp).vertices), ".glb"),
              "");
}

TEST_F(Cli, PoseIntoAnUnwritablePlaceNamesTheFile) {
    const std::string m = convertModel();
    writeFile("a_file", "x");
    for (const std::string& out : {path("a_file/posed.obj"), path("no_dir/posed.ply")}) {
        const CmdResult r = run({"head", "pose", m, "-o", out});
        EXPECT_EQ(r.code, 1) << describe(r);
        EXPECT_NE(r.err.find(out), std::string::npos) << r.err;
        EXPECT_FALSE(fs::exists(out + ".json")) << "a summary without its mesh";
    }
}

TEST_F(Cli, NoPoseCorrectivesChangesTheMesh) {
    const std::string m = convertModel();
    const std::vector<std::string> base = {"head", "pose", m, "--pose", poseJawOpen()};
    auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> a = base;
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    };
    ASSERT_EQ(run(with({"-o", "a.obj"})).code, 0);
    ASSERT_EQ(run(with({"--no-pose-correctives", "-o", "b.obj"})).code, 0);
    const head::HeadModel model = head::loadHeadModel(m);
    head::HeadParams params;
    params.pose = head::parseNumberList(poseJawOpen(), "pose");
    head::ForwardOptions noCorr;
    noCorr.poseCorrectives = false;
    expectMeshMatchesForward(io::importMesh(path("b.obj")), model, head::forward(model, params, noCorr), 1e-5f);
    const io::TriMesh a = io::importMesh(path("a.obj"));
    expectMeshMatchesForward(a, model, head::forward(model, params), 1e-5f);
}

// --- error paths: exit 1, message on stderr naming the problem -----------------

TEST_F(Cli, MissingModelFileNamesThePath) {
    const std::string missing = path("no_such_model.pkl");
    const CmdResult r = run({"head", "pose", missing, "-o", "x.obj"});
    EXPECT_EQ(r.code, 1) << describe(r);
    EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(path("x.obj")));

    const CmdResult info = run({"head", "info", missing});
    EXPECT_EQ(info.code, 1) << describe(info);
    EXPECT_NE(info.err.find(missing), std::string::npos) << info.err;
}

TEST_F(Cli, TooManyShapeValues) {
    const std::string m = convertModel();
    std::string shape;
    for (int i = 0; i < 301; ++i) shape += (i ? "," : "") + std::string("0.1");
    const CmdResult r = run({"head", "pose", m, "--shape", shape, "-o", "x.obj"});
    EXPECT_EQ(r.code, 1) << describe(r);
    EXPECT_NE(r.err.find("shape has 301 values"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("300"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(path("x.obj")));

    // Exactly 300 is fine.
    shape = shape.substr(0, shape.size() - 4);
    const CmdResult ok = run({"head", "pose", m, "--shape", shape, "-o", "ok.obj"});
    EXPECT_EQ(ok.code, 0) << describe(ok);
}

TEST_F(Cli, PoseWithFourteenValues) {
    const std::string m = convertModel();
    const CmdResult r = run({"head", "pose", m, "--pose", "0,0,0,0,0,0,0.3,0,0,0,0,0,0,0", "-o", "x.obj"});
    EXPECT_EQ(r.code, 1) << describe(r);
    EXPECT_NE(r.err.find("--pose"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("15"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("found 14"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(path("x.obj")));
}

TEST_F(Cli, NanInShapeRejected) {
    const std::string m = convertModel();
    const CmdResult r = run({"head", "pose", m, "--shape", "1,nan", "-o", "x.obj"});
    EXPECT_EQ(r.code, 1) << describe(r);
    EXPECT_NE(r.err.find("--shape"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("not a finite number"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(path("x.obj")));

    const CmdResult garbage = run({"head", "pose", m, "--expr", "0.1,abc", "-o", "x.obj"});
    EXPECT_EQ(garbage.code, 1) << describe(garbage);
    EXPECT_NE(garbage.err.find("--expr"), std::string::npos) << garbage.err;
    EXPECT_NE(garbage.err.find("abc"), std::string::npos) << garbage.err;
}

TEST_F(Cli, BadParamsJson) {
    const std::string m = convertModel();
    writeFile("broken.json", R"({"shape": [1, 2)");
    const CmdResult r = run({"head", "pose", m, "--params", "broken.json", "-o", "x.obj"});
    EXPECT_EQ(r.code, 1) << describe(r);
    EXPECT_NE(r.err.find("broken.json"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("invalid JSON"), std::string::npos) << r.err;

    writeFile("string.json", R"({"shape": [0.5, "big", 1.0]})");
    const CmdResult s = run({"head", "pose", m, "--params", "string.json", "-o", "x.obj"});
    EXPECT_EQ(s.code, 1) << describe(s);
    EXPECT_NE(s.err.find("string.json"), std::string::npos) << s.err;
    EXPECT_NE(s.err.find("shape[1]"), std::string::npos) << s.err;
    EXPECT_NE(s.err.find("expected a number"), std::string::npos) << s.err;

    const CmdResult missing = run({"head", "pose", m, "--params", "absent.json", "-o", "x.obj"});
    EXPECT_EQ(missing.code, 1) << describe(missing);
    EXPECT_NE(missing.err.find("absent.json"), std::string::npos) << missing.err;
    EXPECT_FALSE(fs::exists(path("x.obj")));
}

// The built-in default head works everywhere a model path does.
TEST_F(Cli, DefaultModel) {
    const CmdResult info = run({"head", "info", "default", "--json"});
    ASSERT_EQ(info.code, 0) << describe(info);
    const json j = json::parse(info.out);
    const int faces = j.at("faces").get<int>(), numShape = j.at("shape_components").get<int>();
    EXPECT_GT(j.at("vertices").get<int>(), 0);
    EXPECT_GT(faces, 0);
    EXPECT_EQ(j.at("landmarks").get<int>(), 68);
    EXPECT_GE(numShape, 50);
    EXPECT_GE(j.at("expression_components").get<int>(), 20);

    const CmdResult r = run({"head", "pose", "default", "--shape", "1,-0.5", "--pose", poseJawOpen(), "-o", "x.obj"});
    ASSERT_EQ(r.code, 0) << describe(r);
    const io::TriMesh mesh = io::importMesh(path("x.obj"));
    EXPECT_EQ(mesh.faces.rows(), faces);
    EXPECT_EQ(mesh.positions.rows(), j.at("vertices").get<int>());
    const json s = json::parse(readText(path("x.obj.json")));
    EXPECT_EQ(s.at("landmarks").size(), 68u);
    // Cached on first use, in the directory SYNTHFORGE_CACHE_DIR names.
    bool cached = false;
    if (fs::is_directory(path("cache")))
        for (const auto& e : fs::directory_iterator(path("cache"))) cached |= e.path().extension() == ".safetensors";
    EXPECT_TRUE(cached) << "no .safetensors cache written under SYNTHFORGE_CACHE_DIR";
    // A second run (from the cache) gives the same mesh.
    ASSERT_EQ(run({"head", "pose", "default", "--shape", "1,-0.5", "--pose", poseJawOpen(), "-o", "y.obj"}).code, 0);
    const io::TriMesh again = io::importMesh(path("y.obj"));
    ASSERT_EQ(again.positions.rows(), mesh.positions.rows());
    EXPECT_EQ(again.positions, mesh.positions);

    // Its own limits are enforced: one coefficient too many.
    std::string shape;
    for (int i = 0; i <= numShape; ++i) shape += (i ? "," : "") + std::string("0.1");
    const CmdResult tooMany = run({"head", "pose", "default", "--shape", shape, "-o", "z.obj"});
    EXPECT_EQ(tooMany.code, 1) << describe(tooMany);
    EXPECT_NE(tooMany.err.find("shape has " + std::to_string(numShape + 1) + " values"), std::string::npos) << tooMany.err;
    EXPECT_FALSE(fs::exists(path("z.obj")));
}

TEST_F(Cli, TruncatedPickleFailsCleanly) {
    const std::string full = readText(fixture("generic_model.pkl"));
    ASSERT_GT(full.size(), 1000u);
    writeFile("truncated.pkl", full.substr(0, 1000));
    const CmdResult r = run({"head", "pose", path("truncated.pkl"), "-o", "x.obj"});
    EXPECT_EQ(r.code, 1) << describe(r);  // not a signal (negative) and not an abort
    EXPECT_NE(r.err.find("truncated.pkl"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(path("x.obj")));

    const CmdResult c = run({"head", "convert", path("truncated.pkl"), "-o", "t.safetensors"});
    EXPECT_EQ(c.code, 1) << describe(c);
    EXPECT_FALSE(fs::exists(path("t.safetensors")));
}

TEST_F(Cli, UnsupportedOutputExtension) {
    const std::string m = convertModel();
    const CmdResult r = run({"head", "pose", m, "-o", "x.xyz"});
    EXPECT_EQ(r.code, 1) << describe(r);
    EXPECT_NE(r.err.find(".xyz"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(path("x.xyz")));
    EXPECT_FALSE(fs::exists(path("x.xyz.json"))) << "summary written although the mesh failed";
}
