#pragma once
// The textured mode's albedo: the procedural generator's appearance for a
// latent z baked into a texture over the head's UVs, on a worker thread
// (baking the atlas takes ~0.3 s once per model and label map, the texture
// ~0.1 s per z: too slow for the GUI thread). At most one bake runs; a
// request made meanwhile is not queued: the owner asks again on finished().

#include <memory>

#include <Eigen/Core>
#include <QFutureWatcher>
#include <QImage>
#include <QObject>
#include <QString>

#include "core/generate/appearance.h"
#include "core/generate/sample_pipeline.h"
#include "core/head/head_model.h"

namespace synthforge::widgets {

class AlbedoBake : public QObject {
    Q_OBJECT
public:
    /// The generator's atlas resolution (ProceduralGeneratorOptions::atlasSize).
    static constexpr int kAtlasSize = 512;
    /// Texels per side of the baked albedo: twice the atlas, whose lookups are bilinear.
    static constexpr int kAlbedoSize = 1024;

    explicit AlbedoBake(QObject* parent = nullptr);
    ~AlbedoBake() override;

    /// The head the texture is for; a result for another head is dropped.
    void setModel(std::shared_ptr<const head::HeadModel> model) { model_ = std::move(model); }
    /// Its label map feeds the atlas (the generator's own) when the pipeline
    /// is for the same head; without it the texture has plain skin. Drops
    /// the atlas and the baked z.
    void setPipeline(std::shared_ptr<const generate::SamplePipeline> pipeline);

    /// Starts a bake for `z` unless the image for the current head and z is
    /// there, the head has no UVs, or a bake runs.
    void request(const Eigen::VectorXf& z);
    /// The image is for the current head and `z`.
    bool isCurrent(const Eigen::VectorXf& z) const;
    const QImage& image() const { return image_; }

signals:
    /// image() changed (for the current head).
    void baked();
    /// A bake ended (`ok` false after an error): the scene may have moved on meanwhile.
    void finished(bool ok);

private:
    struct Job {
        const head::HeadModel* model = nullptr;
        std::shared_ptr<const generate::AppearanceAtlas> atlas;
        Eigen::VectorXf z;
        QImage image;
        QString error;
    };
    void jobFinished();

    std::shared_ptr<const head::HeadModel> model_;
    std::shared_ptr<const generate::SamplePipeline> pipeline_;
    QFutureWatcher<Job> watcher_;
    std::shared_ptr<const generate::AppearanceAtlas> atlas_;
    const head::HeadModel* atlasModel_ = nullptr;
    Eigen::VectorXf z_;
    QImage image_;
};

}  // namespace synthforge::widgets
