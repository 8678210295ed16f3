#include "widgets/viewport/albedo_bake.h"

#include <iostream>

#include <QtConcurrent/QtConcurrentRun>

#include "render/albedo_texture.h"

namespace synthforge::widgets {

AlbedoBake::AlbedoBake(QObject* parent) : QObject(parent) {
    connect(&watcher_, &QFutureWatcher<Job>::finished, this, &AlbedoBake::jobFinished);
}

// A bake still running owns copies of all it reads: it need not be waited for.
AlbedoBake::~AlbedoBake() = default;

void AlbedoBake::setPipeline(std::shared_ptr<const generate::SamplePipeline> pipeline) {
    pipeline_ = std::move(pipeline);
    // The atlas depends on the pipeline's label map: rebuild it.
    atlas_.reset();
    atlasModel_ = nullptr;
    z_.resize(0);
}

bool AlbedoBake::isCurrent(const Eigen::VectorXf& z) const {
    return atlasModel_ && atlasModel_ == model_.get() && z.size() == z_.size() && z == z_;
}

void AlbedoBake::request(const Eigen::VectorXf& z) {
    if (!model_ || !model_->hasUv()) return;
    const bool sameModel = atlasModel_ == model_.get();
    if (sameModel && z.size() == z_.size() && z == z_) return;
    if (watcher_.isRunning()) return;  // finished() lets the owner ask again for whatever is current then
    std::shared_ptr<const head::HeadModel> model = model_;
    std::shared_ptr<const generate::AppearanceAtlas> atlas = sameModel ? atlas_ : nullptr;
    cv::Mat labels;
    if (pipeline_ && pipeline_->labels && pipeline_->model == model_) labels = pipeline_->labels->original();
    // The job owns copies of all it reads.
    watcher_.setFuture(QtConcurrent::run([model, atlas, labels, z]() {
        Job job;
        job.model = model.get();
        job.z = z;
        try {
            job.atlas = atlas ? atlas : std::make_shared<const generate::AppearanceAtlas>(*model, labels, kAtlasSize);
            job.image = render::bakeAlbedoTexture(*job.atlas, generate::appearanceFromLatent(z), kAlbedoSize);
        } catch (const std::exception& e) {
            job.error = QString::fromStdString(e.what());
        }
        return job;
    }));
}

void AlbedoBake::jobFinished() {
    const Job job = watcher_.result();
    if (!job.error.isEmpty()) {
        std::cerr << "synthforge-studio: viewport texture: " << job.error.toStdString() << std::endl;
    } else if (job.model == model_.get()) {
        atlas_ = job.atlas;
        atlasModel_ = job.model;
        z_ = job.z;
        image_ = job.image;
        emit baked();
    }
    emit finished(job.error.isEmpty());
}

}  // namespace synthforge::widgets
