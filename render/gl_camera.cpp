#include "render/gl_camera.h"

#include <stdexcept>

namespace synthforge::render {

Eigen::Matrix4f openCvToGl() {
    Eigen::Matrix4f f = Eigen::Matrix4f::Identity();
    f(1, 1) = -1.0f;
    f(2, 2) = -1.0f;
    return f;
}

Eigen::Matrix4f projectionFromIntrinsics(const raster::Intrinsics& k, int width, int height, float nearZ, float farZ) {
    if (width <= 0 || height <= 0) throw std::invalid_argument("projectionFromIntrinsics: size must be positive");
    if (!(nearZ > 0.0f) || !(farZ > nearZ)) throw std::invalid_argument("projectionFromIntrinsics: need 0 < near < far");
    const float w = static_cast<float>(width), h = static_cast<float>(height);
    Eigen::Matrix4f p = Eigen::Matrix4f::Zero();
    p(0, 0) = 2.0f * k.fx / w;
    p(0, 2) = 1.0f - 2.0f * k.cx / w;
    p(1, 1) = 2.0f * k.fy / h;
    p(1, 2) = 2.0f * k.cy / h - 1.0f;
    p(2, 2) = -(farZ + nearZ) / (farZ - nearZ);
    p(2, 3) = -2.0f * farZ * nearZ / (farZ - nearZ);
    p(3, 2) = -1.0f;
    return p;
}

raster::Intrinsics viewportIntrinsics(const camera::PinholeCamera& camera, int sceneWidth, int sceneHeight,
                                      int width, int height) {
    if (sceneWidth <= 0 || sceneHeight <= 0 || width <= 0 || height <= 0)
        throw std::invalid_argument("viewportIntrinsics: sizes must be positive");
    // The scene image scaled to the viewport's height keeps the vertical
    // field of view (what the camera panel shows) whatever the widget's shape.
    const float s = static_cast<float>(height) / static_cast<float>(sceneHeight);
    const float shownWidth = static_cast<float>(sceneWidth) * s;
    const raster::Intrinsics scene = raster::Intrinsics::fromMatrix(camera.intrinsicsPixels(sceneWidth, sceneHeight));
    raster::Intrinsics k = scene.scaled(s);
    k.cx += 0.5f * (static_cast<float>(width) - shownWidth);
    return k;
}

GlCamera glCamera(const camera::PinholeCamera& camera, int sceneWidth, int sceneHeight, int width, int height) {
    GlCamera c;
    c.view = openCvToGl() * camera.world2cam();
    c.projection = projectionFromIntrinsics(viewportIntrinsics(camera, sceneWidth, sceneHeight, width, height),
                                            width, height);
    return c;
}

}  // namespace synthforge::render
