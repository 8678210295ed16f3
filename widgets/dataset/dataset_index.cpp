#include "widgets/dataset/dataset_index.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/generate/dataset_layout.h"
#include "core/io/file_util.h"
#include "core/scene/scene.h"

namespace synthforge::widgets {

namespace fs = std::filesystem;

namespace {
// Manifests are a few kB; a cap keeps a wrong file (a video...) from being read whole.
constexpr std::size_t kMaxManifestBytes = 16u << 20;

bool isSampleStem(const std::string& s) {
    return s.size() >= 6 && s.size() <= 20 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

std::string DatasetIndex::annotationPath(std::size_t row) const { return dir + "/annotations/" + samples.at(row) + ".json"; }
std::string DatasetIndex::imagePath(std::size_t row) const { return dir + "/images/" + samples.at(row) + ".png"; }
std::string DatasetIndex::segPath(std::size_t row) const { return dir + "/seg/" + samples.at(row) + ".png"; }
std::string DatasetIndex::depthPath(std::size_t row) const { return dir + "/depth/" + samples.at(row) + ".tiff"; }
std::string DatasetIndex::normalsPath(std::size_t row) const { return dir + "/normals/" + samples.at(row) + ".png"; }

DatasetIndex loadDatasetIndex(const std::string& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw std::runtime_error(dir + ": not a folder");
    const std::string manifestPath = dir + "/manifest.json";
    if (!fs::is_regular_file(manifestPath, ec))
        throw std::runtime_error(dir + ": no manifest.json (not a SynthForge dataset)");

    nlohmann::json m;
    try {
        m = nlohmann::json::parse(io::readFileText(manifestPath, kMaxManifestBytes));
    } catch (const std::exception& e) {
        throw std::runtime_error(manifestPath + ": corrupt manifest (" + e.what() + ")");
    }
    auto field = [&](const char* key) -> const nlohmann::json& {
        if (!m.is_object() || !m.contains(key)) throw std::runtime_error(manifestPath + ": " + key + ": missing");
        return m.at(key);
    };
    auto fail = [&](const char* key, const std::string& what) { throw std::runtime_error(manifestPath + ": " + key + ": " + what); };
    if (field("format") != "synthforge-dataset") fail("format", "not \"synthforge-dataset\"");
    const nlohmann::json& version = field("version");
    if (!version.is_number_integer() || version.get<int>() < 1) fail("version", "not a positive integer");
    if (version.get<int>() > generate::kDatasetFormatVersion) fail("version", "newer than this build understands");

    DatasetIndex d;
    d.dir = dir;
    for (const char* key : {"width", "height"}) {
        const nlohmann::json& v = field(key);
        if (!v.is_number_integer() || v.get<long long>() < scene::kMinImageSize || v.get<long long>() > scene::kMaxImageSize)
            fail(key, "not an image size");
    }
    d.width = field("width").get<int>();
    d.height = field("height").get<int>();
    if (!field("count").is_number_unsigned()) fail("count", "not a non-negative integer");
    d.count = field("count").get<std::uint64_t>();
    d.complete = m.value("complete", false) == true;
    const nlohmann::json& classes = field("classes");
    if (!classes.is_null()) {
        try {
            d.classes = std::make_shared<const annotate::ClassTable>(
                annotate::parseClassTableJson(classes.dump(), manifestPath + ": classes"));
        } catch (const std::exception& e) {
            throw std::runtime_error(e.what());
        }
    }

    // Only samples whose annotation exists are complete (the writer writes it last).
    const fs::path annotations = fs::path(dir) / "annotations";
    for (const auto& e : fs::directory_iterator(annotations, ec)) {
        const fs::path p = e.path();
        if (p.extension() == ".json" && isSampleStem(p.stem().string())) d.samples.push_back(p.stem().string());
    }
    // Equal-width names sort as numbers; wider names (more digits) come later.
    std::sort(d.samples.begin(), d.samples.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    return d;
}

}  // namespace synthforge::widgets
