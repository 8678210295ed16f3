#include "core/dataset/sample_paths.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace synthforge::dataset {

namespace fs = std::filesystem;

int indexDigits(std::uint64_t count) {
    int d = 6;
    std::uint64_t limit = 1000000;
    while (count > limit && d < 20) limit *= 10, ++d;
    return d;
}

std::string sampleName(std::uint64_t index, int digits) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0*llu", digits, static_cast<unsigned long long>(index));
    return buf;
}

SamplePaths samplePaths(const std::string& datasetDir, const std::string& name) {
    const fs::path r(datasetDir);
    return {(r / "images" / (name + ".png")).string(), (r / "seg" / (name + ".png")).string(),
            (r / "depth" / (name + ".tiff")).string(), (r / "normals" / (name + ".png")).string(),
            (r / "annotations" / (name + ".json")).string()};
}

namespace {
bool isSampleStem(const std::string& s) {
    return s.size() >= 6 && s.size() <= 20 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

std::vector<std::string> listCompleteSamples(const std::string& datasetDir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(datasetDir) / "annotations", ec)) {
        const fs::path p = e.path();
        if (p.extension() == ".json" && isSampleStem(p.stem().string())) names.push_back(p.stem().string());
    }
    std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    return names;
}

}  // namespace synthforge::dataset
