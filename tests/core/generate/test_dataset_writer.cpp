// The dataset writer's guarantees: shards equal an unsharded run byte for
// byte, a cancelled run resumed ends identical to an uninterrupted one, a
// folder holding something else is refused, and the files hold what the
// pipeline computed.

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/generate/dataset_writer.h"
#include "core/generate/procedural_generator.h"
#include "core/annotate/label_map_io.h"
#include "core/head/head_model_io.h"
#include "core/head/head_params_io.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::generate {
namespace {

namespace fs = std::filesystem;

const SamplePipeline& pipeline() {
    static const SamplePipeline p = testutil::tinyPipeline(48);
    return p;
}

/// Relative path -> file bytes, for every regular file under `root`.
std::map<std::string, std::string> snapshot(const fs::path& root) {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path(), std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        files[fs::relative(e.path(), root).string()] = s.str();
    }
    return files;
}

DatasetOptions options(const fs::path& out, std::uint64_t count) {
    DatasetOptions o;
    o.outDir = out.string();
    o.count = count;
    o.seed = 11;
    o.workers = 2;
    o.headSource = "default";
    o.formats = DatasetFormats::parse("synthforge,facesynthetics,300w");
    o.normals = true;
    return o;
}

TEST(DatasetWriter, WritesTheLayoutWithConsistentContent) {
    testutil::TempDir dir;
    const DatasetRunResult r = writeDataset(pipeline(), options(dir.path / "ds", 3));
    EXPECT_EQ(r.written, 3u);
    EXPECT_TRUE(r.datasetComplete);
    const fs::path ds = dir.path / "ds";
    for (const char* f : {"manifest.json", "images/000002.png", "seg/000002.png", "depth/000002.tiff",
                          "normals/000002.png", "annotations/000002.json", "facesynthetics/000002.png",
                          "facesynthetics/000002_seg.png", "facesynthetics/000002_ldmks.txt", "300w/000002.png",
                          "300w/000002.pts"})
        EXPECT_TRUE(fs::is_regular_file(ds / f)) << f;

    const nlohmann::json m = nlohmann::json::parse(std::ifstream(ds / "manifest.json"));
    EXPECT_EQ(m["complete"], true);
    EXPECT_EQ(m["count"], 3);
    EXPECT_EQ(m["classes"]["classes"].size(), annotate::ClassTable::defaultTable().size());

    // The files hold exactly what the pipeline computes for (seed, index).
    const RenderedSample s = pipeline().render(11, 2);
    const cv::Mat depth = cv::imread((ds / "depth/000002.tiff").string(), cv::IMREAD_UNCHANGED);
    ASSERT_EQ(depth.type(), CV_32FC1);
    EXPECT_EQ(cv::norm(depth, s.annotations.depth, cv::NORM_INF), 0.0);
    const cv::Mat seg = cv::imread((ds / "seg/000002.png").string(), cv::IMREAD_UNCHANGED);
    ASSERT_EQ(seg.type(), CV_8UC1);
    EXPECT_EQ(cv::norm(seg, s.annotations.segmentation, cv::NORM_INF), 0.0);
    const cv::Mat image = cv::imread((ds / "images/000002.png").string(), cv::IMREAD_COLOR);
    EXPECT_EQ(cv::norm(image, s.image.image, cv::NORM_INF), 0.0);

    std::ifstream aj(ds / "annotations/000002.json");
    const std::string text((std::istreambuf_iterator<char>(aj)), std::istreambuf_iterator<char>());
    const nlohmann::json a = nlohmann::json::parse(text);
    EXPECT_EQ(a["z"].size(), 512u);
    ASSERT_EQ(a["camera_params"].size(), 25u);
    for (int k = 0; k < 25; ++k) EXPECT_FLOAT_EQ(a["camera_params"][k].get<float>(), s.spec.camera.toVector25()[k]);
    EXPECT_EQ(a["2d_kps"].size(), 68u);
    EXPECT_FLOAT_EQ(a["2d_kps"][36][0].get<float>(), s.annotations.landmarks2d(36, 0));
    EXPECT_EQ(a["kps_visible"].size(), 68u);
    EXPECT_FLOAT_EQ(a["yaw"].get<float>(), s.spec.camera.yaw);
    // The FLAME keys drive the head exactly as the sample was posed.
    const head::HeadParams back = head::parseHeadParamsJson(text, "annotation");
    EXPECT_EQ(back.shape, s.spec.params.shape);
    EXPECT_EQ(back.pose, s.spec.params.pose);
    // 300W .pts holds 1-based coordinates (ours + 0.5).
    std::ifstream pts(ds / "300w/000002.pts");
    std::string line;
    for (int i = 0; i < 4; ++i) std::getline(pts, line);  // header, n_points, "{", point 0
    std::istringstream p0(line);
    float x = 0, y = 0;
    p0 >> x >> y;
    EXPECT_NEAR(x, s.annotations.landmarks2d(0, 0) + 0.5f, 1e-3f);
    EXPECT_NEAR(y, s.annotations.landmarks2d(0, 1) + 0.5f, 1e-3f);
    // FaceSynthetics: 70 lines.
    std::ifstream ld(ds / "facesynthetics/000002_ldmks.txt");
    int lines = 0;
    while (std::getline(ld, line)) ++lines;
    EXPECT_EQ(lines, 70);
}

