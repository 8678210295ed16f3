#pragma once
// What File > Export writes, as plain functions that run on a worker thread
// (QtConcurrent): writing PNG/TIFF files or a mesh takes tens to hundreds of
// milliseconds, which must not stall the interface. Each throws
// std::runtime_error naming the file it could not write.

#include <QImage>
#include <QString>

#include "core/generate/sample_pipeline.h"
#include "core/head/head_model.h"

namespace synthforge::widgets {

/// The same files as one dataset sample (docs/dataset.md), named 000000:
/// images/, seg/ (when there are labels), depth/ (float32 TIFF) and
/// annotations/ (JSON, written last, as in a dataset).
void writeSampleFolder(const QString& dir, const generate::RenderedSample& sample);

/// The posed mesh of `params` by extension: .obj, .ply, .gltf or .glb.
void writePosedMesh(const QString& path, const head::HeadModel& model, const head::HeadParams& params);

/// A screenshot (PNG, JPEG, … by extension; PNG when there is none).
void writeScreenshot(const QString& path, const QImage& image);

}  // namespace synthforge::widgets
