#pragma once
// Writes a dataset (dataset_layout.h) with several worker threads, sharded,
// resumable and safe to kill at any moment:
//
//  - every file is written atomically (temporary name, then rename), the
//    annotation JSON last: a sample is complete exactly when its annotation
//    file exists;
//  - manifest.json says what the dataset is. A folder whose manifest
//    describes another dataset (generator, head, sampler, seed, count, size,
//    classes, formats) is refused unless `force`; so is a non-empty folder
//    without a manifest. Shards of one run write identical manifests;
//  - with `resume`, complete samples of this shard are kept and the rest
//    (re)written, after removing this shard's stale temporary files; without
//    it, a folder already holding samples of this shard is refused;
//  - when the last sample of the whole dataset lands (whichever shard writes
//    it), the manifest is rewritten with "complete": true.
//
// A killed run restarted with `resume` therefore ends with exactly the files
// an uninterrupted run writes, byte for byte.

#include <cstdint>
#include <memory>
#include <string>

#include "core/generate/dataset_layout.h"
#include "core/generate/sample_pipeline.h"
#include "core/generate/shard.h"
#include "core/jobs/progress.h"

namespace synthforge::generate {

struct DatasetOptions {
    std::string outDir;
    std::uint64_t count = 0;
    std::uint64_t seed = 0;
    Shard shard;
    bool resume = false;
    bool force = false;    ///< write into a folder holding something else (never deletes it)
    bool normals = false;  ///< also write normals/
    DatasetFormats formats;
    int workers = 0;       ///< threads; 0 = all cores
    int pngCompression = 1;  ///< zlib level 0..9 for PNGs (1: fast; ids and images compress well anyway)
    std::string headSource;  ///< how the head model was named (recorded in the manifest)
};

struct DatasetRunResult {
    std::uint64_t written = 0;   ///< samples written by this run
    std::uint64_t skipped = 0;   ///< samples of this shard already complete (resume)
    double seconds = 0;
    StageTimes stageTotals;      ///< summed over written samples (CPU-side wall time per stage)
    double encodeSeconds = 0, writeSeconds = 0;
    bool datasetComplete = false;  ///< every sample of every shard is present
};

/// The manifest text for a run (deterministic: shards write the same bytes).
std::string datasetManifestJson(const SamplePipeline& pipeline, const DatasetOptions& options, bool complete);

/// Runs (this shard of) the dataset. Throws std::runtime_error naming the
/// path for unwritable folders, full disks and folders holding another
/// dataset, std::invalid_argument for bad options, jobs::Cancelled when
/// `cancel` fires (complete samples stay; partial ones leave no file).
DatasetRunResult writeDataset(const SamplePipeline& pipeline, const DatasetOptions& options,
                              jobs::ProgressSink* progress = nullptr, const jobs::CancelToken* cancel = nullptr);

}  // namespace synthforge::generate