TEST(DatasetWriter, ShardsTogetherEqualOneRunByteForByte) {
    testutil::TempDir dir;
    writeDataset(pipeline(), options(dir.path / "whole", 7));
    DatasetRunResult last;
    for (std::uint64_t i = 0; i < 3; ++i) {
        DatasetOptions o = options(dir.path / "sharded", 7);
        o.shard = {i, 3};
        o.workers = 1;
        last = writeDataset(pipeline(), o);
        EXPECT_EQ(last.written, o.shard.sizeOf(7));
        EXPECT_EQ(last.datasetComplete, i == 2) << "shard " << i;
    }
    const auto a = snapshot(dir.path / "whole"), b = snapshot(dir.path / "sharded");
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [name, bytes] : a) {
        ASSERT_TRUE(b.count(name)) << name;
        EXPECT_TRUE(b.at(name) == bytes) << name << " differs";
    }
}

/// Cancels the run after `after` samples, like Ctrl+C.
struct CancelAfter : jobs::ProgressSink {
    jobs::CancelToken& token;
    std::uint64_t after;
    CancelAfter(jobs::CancelToken& t, std::uint64_t n) : token(t), after(n) {}
    void update(const jobs::ProgressUpdate& u) override {
        if (u.done >= after) token.cancel();
    }
};

TEST(DatasetWriter, CancelledRunResumesToIdenticalFiles) {
    testutil::TempDir dir;
    writeDataset(pipeline(), options(dir.path / "whole", 8));
    jobs::CancelToken token;
    CancelAfter sink(token, 3);
    jobs::ProgressOptions po;
    EXPECT_THROW(writeDataset(pipeline(), options(dir.path / "stopped", 8), &sink, &token), jobs::Cancelled);
    const nlohmann::json m = nlohmann::json::parse(std::ifstream(dir.path / "stopped/manifest.json"));
    EXPECT_EQ(m["complete"], false);
    // Not resuming is refused; resuming finishes.
    EXPECT_THROW(writeDataset(pipeline(), options(dir.path / "stopped", 8)), std::runtime_error);
    // A stale temporary of an unfinished sample, as a kill would leave it.
    { std::ofstream(dir.path / "stopped/images/000007.png.tmp123456") << "partial"; }
    DatasetOptions o = options(dir.path / "stopped", 8);
    o.resume = true;
    const DatasetRunResult r = writeDataset(pipeline(), o);
    EXPECT_GE(r.skipped, 3u);
    EXPECT_EQ(r.skipped + r.written, 8u);
    EXPECT_TRUE(snapshot(dir.path / "whole") == snapshot(dir.path / "stopped"));
}

