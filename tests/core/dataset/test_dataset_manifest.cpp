// The one manifest reader: fields, version checks, round trips through the
// writer's function, and clean errors (naming the file and field) for
// truncated, corrupt and hostile manifests.

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "core/annotate/class_table.h"
#include "core/dataset/dataset_manifest.h"
#include "core/dataset/sample_paths.h"
#include "tests/support/fixtures.h"

using namespace synthforge;

namespace {

dataset::DatasetManifest sampleManifest() {
    dataset::DatasetManifest m;
    m.count = 1234567;
    m.width = 256;
    m.height = 128;
    m.indexDigits = dataset::indexDigits(m.count);
    m.complete = true;
    m.classes = std::make_shared<const annotate::ClassTable>(annotate::ClassTable::defaultTable());
    return m;
}

std::string errorOf(const std::string& text) {
    try {
        dataset::parseDatasetManifest(text, "ds/manifest.json");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

void expectError(const std::string& text, const std::string& part) {
    const std::string e = errorOf(text);
    ASSERT_FALSE(e.empty()) << "accepted: " << text;
    EXPECT_EQ(e.rfind("ds/manifest.json: ", 0), 0u) << e;
    EXPECT_NE(e.find(part), std::string::npos) << "'" << part << "' not in: " << e;
}

/// A valid manifest with `key` set to `valueJson` (or removed when empty).
std::string with(const std::string& key, const std::string& valueJson) {
    std::string text = dataset::datasetManifestJson(sampleManifest(), R"({"seed": 7})");
    const std::string needle = "\"" + key + "\": ";
    const auto at = text.find(needle);
    EXPECT_NE(at, std::string::npos) << key;
    std::size_t end = at + needle.size();
    int depth = 0;
    for (; end < text.size(); ++end) {
        const char c = text[end];
        if (c == '[' || c == '{') ++depth;
        if (c == ']' || c == '}') --depth;
        if (depth < 0 || (depth == 0 && (c == ',' || c == '\n'))) break;
    }
    if (valueJson.empty()) {
        // drop "key": value and the comma that follows it
        const std::size_t stop = text[end] == ',' ? end + 1 : end;
        return text.erase(at, stop - at);
    }
    return text.replace(at + needle.size(), end - at - needle.size(), valueJson);
}

}  // namespace

TEST(DatasetManifest, RoundTripsEveryFieldAndKeepsTheDefinitionInOrder) {
    const std::string text = dataset::datasetManifestJson(sampleManifest(), R"({"generator": {"name": "procedural"}, "seed": 7})");
    EXPECT_LT(text.find("\"format\""), text.find("\"generator\""));
    EXPECT_LT(text.find("\"generator\""), text.find("\"seed\""));
    EXPECT_LT(text.find("\"seed\""), text.find("\"count\""));
    EXPECT_EQ(text.back(), '\n');
    const dataset::DatasetManifest m = dataset::parseDatasetManifest(text, "m.json");
    EXPECT_EQ(m.version, dataset::kDatasetFormatVersion);
    EXPECT_EQ(m.count, 1234567u);
    EXPECT_EQ(m.width, 256);
    EXPECT_EQ(m.height, 128);
    EXPECT_EQ(m.indexDigits, 7);
    EXPECT_TRUE(m.complete);
    ASSERT_TRUE(m.classes);
    EXPECT_EQ(m.classes->entries().size(), annotate::ClassTable::defaultTable().entries().size());
    // Same input, same bytes: shards of one run write identical manifests.
    EXPECT_EQ(text, dataset::datasetManifestJson(sampleManifest(), R"({"generator": {"name": "procedural"}, "seed": 7})"));

    dataset::DatasetManifest noSeg = sampleManifest();
    noSeg.classes.reset();
    EXPECT_FALSE(dataset::parseDatasetManifest(dataset::datasetManifestJson(noSeg), "m.json").classes);
}

TEST(DatasetManifest, DefaultsForOptionalFields) {
    const dataset::DatasetManifest m = dataset::parseDatasetManifest(
        R"({"format": "synthforge-dataset", "version": 1, "width": 64, "height": 64, "count": 12, "classes": null})", "m");
    EXPECT_EQ(m.indexDigits, 6);
    EXPECT_FALSE(m.complete);
}

TEST(DatasetManifest, RefusesNewerVersionsAndBadFieldsNamingThem) {
    expectError(with("version", "2"), "version: 2 is newer than this build understands");
    expectError(with("version", "0"), "version: not a positive integer");
    expectError(with("version", "\"1\""), "version: not a positive integer");
    expectError(with("format", "\"labelme\""), "format: not \"synthforge-dataset\"");
    expectError(with("width", "8"), "width: not an image side");
    expectError(with("height", "1e9"), "height: not an image side");
    expectError(with("count", "-1"), "count: not a non-negative integer");
    expectError(with("count", "\"many\""), "count: not a non-negative integer");
    expectError(with("index_digits", "6"), "index_digits: 6 digits cannot name 1234567 samples");
    expectError(with("index_digits", "99"), "index_digits: not an integer in 6..20");
    expectError(with("complete", "\"yes\""), "complete: not true or false");
    expectError(with("classes", "[{\"id\": 1}]"), "classes");
    expectError(with("width", ""), "width: missing");
    expectError(with("classes", ""), "classes: missing");
    expectError("[1, 2]", "not a JSON object");
    expectError("", "not valid JSON");
}

TEST(DatasetManifest, EveryTruncationIsACleanError) {
    const std::string text = dataset::datasetManifestJson(sampleManifest(), R"({"seed": 7})");
    for (std::size_t n = 0; n + 2 < text.size(); ++n) {
        const std::string e = errorOf(text.substr(0, n));
        ASSERT_EQ(e.rfind("ds/manifest.json: ", 0), 0u) << n << ": '" << e << "'";
    }
}

TEST(DatasetManifest, ReadsFromAFolderWithClearErrorsForNonDatasets) {
    testutil::TempDir dir;
    try {
        dataset::readDatasetManifest(dir.file("nothing"));
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("not a folder"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(dataset::hasDatasetManifest(dir.path.string()));
    try {
        dataset::readDatasetManifest(dir.path.string());
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("no manifest.json"), std::string::npos) << e.what();
    }
    std::ofstream(dir.file("manifest.json")) << dataset::datasetManifestJson(sampleManifest());
    EXPECT_TRUE(dataset::hasDatasetManifest(dir.path.string()));
    EXPECT_EQ(dataset::readDatasetManifest(dir.path.string()).count, 1234567u);
}

TEST(DatasetManifest, WriterRefusesDefinitionsThatWouldBreakIt) {
    EXPECT_THROW(dataset::datasetManifestJson(sampleManifest(), R"({"count": 3})"), std::invalid_argument);
    EXPECT_THROW(dataset::datasetManifestJson(sampleManifest(), "[1]"), std::invalid_argument);
    EXPECT_THROW(dataset::datasetManifestJson(sampleManifest(), "{"), std::invalid_argument);
    dataset::DatasetManifest bad = sampleManifest();
    bad.width = 3;
    EXPECT_THROW(dataset::datasetManifestJson(bad), std::invalid_argument);
}

TEST(DatasetManifest, SameDefinitionIgnoresOnlyCompleteness) {
    dataset::DatasetManifest a = sampleManifest(), b = sampleManifest();
    b.complete = false;
    std::string differs = "x";
    EXPECT_TRUE(dataset::sameDatasetDefinition(dataset::datasetManifestJson(a, R"({"seed": 1})"),
                                               dataset::datasetManifestJson(b, R"({"seed": 1})"), &differs));
    EXPECT_EQ(differs, "");
    b.width = 512;
    EXPECT_FALSE(dataset::sameDatasetDefinition(dataset::datasetManifestJson(a, R"({"seed": 1, "sampler": {}})"),
                                                dataset::datasetManifestJson(b, R"({"seed": 2})"), &differs));
    EXPECT_EQ(differs, "seed, width, sampler");
    EXPECT_FALSE(dataset::sameDatasetDefinition("{", "{}", &differs));
}

TEST(SamplePaths, NamesAndListing) {
    EXPECT_EQ(dataset::indexDigits(10), 6);
    EXPECT_EQ(dataset::indexDigits(1000000), 6);
    EXPECT_EQ(dataset::indexDigits(1000001), 7);
    EXPECT_EQ(dataset::sampleName(42, 8), "00000042");
    const dataset::SamplePaths p = dataset::samplePaths("/d", "000003");
    EXPECT_EQ(p.image, "/d/images/000003.png");
    EXPECT_EQ(p.seg, "/d/seg/000003.png");
    EXPECT_EQ(p.depth, "/d/depth/000003.tiff");
    EXPECT_EQ(p.normals, "/d/normals/000003.png");
    EXPECT_EQ(p.annotation, "/d/annotations/000003.json");

    testutil::TempDir dir;
    EXPECT_TRUE(dataset::listCompleteSamples(dir.path.string()).empty());
    std::filesystem::create_directories(dir.path / "annotations");
    for (const char* name : {"0000010", "000002", "000010", "notes", "000001.json.tmp123", "12"})
        std::ofstream(dir.path / "annotations" / (std::string(name) + ".json")) << "{}";
    const std::vector<std::string> names = dataset::listCompleteSamples(dir.path.string());
    EXPECT_EQ(names, (std::vector<std::string>{"000002", "000010", "0000010"}));
}
