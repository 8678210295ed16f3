#include "widgets/align/density_job.h"

#include <chrono>
#include <exception>

#include <QMetaObject>
#include <QPointer>

#include "widgets/align/align_geometry.h"

namespace synthforge::widgets {

namespace {
/// Hands progress to the GUI thread; drops updates when the context is gone.
class PostingSink : public jobs::ProgressSink {
public:
    PostingSink(QObject* context, std::function<void(std::uint64_t, std::uint64_t)> f)
        : context_(context), f_(std::move(f)) {}
    void update(const jobs::ProgressUpdate& u) override { post(u); }
    void finish(const jobs::ProgressUpdate& u) override { post(u); }

private:
    void post(const jobs::ProgressUpdate& u) {
        if (!f_) return;
        QMetaObject::invokeMethod(context_, [f = f_, done = u.done, total = u.total] { f(done, total); },
                                  Qt::QueuedConnection);
    }
    QObject* context_;
    std::function<void(std::uint64_t, std::uint64_t)> f_;
};
}  // namespace

DensityJob::DensityJob(QObject* context, DensityRequest request, Callbacks callbacks) {
    thread_ = std::thread([this, context, request = std::move(request), cb = std::move(callbacks)] {
        const auto post = [context](std::function<void()> f) {
            QMetaObject::invokeMethod(context, std::move(f), Qt::QueuedConnection);
        };
        try {
            const auto t0 = std::chrono::steady_clock::now();
            auto result = std::make_shared<DensityResult>();
            if (!request.generator || !request.model) throw std::invalid_argument("no generator or head model loaded yet");
            result->model = request.model;
            result->pose = head::forward(*request.model, request.scene.params);
            const generate::SampleSpec spec =
                request.scene.toSampleSpec(request.generator->capabilities().latentDim);
            generate::GeneratorInput in;
            in.z = &spec.z;
            in.vertices = &result->pose.vertices;
            in.camera = spec.camera.pinhole();
            align::SampleOptions options;
            options.threads = 0;        // the view waits for it; use every core
            options.slabsPerCall = 0;   // spread the procedural density's per-call set-up
            PostingSink sink(context, cb.progress);
            result->grid = align::sampleDensity(*request.generator, in, alignGridSpec(result->pose, request.resolution),
                                                options, &sink, &cancel_);
            result->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            if (cb.done) post([f = cb.done, r = std::shared_ptr<const DensityResult>(result)] { f(r); });
        } catch (const jobs::Cancelled&) {
            if (cb.cancelled) post(cb.cancelled);
        } catch (const std::exception& e) {
            if (cb.error) post([f = cb.error, m = QString::fromUtf8(e.what())] { f(m); });
        }
    });
}

DensityJob::~DensityJob() {
    cancel_.cancel();
    if (thread_.joinable()) thread_.join();
}

}  // namespace synthforge::widgets
