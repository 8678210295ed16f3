// `synthforge generate` and `synthforge render` as a user runs them: a real
// child process killed with SIGKILL at several moments and resumed must keep
// the samples the killed run completed, write only the rest, and end with
// exactly the files of an uninterrupted run; a full disk and bad inputs
// give exit 1 with a clear message and leave nothing half-written.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/jobs/run_record.h"
#include "core/scene/scene.h"
#include "core/scene/scene_pipeline.h"
#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"

namespace fs = std::filesystem;

namespace {

struct ChildResult {
    int code = -1;  ///< exit code, or -signal
    std::string err;
};

using synthforge::testutil::readTextFile;

pid_t start(const std::vector<std::string>& args, const fs::path& errFile, long fileLimit = 0) {
    return synthforge::testutil::startCli(args, errFile, {}, fileLimit);
}

ChildResult finish(pid_t pid, const fs::path& errFile) {
    ChildResult r;
    r.code = synthforge::testutil::waitForExit(pid);
    r.err = readTextFile(errFile);
    return r;
}

ChildResult run(const std::vector<std::string>& args, const fs::path& errFile, long fileLimit = 0) {
    return finish(start(args, errFile, fileLimit), errFile);
}

/// The dataset's files. The run record (run.json, heartbeat.json) is left
/// out: it describes the process that wrote the dataset (times, pid), not
/// the dataset, so it differs between any two runs by design.
std::map<std::string, std::string> snapshot(const fs::path& root) {
    std::map<std::string, std::string> files;
    if (!fs::exists(root)) return files;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        const std::string name = fs::relative(e.path(), root).string();
        if (e.is_regular_file() && !synthforge::jobs::isRunRecordFile(name)) files[name] = readTextFile(e.path());
    }
    return files;
}

/// Samples with an annotation file (complete ones; temporaries end otherwise).
int completeSamples(const fs::path& out) {
    std::error_code ec;
    int n = 0;
    if (fs::is_directory(out / "annotations", ec))
        for (auto it = fs::directory_iterator(out / "annotations", ec); it != fs::directory_iterator(); ++it)
            n += it->path().extension() == ".json";
    return n;
}

std::vector<std::string> generateArgs(const fs::path& out) {
    return {"generate", "--count", "48", "--size", "64", "--seed", "5", "--out", out.string(), "--progress", "none",
            "--formats", "synthforge,300w", "--workers", "2"};
}

TEST(GenerateCli, KilledAtAnyMomentAndResumedEndsIdentical) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt";
    const ChildResult whole = run(generateArgs(dir.path / "whole"), err);
    ASSERT_EQ(whole.code, 0) << whole.err;
    const auto reference = snapshot(dir.path / "whole");
    ASSERT_GT(reference.size(), 48u * 4);

    // Kill at several moments: while loading (before any sample), and once
    // 1, 9 and 40 samples are complete (polled, so the moments do not depend
    // on the machine's speed; files of further samples are mid-write then).
    int killedMidRun = 0;
    for (int completeBeforeKill : {0, 1, 9, 40}) {
        const int delayMs = completeBeforeKill;  // names the case in messages
        const fs::path out = dir.path / ("killed_" + std::to_string(completeBeforeKill));
        const pid_t pid = start(generateArgs(out), err);
        if (completeBeforeKill == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        } else {
            for (int spin = 0; spin < 60000 && completeSamples(out) < completeBeforeKill; ++spin)
                std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        kill(pid, SIGKILL);
        const ChildResult killed = finish(pid, err);
        // A sample is complete exactly when its annotation file exists (the
        // writer renames it into place last).
        const int complete = completeSamples(out);
        if (killed.code == -SIGKILL && complete > 0) ++killedMidRun;
        auto args = generateArgs(out);
        args.push_back("--resume");
        const fs::path said = dir.path / "resumed_stdout.txt";
        const ChildResult resumed = finish(synthforge::testutil::startCli(args, err, said), err);
        ASSERT_EQ(resumed.code, 0) << "after a kill at " << delayMs << " ms: " << resumed.err;
        // The resumed process kept the complete samples and wrote only the rest.
        std::string summary = "wrote " + std::to_string(48 - complete) + " samples to " + out.string();
        if (complete > 0) summary += ", " + std::to_string(complete) + " already complete";
        EXPECT_EQ(readTextFile(said).rfind(summary + " in ", 0), 0u)
            << "kill at " << delayMs << " ms, " << complete << " samples complete: " << readTextFile(said);
        const auto files = snapshot(out);
        EXPECT_EQ(files.size(), reference.size()) << "kill at " << delayMs << " ms";
        for (const auto& [name, bytes] : reference) {
            ASSERT_TRUE(files.count(name)) << name << " missing after kill at " << delayMs << " ms";
            EXPECT_TRUE(files.at(name) == bytes) << name << " differs after kill at " << delayMs << " ms";
        }
    }
    EXPECT_GE(killedMidRun, 1) << "no kill landed while samples were being written; the test proved nothing";
}

