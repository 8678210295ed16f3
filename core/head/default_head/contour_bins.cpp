// A FLAME-style dynamic jaw contour for the default head. iBUG's contour
// points 0..16 mark the face's visible outline, which moves over the skin
// as the head turns: seen from the front, the outline of the lower face is
// the cheek and the jaw, not the mandible behind them. FLAME therefore
// stores one 17-point contour per whole degree of yaw (79 bins, see
// contourBinForPose); we compute ours the same way, by looking.
//
// For each bin's yaw the neutral head is rasterised from the front. Each
// contour point starts from its static guide on the mandible (landmarks68.cpp)
// and marches outward in the image, along the ray from the face centre
// through the guide, from 2 cm inside it: the last face-or-scalp pixel before
// the background, a depth step of more than 1.5 cm (the surface falls away
// behind an occluding outline) or another island (ear, neck) is the outline
// point. The rasteriser's triangle and perspective-correct barycentrics at
// that pixel are the embedding, so the point lies exactly on the mesh.

#include <algorithm>
#include <cmath>

#include <Eigen/Geometry>

#include "core/head/default_head/build_parts.h"
#include "core/head/lbs.h"
#include "core/raster/rasterizer.h"

namespace synthforge::head::default_head {

namespace {

constexpr int kBins = 79;
constexpr int kImage = 1024;
constexpr float kCameraDistance = 1.2f;  // metres in front of the face
constexpr float kFocal = 2400.0f;        // pixels: the head spans ~500 px
constexpr float kInsideStart = 0.02f;    // metres inside the guide where the march starts
constexpr float kMarchLength = 0.08f;    // metres covered by the march
constexpr float kDepthStep = 0.015f;     // metres: a larger step is an occluding outline

float binYawRadians(int bin) {
    const int deg = bin <= 39 ? bin : 39 - bin;
    return static_cast<float>(deg) * 3.14159265358979f / 180.0f;
}

struct View {
    Eigen::Matrix3f rotation;  // head frame -> camera frame
    raster::Vertices cam;
    raster::Intrinsics k{kFocal, kFocal, kImage / 2.0f, kImage / 2.0f};
    raster::RasterResult r;

    Eigen::Vector3f toCamera(const Eigen::Vector3f& p) const {
        return rotation * p + Eigen::Vector3f(0.0f, 0.0f, kCameraDistance);
    }
    Eigen::Vector2f project(const Eigen::Vector3f& p) const {
        const Eigen::Vector3f c = toCamera(p);
        return {k.fx * c.x() / c.z() + k.cx, k.fy * c.y() / c.z() + k.cy};
    }
};

View renderBin(const NeutralHead& head, int bin) {
    View v;
    // FLAME's yaw is a rotation about +y; the camera looks at the face from
    // +z with OpenCV axes (y down, z forward): diag(1, -1, -1).
    const Eigen::Matrix3f yaw = Eigen::AngleAxisf(binYawRadians(bin), Eigen::Vector3f::UnitY()).toRotationMatrix();
    v.rotation = Eigen::Vector3f(1.0f, -1.0f, -1.0f).asDiagonal() * yaw;
    v.cam.resize(head.numVertices(), 3);
    for (int i = 0; i < head.numVertices(); ++i)
        v.cam.row(i) = v.toCamera(head.vertices.row(i).transpose()).transpose();
    raster::RasterOptions o;
    o.threads = 1;  // deterministic and cheap enough
    raster::rasterize(v.cam, v.k, head.faces, kImage, kImage, o, v.r);
    return v;
}

bool outlineIsland(std::uint8_t island) {
    return island == static_cast<std::uint8_t>(UvIsland::kFace) || island == static_cast<std::uint8_t>(UvIsland::kScalp);
}

/// Marches from `start` along `dir` (unit, pixels) and returns the pixel
/// index of the outline point, or -1 when the start is not on the face.
std::int64_t marchToOutline(const NeutralHead& head, const View& v, Eigen::Vector2f start, const Eigen::Vector2f& dir,
                            float lengthPx) {
    std::int64_t last = -1;
    float lastDepth = 0.0f;
    for (float t = 0.0f; t <= lengthPx; t += 0.5f) {
        const Eigen::Vector2f q = start + t * dir;
        const int x = static_cast<int>(std::floor(q.x())), y = static_cast<int>(std::floor(q.y()));
        if (x < 0 || y < 0 || x >= kImage || y >= kImage) break;
        const std::size_t i = v.r.index(x, y);
        if (static_cast<std::int64_t>(i) == last) continue;
        const std::int32_t f = v.r.triangleId[i];
        if (f < 0 || !outlineIsland(head.faceIsland[f])) break;
        if (last >= 0 && v.r.depth[i] > lastDepth + kDepthStep) break;
        last = static_cast<std::int64_t>(i);
        lastDepth = v.r.depth[i];
    }
    return last;
}

}  // namespace

void makeContourDynamic(const NeutralHead& head, LandmarkEmbedding& lm) {
    if (lm.staticFaces.size() != static_cast<std::size_t>(kNumLandmarks))
        throw std::logic_error("makeContourDynamic: needs the static 68 embedding");
    // Guides: the static contour points on the rest mesh.
    std::vector<Eigen::Vector3f> guide(kNumContourLandmarks);
    for (int k = 0; k < kNumContourLandmarks; ++k) {
        const auto f = head.faces.row(lm.staticFaces[k]);
        guide[k] = (lm.staticBary(k, 0) * head.vertices.row(f[0]) + lm.staticBary(k, 1) * head.vertices.row(f[1]) +
                    lm.staticBary(k, 2) * head.vertices.row(f[2]))
                       .transpose();
    }
    const Eigen::Vector3f sn = anchor(head, "subnasale"), tragion = anchor(head, "left_tragion");
    const Eigen::Vector3f centre(0.0f, sn.y(), tragion.z());

    lm.dynamicFaces.resize(kBins, kNumContourLandmarks);
    lm.dynamicBary.resize(kBins, 3 * kNumContourLandmarks);
    for (int bin = 0; bin < kBins; ++bin) {
        const View v = renderBin(head, bin);
        const Eigen::Vector2f c2 = v.project(centre);
        for (int k = 0; k < kNumContourLandmarks; ++k) {
            const Eigen::Vector2f g2 = v.project(guide[k]);
            const Eigen::Vector2f dir = (g2 - c2).normalized();
            const float pxPerMetre = kFocal / v.toCamera(guide[k]).z();
            std::int64_t hit =
                marchToOutline(head, v, g2 - kInsideStart * pxPerMetre * dir, dir, kMarchLength * pxPerMetre);
            if (hit < 0) hit = marchToOutline(head, v, g2, dir, kMarchLength * pxPerMetre);
            if (hit < 0)
                throw std::logic_error("default head contour: no outline for point " + std::to_string(k) +
                                       " at bin " + std::to_string(bin));
            lm.dynamicFaces(bin, k) = v.r.triangleId[hit];
            const float b0 = v.r.bary0[hit], b1 = v.r.bary1[hit];
            lm.dynamicBary(bin, 3 * k) = b0;
            lm.dynamicBary(bin, 3 * k + 1) = b1;
            lm.dynamicBary(bin, 3 * k + 2) = 1.0f - b0 - b1;
        }
    }
    // The static part keeps iBUG 17..67.
    lm.staticFaces.erase(lm.staticFaces.begin(), lm.staticFaces.begin() + kNumContourLandmarks);
    lm.staticBary = RowMatX3f(lm.staticBary.bottomRows(kNumStaticFlameLandmarks));
}

}  // namespace synthforge::head::default_head
