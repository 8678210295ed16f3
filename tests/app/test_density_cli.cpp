// `synthforge density` as a user runs it: the iso-surface, the posed mesh and
// distances.json are written and read back, the iso-surface lies within a
// fraction of a cell of the mesh, and bad levels or resolutions fail clearly.

#include <gtest/gtest.h>

#include <csignal>
#include <chrono>
#include <filesystem>
#include <thread>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/mesh_io.h"
#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"

namespace fs = std::filesystem;

namespace {

using synthforge::testutil::readTextFile;

int run(const std::vector<std::string>& args, const fs::path& err, const fs::path& out = {}) {
    return synthforge::testutil::waitForExit(synthforge::testutil::startCli(args, err, out));
}

TEST(DensityCli, WritesTheIsoSurfaceMeshAndDistances) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt", log = dir.path / "out.txt", out = dir.path / "d";
    ASSERT_EQ(run({"density", "--head", "default", "--seed", "1", "--index", "2", "--resolution", "40", "--out",
                   out.string(), "--progress", "none"},
                  err, log),
              0)
        << readTextFile(err);
    const std::string report = readTextFile(log);
    EXPECT_NE(report.find("iso-surface ->"), std::string::npos) << report;
    EXPECT_NE(report.find("the generator's surface level"), std::string::npos) << report;

    const synthforge::io::TriMesh iso = synthforge::io::importMesh((out / "isosurface.obj").string());
    const synthforge::io::TriMesh mesh = synthforge::io::importMesh((out / "mesh.obj").string());
    EXPECT_GT(iso.faces.rows(), 1000);
    EXPECT_GT(mesh.faces.rows(), 1000);

    const nlohmann::json j = nlohmann::json::parse(readTextFile(out / "distances.json"));
    EXPECT_EQ(j.at("format"), "synthforge-density-check");
    EXPECT_FLOAT_EQ(j.at("level").get<float>(), 50.0f);  // 1 / (2 * 0.01)
    EXPECT_EQ(j.at("isosurface").at("faces").get<long>(), iso.faces.rows());
    const auto perVertex = j.at("mesh_to_surface").at("per_vertex").get<std::vector<float>>();
    EXPECT_EQ(perVertex.size(), j.at("mesh").at("vertices").get<std::size_t>());
    const double cell = j.at("grid").at("cell").get<double>();
    EXPECT_GT(cell, 0.0);
    // The procedural density is the mesh's own: the iso-surface lies on it.
    EXPECT_LT(j.at("surface_to_mesh").at("mean").get<double>(), 0.1 * cell);
    EXPECT_LT(j.at("surface_to_mesh").at("p95").get<double>(), 0.5 * cell);
    EXPECT_LT(j.at("mesh_to_surface").at("median").get<double>(), 0.25 * cell);
    EXPECT_GT(j.at("isosurface").at("volume").get<double>(), 0.0);
    EXPECT_NEAR(j.at("chamfer").get<double>(),
                0.5 * (j.at("mesh_to_surface").at("mean").get<double>() + j.at("surface_to_mesh").at("mean").get<double>()),
                1e-9);
}

TEST(DensityCli, PlyOnRequestAndClearErrors) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt", out = dir.path / "d";
    ASSERT_EQ(run({"density", "--resolution", "24", "--format", "ply", "--out", out.string(), "--progress", "none"}, err), 0)
        << readTextFile(err);
    EXPECT_TRUE(fs::exists(out / "isosurface.ply"));
    EXPECT_GT(synthforge::io::importMesh((out / "isosurface.ply").string()).faces.rows(), 100);

    const fs::path none = dir.path / "none";
    EXPECT_EQ(run({"density", "--resolution", "16", "--level", "1e6", "--out", none.string(), "--progress", "none"}, err), 1);
    EXPECT_NE(readTextFile(err).find("outside the field's range"), std::string::npos) << readTextFile(err);
    EXPECT_FALSE(fs::exists(none / "isosurface.obj"));
    EXPECT_EQ(run({"density", "--resolution", "0", "--out", none.string()}, err), 2);
    EXPECT_NE(readTextFile(err).find("--resolution"), std::string::npos) << readTextFile(err);
    EXPECT_EQ(run({"density", "--cell-size", "0.00001", "--out", none.string(), "--progress", "none"}, err), 1);
    EXPECT_NE(readTextFile(err).find("cell size"), std::string::npos) << readTextFile(err);
}

TEST(DensityCli, CtrlCStopsWithExitCode130AndWritesNothing) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt", out = dir.path / "d";
    // 256 cells take seconds to sample, long after the handler is installed.
    const pid_t pid = synthforge::testutil::startCli(
        {"density", "--resolution", "256", "--out", out.string(), "--progress", "none"}, err);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ::kill(pid, SIGINT);
    EXPECT_EQ(synthforge::testutil::waitForExit(pid), 130) << readTextFile(err);
    EXPECT_NE(readTextFile(err).find("stopped"), std::string::npos) << readTextFile(err);
    EXPECT_FALSE(fs::exists(out / "isosurface.obj"));
}

}  // namespace