TEST(GenerateCli, ShardedProcessesEqualOneRun) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt";
    ASSERT_EQ(run(generateArgs(dir.path / "whole"), err).code, 0);
    // Two concurrent processes, sharded by torchrun's environment variables.
    std::vector<pid_t> pids;
    for (int rank = 0; rank < 2; ++rank) {
        ::setenv("RANK", std::to_string(rank).c_str(), 1);
        ::setenv("WORLD_SIZE", "2", 1);
        pids.push_back(start(generateArgs(dir.path / "sharded"), dir.path / ("err" + std::to_string(rank))));
    }
    ::unsetenv("RANK");
    ::unsetenv("WORLD_SIZE");
    for (int rank = 0; rank < 2; ++rank) {
        const ChildResult r = finish(pids[rank], dir.path / ("err" + std::to_string(rank)));
        EXPECT_EQ(r.code, 0) << r.err;
    }
    EXPECT_TRUE(snapshot(dir.path / "whole") == snapshot(dir.path / "sharded"));
}

TEST(GenerateCli, FullDiskFailsCleanly) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt";
    // Files beyond 6 KB cannot be written: the depth TIFF (16 KB) fails.
    const ChildResult r = run(generateArgs(dir.path / "full"), err, 6000);
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("write failed"), std::string::npos) << r.err;
    for (const auto& [name, bytes] : snapshot(dir.path / "full")) {
        EXPECT_EQ(name.find(".tmp"), std::string::npos) << "temporary left behind: " << name;
        EXPECT_EQ(name.rfind("annotations/", 0), std::string::npos) << "no sample can be complete: " << name;
    }
}

TEST(GenerateCli, BadInputsFailWithClearMessagesAndWriteNothing) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt";
    const fs::path out = dir.path / "out";
    auto expectFailure = [&](std::vector<std::string> extra, const std::string& needle, int code = 1) {
        std::vector<std::string> args{"generate", "--count", "2", "--size", "32", "--out", out.string(),
                                      "--progress", "none"};
        args.insert(args.end(), extra.begin(), extra.end());
        const ChildResult r = run(args, err);
        EXPECT_EQ(r.code, code) << needle << ": " << r.err;
        EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
        EXPECT_FALSE(fs::exists(out / "manifest.json")) << needle;
    };
    // Label maps: corrupt, colour, 16-bit, non-square, ids missing from the table.
    { std::ofstream(dir.path / "corrupt.png") << "\x89PNG\r\n\x1a\n garbage"; }
    expectFailure({"--labels", (dir.path / "corrupt.png").string()}, "corrupt.png");
    cv::imwrite((dir.path / "colour.png").string(), cv::Mat(64, 64, CV_8UC3, cv::Scalar(1, 2, 3)));
    expectFailure({"--labels", (dir.path / "colour.png").string()}, "colour.png");
    cv::imwrite((dir.path / "deep.png").string(), cv::Mat(64, 64, CV_16UC1, cv::Scalar(1)));
    expectFailure({"--labels", (dir.path / "deep.png").string()}, "deep.png");
    cv::imwrite((dir.path / "wide.png").string(), cv::Mat(64, 128, CV_8UC1, cv::Scalar(1)));
    expectFailure({"--labels", (dir.path / "wide.png").string()}, "not square");
    cv::Mat unknown(64, 64, CV_8UC1, cv::Scalar(1));
    unknown.at<std::uint8_t>(3, 5) = 99;
    cv::imwrite((dir.path / "unknown.png").string(), unknown);
    expectFailure({"--labels", (dir.path / "unknown.png").string()}, "99 (first at x=5 y=3)");
    // Sampler configs: inverted range, NaN, unknown key.
    { std::ofstream(dir.path / "inv.json") << R"({"camera": {"yaw": [1, -1]}})"; }
    expectFailure({"--sampler-config", (dir.path / "inv.json").string()}, "camera.yaw: inverted range");
    { std::ofstream(dir.path / "nan.json") << R"({"camera": {"pitch": [NaN, 1]}})"; }
    expectFailure({"--sampler-config", (dir.path / "nan.json").string()}, "nan.json");
    { std::ofstream(dir.path / "typo.json") << R"({"head": {"shape_comps": 3}})"; }
    expectFailure({"--sampler-config", (dir.path / "typo.json").string()}, "head.shape_comps: unknown key");
    // Options.
    expectFailure({"--shard", "2/2"}, "--shard");
    expectFailure({"--formats", "coco"}, "unknown format");
    expectFailure({"--device", "cuda"}, "CPU only");
    {
        const ChildResult r = run({"generate", "--count", "2", "--out", out.string(), "--progress", "xml"}, err);
        EXPECT_EQ(r.code, 1);
        EXPECT_NE(r.err.find("'xml' is not one of"), std::string::npos) << r.err;
    }
    // An output path under a regular file cannot be created.
    { std::ofstream(dir.path / "file") << "x"; }
    const ChildResult r = run({"generate", "--count", "1", "--size", "32", "--out", (dir.path / "file" / "ds").string()}, err);
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("cannot create the output folder"), std::string::npos) << r.err;
}

