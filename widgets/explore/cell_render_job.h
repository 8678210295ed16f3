#pragma once
// Renders a list of samples off the GUI thread for the explorer's views
// (grid, interpolation strip): builds the scene's pipeline there (loading
// the head model is slow), asks for the specs, renders them on two workers
// with an optional overlay, and hands each picture back on the GUI thread
// of `context`. Destroying the job stops it and joins its threads, so a
// view that owns its job may be destroyed at any time; callbacks queued
// before that are dropped with the context object if it goes too.

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <QImage>
#include <QObject>
#include <QString>

#include "core/generate/sample_pipeline.h"
#include "core/scene/scene.h"

namespace synthforge::widgets {

class CellRenderJob {
public:
    using MakeSpecs = std::function<std::vector<generate::SampleSpec>(const generate::SamplePipeline&)>;
    struct Callbacks {
        std::function<void(std::vector<generate::SampleSpec>)> specs;  ///< once, before any cell
        std::function<void(int, QImage)> cell;                         ///< per finished cell
        std::function<void(QString)> error;                            ///< and the job ends
    };
    /// Starts at once. `overlay` is "none", "landmarks" or "segmentation".
    CellRenderJob(QObject* context, scene::Scene scene, int tile, std::string overlay, MakeSpecs makeSpecs,
                  Callbacks callbacks);
    ~CellRenderJob();
    CellRenderJob(const CellRenderJob&) = delete;
    CellRenderJob& operator=(const CellRenderJob&) = delete;

    /// Stops the workers and waits for them.
    void stop();

private:
    std::atomic<bool> cancel_{false};
    std::thread thread_;
};

}  // namespace synthforge::widgets
