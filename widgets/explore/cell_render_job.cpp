#include "widgets/explore/cell_render_job.h"

#include <exception>
#include <memory>

#include "core/annotate/overlays.h"
#include "core/scene/scene_pipeline.h"
#include "widgets/mat_image.h"

namespace synthforge::widgets {

CellRenderJob::CellRenderJob(QObject* context, scene::Scene sc, int tile, std::string overlay, MakeSpecs makeSpecs,
                             Callbacks cb) {
    thread_ = std::thread([this, context, sc = std::move(sc), tile, overlay = std::move(overlay),
                           makeSpecs = std::move(makeSpecs), cb = std::move(cb)] {
        auto post = [context](std::function<void()> f) { QMetaObject::invokeMethod(context, std::move(f), Qt::QueuedConnection); };
        std::shared_ptr<generate::SamplePipeline> p;
        std::vector<generate::SampleSpec> specs;
        try {
            p = std::make_shared<generate::SamplePipeline>(scene::buildScenePipeline(sc.headModel, sc.generator, tile, tile));
            p->annotation.segmentation = overlay == "segmentation" && p->labels;
            p->annotation.normals = false;
            specs = makeSpecs(*p);
        } catch (const std::exception& e) {
            const QString msg = QString::fromUtf8(e.what());
            post([cb, msg] { cb.error(msg); });
            return;
        }
        post([cb, specs] { cb.specs(specs); });
        auto next = std::make_shared<std::atomic<int>>(0);
        const int n = static_cast<int>(specs.size());
        auto work = [&] {
            for (int i; !cancel_ && (i = (*next)++) < n;) {
                QImage image;
                try {
                    const generate::RenderedSample s = p->render(specs[static_cast<std::size_t>(i)]);
                    const annotate::Annotations& a = s.annotations;
                    cv::Mat shown = s.image.image;
                    if (overlay == "landmarks")
                        shown = annotate::drawLandmarks(shown, a.landmarks2d, a.landmarkVisible);
                    else if (overlay == "segmentation" && !a.segmentation.empty() && p->outputClasses())
                        shown = annotate::blendSegmentation(shown, a.segmentation, *p->outputClasses(), 0.5f);
                    image = toQImage(shown);
                } catch (const std::exception& e) {
                    const QString msg = QString::fromUtf8(e.what());
                    post([cb, msg] { cb.error(msg); });
                    cancel_ = true;
                    return;
                }
                post([cb, i, image] { cb.cell(i, image); });
            }
        };
        std::thread helper(work);
        work();
        helper.join();
    });
}

CellRenderJob::~CellRenderJob() { stop(); }

void CellRenderJob::stop() {
    cancel_ = true;
    if (thread_.joinable()) thread_.join();
}

}  // namespace synthforge::widgets