TEST(GenerateCli, SegmentationInAnotherDatasetsClasses) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt";
    const ChildResult r = run({"generate", "--count", "3", "--size", "96", "--out", (dir.path / "lapa").string(),
                               "--progress", "none", "--seg-classes", "lapa"},
                              err);
    ASSERT_EQ(r.code, 0) << r.err;
    // LaPa has 11 classes (0..10); hair (10) and skin (1) must appear, and
    // ears/neck, which LaPa does not label as such, never as their own ids.
    std::set<int> seen;
    for (int i = 0; i < 3; ++i) {
        const cv::Mat seg = cv::imread((dir.path / "lapa/seg" / ("00000" + std::to_string(i) + ".png")).string(),
                                       cv::IMREAD_UNCHANGED);
        ASSERT_EQ(seg.type(), CV_8UC1);
        for (int y = 0; y < seg.rows; ++y)
            for (int x = 0; x < seg.cols; ++x) seen.insert(seg.at<std::uint8_t>(y, x));
    }
    EXPECT_TRUE(seen.count(1));
    EXPECT_TRUE(seen.count(10));
    EXPECT_LE(*seen.rbegin(), 10);
    const std::string manifest = readTextFile(dir.path / "lapa/manifest.json");
    EXPECT_NE(manifest.find("\"classes_preset\": \"lapa\""), std::string::npos);
    const ChildResult bad = run({"generate", "--count", "1", "--out", (dir.path / "x").string(), "--seg-classes",
                                 "pascal"},
                                err);
    EXPECT_EQ(bad.code, 1);
    EXPECT_NE(bad.err.find("pascal"), std::string::npos) << bad.err;
}

TEST(RenderCli, WritesOverlaysAndContactSheet) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt";
    const ChildResult r = run({"render", "--out", (dir.path / "r").string(), "--count", "3", "--size", "96", "--tile", "64"}, err);
    ASSERT_EQ(r.code, 0) << r.err;
    for (const char* f : {"000000_image.png", "000000_landmarks.png", "000000_seg.png", "000000_depth.png",
                          "000000_normals.png", "000000.json", "000002_image.png", "contact_sheet.png",
                          "contact_sheet_overlays.png"})
        EXPECT_TRUE(fs::is_regular_file(dir.path / "r" / f)) << f;
    const cv::Mat sheet = cv::imread((dir.path / "r/contact_sheet.png").string());
    EXPECT_EQ(sheet.rows, 64 + 2 * 4);
    EXPECT_EQ(sheet.cols, 3 * 64 + 4 * 4);
    // The rendered image equals sample 0 of a dataset with the same seed.
    ASSERT_EQ(run({"generate", "--count", "1", "--size", "96", "--out", (dir.path / "ds").string(), "--progress",
                   "none"},
                  err)
                  .code,
              0);
    const cv::Mat a = cv::imread((dir.path / "r/000000_image.png").string());
    const cv::Mat b = cv::imread((dir.path / "ds/images/000000.png").string());
    EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0);
}

TEST(RenderCli, SceneRendersThatSceneWithRawMaps) {
    // What the studio's Generator tab runs for a TorchScript generator, here
    // with the procedural one so the in-process render is the reference.
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt";
    synthforge::scene::Scene sc;
    sc.width = 80;
    sc.height = 64;
    sc.camera.yaw = 0.4f;
    sc.zSeed = 3;
    sc.generator = "ignored-by-render.pt";  // --generator decides
    synthforge::scene::saveScene(sc, (dir.path / "scene.json").string());
    const ChildResult r = run({"render", "--scene", (dir.path / "scene.json").string(), "--out", (dir.path / "r").string()}, err);
    ASSERT_EQ(r.code, 0) << r.err;
    const cv::Mat image = cv::imread((dir.path / "r/000000_image.png").string());
    const cv::Mat seg = cv::imread((dir.path / "r/000000_segmentation.png").string(), cv::IMREAD_UNCHANGED);
    const cv::Mat depth = cv::imread((dir.path / "r/000000_depth.tiff").string(), cv::IMREAD_UNCHANGED);
    ASSERT_EQ(image.cols, 80);
    ASSERT_EQ(image.rows, 64);
    ASSERT_EQ(seg.type(), CV_8UC1);
    ASSERT_EQ(depth.type(), CV_32FC1);
    const synthforge::generate::SamplePipeline p = synthforge::scene::buildScenePipeline("default", "procedural", 80, 64);
    const synthforge::generate::RenderedSample s = p.render(sc.toSampleSpec(p.generator->capabilities().latentDim));
    EXPECT_EQ(cv::norm(image, s.image.image, cv::NORM_INF), 0.0);
    EXPECT_EQ(cv::norm(seg, s.annotations.segmentation, cv::NORM_INF), 0.0);
    EXPECT_LT(cv::norm(depth, s.annotations.depth, cv::NORM_INF), 1e-6);
    EXPECT_GT(cv::countNonZero(seg), 100);

    const ChildResult twice = run({"render", "--scene", (dir.path / "scene.json").string(), "--count", "2", "--out",
                                   (dir.path / "r2").string()},
                                  err);
    EXPECT_NE(twice.code, 0);
    EXPECT_NE(twice.err.find("--count"), std::string::npos) << twice.err;
}

}  // namespace
