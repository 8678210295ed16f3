#pragma once
// Samples the generator's density around the scene's posed head off the GUI
// thread (align::sampleDensity with a cancel token and progress), for the
// alignment view. Results, progress and errors come back on the GUI thread
// of `context`. Destroying the job cancels it and joins its thread, so a
// view that owns its job may drop it at any time.

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include <QObject>
#include <QString>

#include "core/align/density_grid.h"
#include "core/generate/generator.h"
#include "core/head/head_model.h"
#include "core/head/lbs.h"
#include "core/jobs/progress.h"
#include "core/scene/scene.h"

namespace synthforge::widgets {

struct DensityRequest {
    std::shared_ptr<const generate::Generator> generator;
    std::shared_ptr<const head::HeadModel> model;
    scene::Scene scene;
    int resolution = 64;  ///< cells along the box's longest side
};

struct DensityResult {
    std::shared_ptr<const head::HeadModel> model;  ///< the head the grid was sampled around
    head::HeadPose pose;  ///< the scene's posed head, uncorrected (FLAME metres)
    align::ScalarGrid grid;
    double seconds = 0.0;
};

class DensityJob {
public:
    struct Callbacks {
        std::function<void(std::uint64_t done, std::uint64_t total)> progress;
        std::function<void(std::shared_ptr<const DensityResult>)> done;
        std::function<void(QString)> error;  ///< a failure (not a cancel)
        std::function<void()> cancelled;
    };
    /// Starts at once.
    DensityJob(QObject* context, DensityRequest request, Callbacks callbacks);
    ~DensityJob();
    DensityJob(const DensityJob&) = delete;
    DensityJob& operator=(const DensityJob&) = delete;

    /// Asks the sampling to stop (between batches); `cancelled` follows.
    void cancel() { cancel_.cancel(); }

private:
    jobs::CancelToken cancel_;
    std::thread thread_;
};

}  // namespace synthforge::widgets
