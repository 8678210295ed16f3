#pragma once
// Every scalar curve of one run directory, kept up to date by polling.
//
// Where the curves come from:
//  - When the directory holds TensorBoard event files (any name starting
//    with "events.out.tfevents."; new ones are picked up on poll), the tags
//    are theirs, as written (e.g. "train/loss", "val/nme"). Files are read
//    in name order, which is creation order for our writer and PyTorch's.
//    metrics.csv is then not read: it holds the same values.
//  - Otherwise metrics.csv's columns appear as "csv/<column>" (every column
//    but `step`), with steps and no wall time.
//
// A resumed run starts a new event file that repeats steps the killed run
// had already logged past its checkpoint. As TensorBoard does, a value whose
// step is lower than the last one of its tag drops that tag's values from
// its step on, so each curve is the run's history as resumed. The rule is
// per tag, so a tag logged only now and then (validation) keeps a value the
// killed run logged past its checkpoint until the resumed run logs that tag
// at an earlier step (our resumes are exact, so it holds the same value).
// Files of separate writers in one directory (each with its own tags) stay
// independent.

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/runs/event_follower.h"
#include "core/runs/metrics_csv.h"
#include "core/runs/scalar_series.h"

namespace synthforge::runs {

using ScalarMap = std::map<std::string, std::vector<ScalarPoint>>;

class RunScalarSource {
public:
    /// Reads nothing yet; the directory need not exist.
    explicit RunScalarSource(std::string runDir);
    ~RunScalarSource();
    RunScalarSource(RunScalarSource&&) noexcept;
    RunScalarSource& operator=(RunScalarSource&&) noexcept;

    /// Reads what the run wrote since the last call; true when a curve changed.
    bool poll();

    const std::string& runDir() const { return runDir_; }
    /// tag -> points, each sorted by step.
    const ScalarMap& scalars() const { return scalars_; }
    /// True when the curves come from event files, false when from metrics.csv.
    bool fromEventFiles() const { return !events_.empty(); }
    /// The event files followed, in reading order.
    std::vector<std::string> eventFiles() const;
    /// Every reader's warnings (each names its file), then the source's own.
    std::vector<std::string> warnings() const;

private:
    void rebuildFromEvents();
    void rebuildFromCsv();

    std::string runDir_;
    std::vector<std::unique_ptr<EventFileFollower>> events_;  ///< in name order
    std::unique_ptr<MetricsCsvFollower> csv_;
    ScalarMap scalars_;
    std::vector<std::string> ownWarnings_;
};

/// Appends `p` to a tag's curve, first dropping the points at or after
/// p.step when p.step goes back (a resumed run's repeated steps).
void appendScalar(std::vector<ScalarPoint>& curve, const ScalarPoint& p);

}  // namespace synthforge::runs
