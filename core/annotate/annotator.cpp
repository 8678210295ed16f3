#include "core/annotate/annotator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Geometry>

#include "core/raster/mesh_normals.h"

namespace synthforge::annotate {

namespace {

void fillSegmentation(const head::HeadModel& model, const UvLabelMap& labels, Annotations& a) {
    const raster::RasterResult& r = a.raster;
    a.segmentation.create(a.height, a.width, CV_8UC1);
    for (int y = 0; y < a.height; ++y) {
        auto* row = a.segmentation.ptr<std::uint8_t>(y);
        for (int x = 0; x < a.width; ++x) {
            const std::size_t i = r.index(x, y);
            const std::int32_t f = r.triangleId[i];
            if (f < 0) {
                row[x] = 0;
                continue;
            }
            const float b0 = r.bary0[i], b1 = r.bary1[i], b2 = 1.0f - b0 - b1;
            const auto t = model.uvFaces.row(f);
            const Eigen::RowVector2f uv = b0 * model.uv.row(t[0]) + b1 * model.uv.row(t[1]) + b2 * model.uv.row(t[2]);
            row[x] = labels.classAt(uv.x(), uv.y());
        }
    }
}

void fillDepth(Annotations& a) {
    a.depth.create(a.height, a.width, CV_32FC1);
    std::copy(a.raster.depth.begin(), a.raster.depth.end(), a.depth.ptr<float>(0));
}

void fillNormals(const raster::Vertices& cam, const raster::Triangles& faces, Annotations& a) {
    const raster::Vertices n = raster::vertexNormals(cam, faces);
    const raster::RasterResult& r = a.raster;
    // Which faces are seen from behind, once per face rather than per pixel:
    // a normal pointing away from the camera belongs to a back face seen
    // through an opening (mouth bag, eye socket), and the visible side's
    // normal is its negation. The test geometric . p has the same value for
    // every point p of a flat triangle, so its corner v0 decides exactly.
    std::vector<std::uint8_t> backFacing(static_cast<std::size_t>(faces.rows()), 0);
    for (Eigen::Index f = 0; f < faces.rows(); ++f) {
        const auto v0 = cam.row(faces(f, 0)), v1 = cam.row(faces(f, 1)), v2 = cam.row(faces(f, 2));
        const Eigen::Vector3f geometric = (v1 - v0).cross(v2 - v0).transpose();
        backFacing[static_cast<std::size_t>(f)] = geometric.dot(v0.transpose()) > 0.0f;
    }
    a.normals.create(a.height, a.width, CV_32FC3);
    for (int y = 0; y < a.height; ++y) {
        auto* row = a.normals.ptr<cv::Vec3f>(y);
        for (int x = 0; x < a.width; ++x) {
            const std::size_t i = r.index(x, y);
            const std::int32_t f = r.triangleId[i];
            if (f < 0) {
                row[x] = cv::Vec3f(0, 0, 0);
                continue;
            }
            const float b0 = r.bary0[i], b1 = r.bary1[i], b2 = 1.0f - b0 - b1;
            const int i0 = faces(f, 0), i1 = faces(f, 1), i2 = faces(f, 2);
            Eigen::Vector3f nn = (b0 * n.row(i0) + b1 * n.row(i1) + b2 * n.row(i2)).transpose();
            if (backFacing[static_cast<std::size_t>(f)]) nn = -nn;
            const float len = nn.norm();
            if (len > 0.0f) nn /= len;
            row[x] = cv::Vec3f(nn.x(), nn.y(), nn.z());
        }
    }
}

/// FLAME's dynamic contour assumes a frontal camera and a turning head; our
/// cameras orbit instead. The bin therefore comes from the head's rotation
/// relative to this camera, expressed as if seen from the front.
int contourBinForView(const head::HeadPose& pose, const Eigen::Matrix4f& flameToCam) {
    const Eigen::Matrix3f frontalView = Eigen::Vector3f(1.0f, -1.0f, -1.0f).asDiagonal();  // FLAME -> frontal camera
    // flameToCam's linear part is the camera rotation times the FLAME-to-world scale.
    const Eigen::Matrix3f cameraRotation = flameToCam.topLeftCorner<3, 3>() / camera::kFlameToWorldScale;
    const Eigen::Matrix3f headInCamera = cameraRotation * pose.jointTransforms[head::kNeck].topLeftCorner<3, 3>();
    return head::contourBinForRotation(frontalView.transpose() * headInCamera);
}

void fillLandmarks(const head::HeadModel& model, const head::HeadPose& pose, const Eigen::Matrix4f& toCam,
                   const raster::Intrinsics& k, float tolerance, Annotations& a) {
    const int L = static_cast<int>(pose.landmarks.rows());
    const bool dynamic = model.landmarks.hasDynamicContour() && L > 0;
    a.contourBin = dynamic ? contourBinForView(pose, toCam) : pose.contourBin;
    const head::RowMatX3f flameLandmarks =
        dynamic ? head::placeLandmarks(model, pose.vertices, a.contourBin) : pose.landmarks;
    a.landmarks3d = camera::transformPoints(toCam, flameLandmarks);
    a.landmarks2d.resize(L, 2);
    a.landmarkVisible.assign(L, 0);
    a.landmarkFaces = L > 0 ? head::landmarkFaces(model, a.contourBin) : std::vector<std::int32_t>{};
    float x0 = std::numeric_limits<float>::infinity(), y0 = x0, x1 = -x0, y1 = -x0;
    for (int i = 0; i < L; ++i) {
        const Eigen::Vector3f p = a.landmarks3d.row(i);
        if (!(p.z() > 0.0f)) {
            a.landmarks2d.row(i).setConstant(std::numeric_limits<float>::quiet_NaN());
            continue;
        }
        const float u = k.fx * p.x() / p.z() + k.cx, v = k.fy * p.y() / p.z() + k.cy;
        a.landmarks2d.row(i) << u, v;
        a.landmarkVisible[i] = raster::pointVisible(a.raster, u, v, p.z(), tolerance) ? 1 : 0;
        x0 = std::min(x0, u), y0 = std::min(y0, v), x1 = std::max(x1, u), y1 = std::max(y1, v);
    }
    if (x1 > x0 && y1 > y0) a.faceBox = {x0, y0, x1, y1};
}

}  // namespace

Eigen::Matrix4f flameToCamera(const camera::PinholeCamera& camera) {
    return camera.world2cam() * camera::flameToWorldMatrix();
}

int contourBinForCamera(const head::HeadModel& model, const head::HeadPose& pose, const camera::PinholeCamera& camera) {
    if (!model.landmarks.hasDynamicContour() || pose.landmarks.rows() == 0) return pose.contourBin;
    return contourBinForView(pose, flameToCamera(camera));
}

Annotations annotate(const head::HeadModel& model, const head::HeadPose& pose, const camera::PinholeCamera& camera,
                     int width, int height, const UvLabelMap* labels, const AnnotationOptions& options) {
    if (pose.vertices.rows() != model.numVertices())
        throw std::invalid_argument("annotate: the pose has " + std::to_string(pose.vertices.rows()) +
                                    " vertices, the model " + std::to_string(model.numVertices()));
    if (options.segmentation) {
        if (!labels || labels->empty())
            throw std::invalid_argument("annotate: segmentation needs a UV label map");
        if (!model.hasUv())
            throw std::invalid_argument("annotate: segmentation needs a model with UVs (" + model.name +
                                        " has none)");
    }
    Annotations a;
    a.width = width;
    a.height = height;
    const Eigen::Matrix4f toCam = flameToCamera(camera);
    const raster::Vertices cam = camera::transformPoints(toCam, pose.vertices);
    const raster::Intrinsics k = raster::Intrinsics::fromMatrix(camera.intrinsicsPixels(width, height));
    raster::RasterOptions ro;
    ro.threads = options.threads;
    const auto t0 = std::chrono::steady_clock::now();
    raster::rasterize(cam, k, model.faces, width, height, ro, a.raster);
    a.rasterSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    if (options.segmentation) fillSegmentation(model, *labels, a);
    fillDepth(a);
    if (options.normals) fillNormals(cam, model.faces, a);
    fillLandmarks(model, pose, toCam, k, options.visibilityTolerance, a);
    return a;
}

}  // namespace synthforge::annotate
