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
#include <functional>
#include <optional>
#include <string>

#include "core/generate/dataset_layout.h"
#include "core/generate/sample_pipeline.h"
#include "core/generate/shard.h"
#include "core/jobs/progress.h"

namespace synthforge::generate {

/// What a sample check says of one draw.
struct SampleVerdict {
    bool reject = false;
    double residual = 0.0;  ///< what was thresholded (pixels for the landmark check)
};
struct SampleCheck {
    std::function<SampleVerdict(const RenderedSample&)> judge;  ///< empty: no check
    std::string kind;      ///< recorded in the manifest, e.g. "landmark_residual_px"
    double threshold = 0;  ///< recorded in the manifest
    explicit operator bool() const { return static_cast<bool>(judge); }
};

/// The seed of draw `draw` (>= 1) of every index once a draw was rejected:
/// deterministic, so a resumed or sharded run redraws the same samples.
std::uint64_t replacementSeed(std::uint64_t seed, int draw);

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
    /// Optional: judges each rendered draw (generate --reject-landmark-px).
    /// A rejected draw leaves rejected/<index>_<draw>.json and the index is
    /// drawn again with replacementSeed(seed, draw), up to maxDraws times.
    SampleCheck check;
    int maxDraws = 10;
};

struct DatasetRunResult {
    std::uint64_t written = 0;   ///< samples written by this run
    std::uint64_t skipped = 0;   ///< samples of this shard already complete (resume)
    double seconds = 0;
    StageTimes stageTotals;      ///< summed over written samples (CPU-side wall time per stage)
    double encodeSeconds = 0, writeSeconds = 0;
    bool datasetComplete = false;  ///< every sample of every shard is present
    std::uint64_t rejected = 0;    ///< draws this run rejected (replaced by redraws)
};

/// The manifest text for a run (deterministic: shards write the same bytes).
/// `rejected`: the whole dataset's rejected draws, written once it is complete.
std::string datasetManifestJson(const SamplePipeline& pipeline, const DatasetOptions& options, bool complete,
                                std::optional<std::uint64_t> rejected = std::nullopt);

/// Runs (this shard of) the dataset. Throws std::runtime_error naming the
/// path for unwritable folders, full disks and folders holding another
/// dataset, std::invalid_argument for bad options, jobs::Cancelled when
/// `cancel` fires (complete samples stay; partial ones leave no file).
DatasetRunResult writeDataset(const SamplePipeline& pipeline, const DatasetOptions& options,
                              jobs::ProgressSink* progress = nullptr, const jobs::CancelToken* cancel = nullptr);

}  // namespace synthforge::generate
