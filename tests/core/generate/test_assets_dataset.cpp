// A dataset run with assets keeps the writer's guarantees: shards together
// equal one run byte for byte, a cancelled run resumes to identical files,
// and the annotation JSON and manifest record the assets.

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/generate/dataset_writer.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::generate {
namespace {

namespace fs = std::filesystem;

const SamplePipeline& pipeline() {
    static const SamplePipeline p = [] {
        SamplePipeline s = testutil::tinyPipeline(64);
        s.sampler.assets.glasses.frequency = 0.6;
        s.sampler.assets.headwear.frequency = 0.5;
        s.sampler.assets.clothing.frequency = 0.7;
        return s;
    }();
    return p;
}

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
    o.seed = 21;
    o.workers = 2;
    o.headSource = "default";
    o.normals = true;
    return o;
}

TEST(AssetsDataset, ShardsEqualOneRunAndRecordAssets) {
    testutil::TempDir dir;
    writeDataset(pipeline(), options(dir.path / "whole", 6));
    for (std::uint64_t i = 0; i < 2; ++i) {
        DatasetOptions o = options(dir.path / "sharded", 6);
        o.shard = {i, 2};
        o.workers = 1;
        writeDataset(pipeline(), o);
    }
    const auto a = snapshot(dir.path / "whole"), b = snapshot(dir.path / "sharded");
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [name, bytes] : a) {
        ASSERT_TRUE(b.count(name)) << name;
        EXPECT_TRUE(b.at(name) == bytes) << name << " differs";
    }
    const auto manifest = nlohmann::json::parse(a.at("manifest.json"));
    EXPECT_DOUBLE_EQ(manifest["sampler"]["assets"]["glasses"]["frequency"].get<double>(), 0.6);
    int worn = 0;
    for (int i = 0; i < 6; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "annotations/%06d.json", i);
        const auto j = nlohmann::json::parse(a.at(name));
        const auto expected = drawAssets(pipeline().sampler.assets, 21, static_cast<std::uint64_t>(i));
        ASSERT_EQ(j.contains("assets"), !expected.empty()) << name;
        if (expected.empty()) continue;
        ASSERT_EQ(j["assets"].size(), expected.size());
        for (std::size_t k = 0; k < expected.size(); ++k) {
            EXPECT_EQ(j["assets"][k]["type"], assetTypeName(expected[k].type));
            EXPECT_EQ(j["assets"][k]["class"], assetDefaultClass(expected[k].type));
        }
        worn += static_cast<int>(expected.size());
    }
    EXPECT_GT(worn, 0);
}

struct CancelAfter : jobs::ProgressSink {
    jobs::CancelToken& token;
    std::uint64_t after;
    CancelAfter(jobs::CancelToken& t, std::uint64_t n) : token(t), after(n) {}
    void update(const jobs::ProgressUpdate& u) override {
        if (u.done >= after) token.cancel();
    }
};

TEST(AssetsDataset, CancelledRunResumesToIdenticalFiles) {
    testutil::TempDir dir;
    writeDataset(pipeline(), options(dir.path / "whole", 6));
    jobs::CancelToken token;
    CancelAfter sink(token, 2);
    EXPECT_THROW(writeDataset(pipeline(), options(dir.path / "stopped", 6), &sink, &token), jobs::Cancelled);
    DatasetOptions o = options(dir.path / "stopped", 6);
    o.resume = true;
    const DatasetRunResult r = writeDataset(pipeline(), o);
    EXPECT_GE(r.skipped, 2u);
    EXPECT_EQ(r.skipped + r.written, 6u);
    EXPECT_TRUE(snapshot(dir.path / "whole") == snapshot(dir.path / "stopped"));
}

}  // namespace
}  // namespace synthforge::generate
