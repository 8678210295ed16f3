#pragma once
// Runs grouped into one curve per group (as Weights & Biases groups runs by a
// config value, e.g. the seeds of one setting): the mean of the runs' values
// at each step every run of the group has, per tag.

#include <map>
#include <string>
#include <vector>

#include "core/runs/run_scalars.h"

namespace synthforge::runs {

/// Per tag, the mean over `runs` (null entries skipped) at the steps that
/// every run holding that tag has; wall time is the mean too. A tag only
/// some runs have is averaged over those. Points come out in step order; a
/// run's repeated step counts once (its last value).
ScalarMap meanOfRuns(const std::vector<const ScalarMap*>& runs);

}  // namespace synthforge::runs
