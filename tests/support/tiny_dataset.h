#pragma once
// A small sample pipeline on the default head (label map at 256, so it builds
// quickly) and tiny generated datasets for tests that need real data.

#include <cstdint>
#include <filesystem>
#include <memory>

#include "core/generate/dataset_writer.h"
#include "core/generate/procedural_generator.h"
#include "core/annotate/label_map_io.h"
#include "core/head/default_head/label_map.h"
#include "core/head/default_head/model_source.h"
#include "core/head/head_model_io.h"

namespace synthforge::testutil {

/// The default head with its label map and the procedural generator at size x size, wearing no assets.
inline generate::SamplePipeline tinyPipeline(int size) {
    generate::SamplePipeline s;
    auto model = std::make_shared<head::HeadModel>(head::loadHeadModel("default"));
    const cv::Mat ids = head::default_head::buildDefaultLabelMap(*model, 256);
    s.model = model;
    s.labels = std::make_shared<annotate::UvLabelMap>(ids, annotate::ClassTable::defaultTable(), "labels");
    s.generator = std::make_shared<generate::ProceduralGenerator>(model, ids);
    // Bare heads: the tests that learn from these data are calibrated on a
    // small budget, and the asset tests say which assets they wear.
    s.sampler.assets = generate::AssetsSamplerConfig::none();
    s.width = s.height = size;
    return s;
}

/// Writes a complete `count`-sample dataset at 64 x 64 into `dir` (replaced).
inline void writeTinyDataset(const std::filesystem::path& dir, std::uint64_t count, std::uint64_t seed) {
    std::filesystem::remove_all(dir);
    generate::DatasetOptions o;
    o.outDir = dir.string();
    o.count = count;
    o.seed = seed;
    o.workers = 2;
    o.headSource = "default";
    generate::writeDataset(tinyPipeline(64), o);
}

}  // namespace synthforge::testutil
