#pragma once
// manifest.json of a SynthForge dataset (docs/dataset.md): what every reader
// needs from it, read and validated in one place. The writer
// (core/generate/dataset_writer.h) adds what defines the run (generator,
// head model, sampler, seed, label map, formats) through
// datasetManifestJson's `definitionJson`; readers keep only the fields below.

#include <cstdint>
#include <memory>
#include <string>

#include "core/annotate/class_table.h"

namespace synthforge::dataset {

/// The format name in "format", and the newest version this build reads and
/// writes. A newer version is refused with a clear error, never guessed at.
inline constexpr const char* kDatasetFormat = "synthforge-dataset";
constexpr int kDatasetFormatVersion = 1;
/// Manifests are a few kB; a cap keeps a wrong file (a video...) from being read whole.
constexpr std::uint64_t kMaxManifestBytes = 16u << 20;
/// Image sides a dataset may declare.
constexpr int kMinSampleSide = 16, kMaxSampleSide = 32768;

struct DatasetManifest {
    int version = kDatasetFormatVersion;
    std::uint64_t count = 0;  ///< samples the dataset announces
    int width = 0, height = 0;
    int indexDigits = 6;      ///< digits of sample file names
    bool complete = false;    ///< every sample of every shard is written
    /// The class table of seg/; null when the dataset has no segmentation.
    std::shared_ptr<const annotate::ClassTable> classes;
};

/// <datasetDir>/manifest.json
std::string manifestPath(const std::string& datasetDir);
/// Whether <datasetDir>/manifest.json exists (a file).
bool hasDatasetManifest(const std::string& datasetDir);

/// Parses and validates manifest text; `path` names it in errors. Throws
/// std::runtime_error "<path>: <field>: <what>" for text that is not a JSON
/// object, a wrong "format", a "version" that is not a positive integer or is
/// newer than kDatasetFormatVersion, a width/height outside
/// kMinSampleSide..kMaxSampleSide, a count that is not a non-negative
/// integer, index_digits too few for the count or outside 6..20, a
/// non-boolean "complete", and a missing or invalid "classes" (null is
/// allowed: no segmentation).
DatasetManifest parseDatasetManifest(const std::string& text, const std::string& path);

/// Reads <datasetDir>/manifest.json: "<dir>: not a folder", "<dir>: no
/// manifest.json (not a SynthForge dataset)", an unreadable file, then
/// parseDatasetManifest's errors.
DatasetManifest readDatasetManifest(const std::string& datasetDir);

/// The manifest text (2-space indented JSON, one trailing newline): format,
/// version, then every key of `definitionJson` (a JSON object) in its order,
/// then count, width, height, classes, index_digits and complete from `m`.
/// Deterministic, so shards of one run write the same bytes. The result is
/// checked with parseDatasetManifest (std::invalid_argument if it fails);
/// `definitionJson` must not hold the keys written from `m`.
std::string datasetManifestJson(const DatasetManifest& m, const std::string& definitionJson = "{}");

/// `a` and `b` (two manifests' texts) define the same dataset: equal in
/// everything but "complete". Names the keys that differ in `differs`
/// (comma-separated) when they do not.
bool sameDatasetDefinition(const std::string& a, const std::string& b, std::string* differs = nullptr);

}  // namespace synthforge::dataset
