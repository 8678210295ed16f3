#include "app/studio/export_tasks.h"

#include <stdexcept>

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <opencv2/imgcodecs.hpp>

#include "core/generate/dataset_layout.h"
#include "core/head/posed_mesh.h"
#include "core/io/file_util.h"

namespace synthforge::widgets {

void writeSampleFolder(const QString& dir, const generate::RenderedSample& sample) {
    const std::string root = dir.toStdString(), name = generate::indexName(0, 6);
    for (const char* sub : {"images", "seg", "depth", "annotations"})
        if (!QDir(dir).mkpath(QString::fromLatin1(sub))) throw std::runtime_error(root + "/" + sub + ": cannot create");
    auto write = [](const std::string& path, const cv::Mat& m) {
        if (!m.empty() && !cv::imwrite(path, m)) throw std::runtime_error(path + ": cannot write");
    };
    write(root + "/images/" + name + ".png", sample.image.image);
    write(root + "/seg/" + name + ".png", sample.annotations.segmentation);
    write(root + "/depth/" + name + ".tiff", sample.annotations.depth);
    // Last, as in a dataset: its presence marks the sample complete.
    io::writeFileAtomic(root + "/annotations/" + name + ".json",
                        generate::sampleAnnotationJson(sample, 0, sample.annotations.width, sample.annotations.height));
}

void writePosedMesh(const QString& path, const head::HeadModel& model, const head::HeadParams& params) {
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext != QLatin1String("obj") && ext != QLatin1String("ply") && ext != QLatin1String("gltf") &&
        ext != QLatin1String("glb"))
        throw std::runtime_error(path.toStdString() + ": unknown mesh format '." + ext.toStdString() +
                                 "' (use .obj, .ply, .gltf or .glb)");
    head::exportPosedMesh(path.toStdString(), model, params);
}

void writeScreenshot(const QString& path, const QImage& image) {
    if (image.isNull()) throw std::runtime_error(path.toStdString() + ": nothing to save (empty image)");
    QString target = path;
    if (QFileInfo(path).suffix().isEmpty()) target += QStringLiteral(".png");
    // QSaveFile writes to a temporary and renames on commit: a failed save
    // never leaves a truncated screenshot in place of an older one.
    QSaveFile file(target);
    if (!file.open(QIODevice::WriteOnly))
        throw std::runtime_error(target.toStdString() + ": cannot write (" + file.errorString().toStdString() + ")");
    if (!image.save(&file, QFileInfo(target).suffix().toUpper().toLatin1().constData()) || !file.commit())
        throw std::runtime_error(target.toStdString() + ": cannot write the image (" +
                                 file.errorString().toStdString() + ")");
}

}  // namespace synthforge::widgets
