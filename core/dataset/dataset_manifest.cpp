#include "core/dataset/dataset_manifest.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/dataset/sample_paths.h"
#include "core/io/file_util.h"

namespace synthforge::dataset {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

std::string manifestPath(const std::string& datasetDir) { return (fs::path(datasetDir) / "manifest.json").string(); }

bool hasDatasetManifest(const std::string& datasetDir) {
    std::error_code ec;
    return fs::is_regular_file(manifestPath(datasetDir), ec);
}

DatasetManifest parseDatasetManifest(const std::string& text, const std::string& path) {
    auto fail = [&](const std::string& field, const std::string& what) -> void {
        throw std::runtime_error(path + ": " + field + ": " + what);
    };
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(path + ": corrupt manifest, not valid JSON (" + e.what() + ")");
    }
    if (!j.is_object()) throw std::runtime_error(path + ": corrupt manifest, not a JSON object");
    auto field = [&](const char* key) -> const nlohmann::json& {
        if (!j.contains(key)) fail(key, "missing");
        return j.at(key);
    };

    const nlohmann::json& format = field("format");
    if (!format.is_string() || format.get<std::string>() != kDatasetFormat)
        fail("format", std::string("not \"") + kDatasetFormat + "\" (not a SynthForge dataset manifest)");
    DatasetManifest m;
    const nlohmann::json& version = field("version");
    if (!version.is_number_integer() || version.get<long long>() < 1) fail("version", "not a positive integer");
    if (version.get<long long>() > kDatasetFormatVersion)
        fail("version", std::to_string(version.get<long long>()) + " is newer than this build understands (" +
                            std::to_string(kDatasetFormatVersion) + "); update SynthForge to read this dataset");
    m.version = version.get<int>();

    for (const char* key : {"width", "height"}) {
        const nlohmann::json& v = field(key);
        if (!v.is_number_integer() || v.get<long long>() < kMinSampleSide || v.get<long long>() > kMaxSampleSide)
            fail(key, "not an image side in " + std::to_string(kMinSampleSide) + ".." + std::to_string(kMaxSampleSide));
    }
    m.width = j.at("width").get<int>();
    m.height = j.at("height").get<int>();

    const nlohmann::json& count = field("count");
    if (!count.is_number_unsigned() && !(count.is_number_integer() && count.get<long long>() >= 0))
        fail("count", "not a non-negative integer");
    m.count = count.get<std::uint64_t>();

    m.indexDigits = indexDigits(m.count);
    if (j.contains("index_digits")) {
        const nlohmann::json& d = j.at("index_digits");
        if (!d.is_number_integer() || d.get<long long>() < 6 || d.get<long long>() > 20)
            fail("index_digits", "not an integer in 6..20");
        if (d.get<int>() < m.indexDigits)
            fail("index_digits", std::to_string(d.get<int>()) + " digits cannot name " + std::to_string(m.count) +
                                     " samples");
        m.indexDigits = d.get<int>();
    }

    if (j.contains("complete")) {
        if (!j.at("complete").is_boolean()) fail("complete", "not true or false");
        m.complete = j.at("complete").get<bool>();
    }

    const nlohmann::json& classes = field("classes");
    if (!classes.is_null()) {
        // parseClassTableJson names the entry ("classes[3].color") after the
        // prefix, so the error points into this file.
        m.classes = std::make_shared<const annotate::ClassTable>(
            annotate::parseClassTableJson(classes.dump(), path + ": classes"));
    }
    return m;
}

DatasetManifest readDatasetManifest(const std::string& datasetDir) {
    std::error_code ec;
    if (!fs::is_directory(datasetDir, ec)) throw std::runtime_error(datasetDir + ": not a folder");
    const std::string path = manifestPath(datasetDir);
    if (!fs::is_regular_file(path, ec)) throw std::runtime_error(datasetDir + ": no manifest.json (not a SynthForge dataset)");
    return parseDatasetManifest(io::readFileText(path, kMaxManifestBytes), path);
}

std::string datasetManifestJson(const DatasetManifest& m, const std::string& definitionJson) {
    ordered_json definition;
    try {
        definition = ordered_json::parse(definitionJson);
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("datasetManifestJson: definition is not valid JSON (") + e.what() + ")");
    }
    if (!definition.is_object()) throw std::invalid_argument("datasetManifestJson: definition is not a JSON object");
    static const char* kOwnKeys[] = {"format", "version", "count", "width", "height", "classes", "index_digits", "complete"};
    for (const char* key : kOwnKeys)
        if (definition.contains(key))
            throw std::invalid_argument(std::string("datasetManifestJson: definition holds '") + key +
                                        "', which the manifest writes itself");
    ordered_json j;
    j["format"] = kDatasetFormat;
    j["version"] = m.version;
    for (auto it = definition.begin(); it != definition.end(); ++it) j[it.key()] = it.value();
    j["count"] = m.count;
    j["width"] = m.width;
    j["height"] = m.height;
    j["classes"] = m.classes ? ordered_json::parse(annotate::classTableToJson(*m.classes)) : ordered_json();
    j["index_digits"] = m.indexDigits;
    j["complete"] = m.complete;
    std::string text = j.dump(2) + "\n";
    try {
        parseDatasetManifest(text, "manifest.json");
    } catch (const std::runtime_error& e) {
        throw std::invalid_argument(std::string("datasetManifestJson: would write an unreadable manifest: ") + e.what());
    }
    return text;
}

namespace {
/// Keys that say how far a run got, not what it makes.
bool progressKey(const std::string& key) { return key == "complete" || key == "rejected"; }
}  // namespace

bool sameDatasetDefinition(const std::string& a, const std::string& b, std::string* differs) {
    ordered_json ja, jb;
    try {
        ja = ordered_json::parse(a);
        jb = ordered_json::parse(b);
    } catch (const nlohmann::json::exception&) {
        if (differs) *differs = "(unreadable manifest)";
        return false;
    }
    if (!ja.is_object() || !jb.is_object()) {
        if (differs) *differs = "(not a JSON object)";
        return false;
    }
    std::vector<std::string> keys;
    auto note = [&](const std::string& k) {
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    };
    for (auto it = jb.begin(); it != jb.end(); ++it)
        if (!progressKey(it.key()) && (!ja.contains(it.key()) || ja[it.key()] != it.value())) note(it.key());
    for (auto it = ja.begin(); it != ja.end(); ++it)
        if (!progressKey(it.key()) && !jb.contains(it.key())) note(it.key());
    if (differs) {
        differs->clear();
        for (const std::string& k : keys) *differs += (differs->empty() ? "" : ", ") + k;
    }
    return keys.empty();
}

}  // namespace synthforge::dataset