void expectRefused(const DatasetOptions& o, const std::string& needle) {
    try {
        writeDataset(pipeline(), o);
        FAIL() << "accepted " << o.outDir;
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

TEST(DatasetWriter, RefusesToMixDatasetsAndBadFolders) {
    testutil::TempDir dir;
    writeDataset(pipeline(), options(dir.path / "ds", 2));
    const auto before = snapshot(dir.path / "ds");
    DatasetOptions other = options(dir.path / "ds", 2);
    other.seed = 12;
    expectRefused(other, "different dataset (manifest differs in: seed)");
    other = options(dir.path / "ds", 5);
    expectRefused(other, "count");
    EXPECT_TRUE(snapshot(dir.path / "ds") == before) << "a refused run must not touch the folder";

    fs::create_directories(dir.path / "foreign");
    { std::ofstream(dir.path / "foreign/notes.txt") << "mine"; }
    expectRefused(options(dir.path / "foreign", 2), "holds no manifest.json");
    DatasetOptions forced = options(dir.path / "foreign", 2);
    forced.force = true;
    EXPECT_EQ(writeDataset(pipeline(), forced).written, 2u);
    EXPECT_TRUE(fs::exists(dir.path / "foreign/notes.txt")) << "--force never deletes";

    { std::ofstream(dir.path / "a_file") << "x"; }
    expectRefused(options(dir.path / "a_file" / "ds", 2), "cannot create the output folder");
    { std::ofstream(dir.path / "bad/manifest.json") << "{"; }
    fs::create_directories(dir.path / "bad");
    { std::ofstream(dir.path / "bad/manifest.json") << "{ not json"; }
    expectRefused(options(dir.path / "bad", 2), "unreadable manifest");
    DatasetOptions zero = options(dir.path / "z", 0);
    EXPECT_THROW(writeDataset(pipeline(), zero), std::invalid_argument);
}

TEST(DatasetWriter, AManifestBeingWrittenByAnotherShardCountsAsEmpty) {
    testutil::TempDir dir;
    // Another shard is writing the manifest right now: only its temporary is
    // there. The folder counts as empty, and this shard writes the same manifest.
    fs::create_directories(dir.path / "racing");
    { std::ofstream(dir.path / "racing/manifest.json.tmp123456") << "{"; }
    EXPECT_EQ(writeDataset(pipeline(), options(dir.path / "racing", 2)).written, 2u);
    EXPECT_TRUE(fs::exists(dir.path / "racing/manifest.json"));
}

TEST(Shard, ParsesAndOwnsInterleavedSamples) {
    const Shard s = Shard::parse("1/3");
    EXPECT_TRUE(s.owns(1));
    EXPECT_TRUE(s.owns(4));
    EXPECT_FALSE(s.owns(3));
    EXPECT_EQ(s.sizeOf(7), 2u);  // 1, 4
    EXPECT_EQ(Shard::parse("0/3").sizeOf(7), 3u);
    for (const char* bad : {"3/3", "1", "a/3", "-1/3", "1/0", "1/3/4", ""})
        EXPECT_THROW(Shard::parse(bad), std::invalid_argument) << bad;
    ::setenv("RANK", "2", 1);
    ::setenv("WORLD_SIZE", "4", 1);
    EXPECT_EQ(Shard::fromEnvironment()->toString(), "2/4");
    ::setenv("RANK", "4", 1);
    EXPECT_THROW(Shard::fromEnvironment(), std::invalid_argument);
    ::unsetenv("RANK");
    ::unsetenv("WORLD_SIZE");
    ::setenv("SLURM_PROCID", "1", 1);
    ::setenv("SLURM_NTASKS", "2", 1);
    EXPECT_EQ(Shard::fromEnvironment()->toString(), "1/2");
    ::unsetenv("SLURM_PROCID");
    ::unsetenv("SLURM_NTASKS");
    EXPECT_FALSE(Shard::fromEnvironment().has_value());
}

TEST(DatasetFormats, ParsesLists) {
    const DatasetFormats f = DatasetFormats::parse("300w,synthforge");
    EXPECT_TRUE(f.w300);
    EXPECT_FALSE(f.faceSynthetics);
    EXPECT_THROW(DatasetFormats::parse("coco"), std::invalid_argument);
    EXPECT_THROW(DatasetFormats::parse(""), std::invalid_argument);
    EXPECT_EQ(indexName(42, indexDigits(10)), "000042");
    EXPECT_EQ(indexName(42, indexDigits(12345678)), "00000042");
}

}  // namespace
}  // namespace synthforge::generate
