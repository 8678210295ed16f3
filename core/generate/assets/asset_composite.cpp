#include "core/generate/assets/asset_composite.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/generate/assets/asset_builders.h"
#include "core/generate/assets/mesh_shapes.h"
#include "core/generate/assets/stubble.h"
#include "core/raster/mesh_normals.h"
#include "core/io/srgb.h"

namespace synthforge::generate {

namespace {

/// Buffers of the last layer rasterised on this thread (recycleAssetLayer).
thread_local WindowedRaster spare[2];

/// Rasterises `faces` over the window their projected vertices span
/// (plus a pixel of margin), clamped to the image, reusing `w`'s buffers.
WindowedRaster rasterWindow(const raster::Vertices& v, const raster::Triangles& faces, const raster::Intrinsics& k,
                            int width, int height, int threads, WindowedRaster w) {
    w.x0 = w.y0 = 0;
    w.r.width = w.r.height = 0;
    w.r.triangleId.clear();
    w.r.bary0.clear();
    w.r.bary1.clear();
    w.r.depth.clear();
    w.win.clear();
    float x0 = static_cast<float>(width), y0 = static_cast<float>(height), x1 = 0.0f, y1 = 0.0f;
    bool any = false;
    for (Eigen::Index f = 0; f < faces.rows(); ++f)
        for (int c = 0; c < 3; ++c) {
            const auto p = v.row(faces(f, c));
            if (!(p.z() > 0.0f)) {  // behind the camera: give up on a window
                x0 = y0 = 0.0f, x1 = static_cast<float>(width), y1 = static_cast<float>(height);
                any = true;
                f = faces.rows() - 1;
                break;
            }
            const float u = k.fx * p.x() / p.z() + k.cx, vv = k.fy * p.y() / p.z() + k.cy;
            x0 = std::min(x0, u), y0 = std::min(y0, vv), x1 = std::max(x1, u), y1 = std::max(y1, vv);
            any = true;
        }
    const int ix0 = std::max(0, static_cast<int>(std::floor(x0)) - 1), iy0 = std::max(0, static_cast<int>(std::floor(y0)) - 1);
    const int ix1 = std::min(width, static_cast<int>(std::ceil(x1)) + 1), iy1 = std::min(height, static_cast<int>(std::ceil(y1)) + 1);
    if (!any || ix1 <= ix0 || iy1 <= iy0) return w;
    w.x0 = ix0, w.y0 = iy0;
    raster::Intrinsics shifted = k;
    shifted.cx -= static_cast<float>(ix0);
    shifted.cy -= static_cast<float>(iy0);
    raster::RasterOptions o;
    o.threads = threads;
    raster::rasterize(v, shifted, faces, ix1 - ix0, iy1 - iy0, o, w.r);
    return w;
}

raster::Triangles toTriangles(const std::vector<Eigen::Vector3i>& faces) {
    raster::Triangles t(static_cast<Eigen::Index>(faces.size()), 3);
    for (std::size_t f = 0; f < faces.size(); ++f) t.row(static_cast<Eigen::Index>(f)) = faces[f].transpose();
    return t;
}

/// Camera-space point and unit normal (turned toward the camera) at pixel i.
void surfaceAt(const AssetLayer& l, const raster::Triangles& faces, const raster::RasterResult& r, std::size_t i,
               std::int32_t f, Eigen::Vector3f& p, Eigen::Vector3f& n) {
    const float b0 = r.bary0[i], b1 = r.bary1[i], b2 = 1.0f - b0 - b1;  // i indexes the window
    const int i0 = faces(f, 0), i1 = faces(f, 1), i2 = faces(f, 2);
    p = (b0 * l.vertices.row(i0) + b1 * l.vertices.row(i1) + b2 * l.vertices.row(i2)).transpose();
    n = (b0 * l.normals.row(i0) + b1 * l.normals.row(i1) + b2 * l.normals.row(i2)).transpose();
    if (n.squaredNorm() < 1e-20f) {  // cancelled on a thin part: fall back to the face's own normal
        n = (l.vertices.row(i1) - l.vertices.row(i0)).cross(l.vertices.row(i2) - l.vertices.row(i0)).transpose();
    }
    if (n.dot(p) > 0.0f) n = -n;
    const float len = n.norm();
    n = len > 0.0f ? Eigen::Vector3f(n / len) : Eigen::Vector3f(0.0f, 0.0f, -1.0f);
}

// Without the generator's light (a GAN): a key above and left of the
// camera (OpenCV axes: y down, z forward), white, and a grey ambient.
SceneLight studioLight() {
    SceneLight l;
    l.toKey = Eigen::Vector3f(-0.35f, -0.55f, -0.75f).normalized();
    l.keyColor = Eigen::Vector3f::Constant(0.75f);
    l.ambient = Eigen::Vector3f::Constant(0.3f);
    return l;
}

/// Linear 0..1 to an sRGB byte through a table: pow per channel and pixel
/// showed in profiles (with the highlight's pow, ~5 % of a sample's time).
/// 4096 steps keep the error under one code value.
struct SrgbEncoder {
    static constexpr int kSteps = 4096;
    std::array<std::uint8_t, kSteps + 1> table{};
    SrgbEncoder() {
        for (int i = 0; i <= kSteps; ++i)
            table[static_cast<std::size_t>(i)] =
                static_cast<std::uint8_t>(std::lround(255.0f * io::srgbEncode(static_cast<float>(i) / kSteps)));
    }
    std::uint8_t operator()(float c) const {
        return table[static_cast<std::size_t>(std::clamp(c, 0.0f, 1.0f) * kSteps + 0.5f)];
    }
};

/// Lambert + ambient on `base` in `light`, plus the key's highlight
/// (`highlight`, in the key's colour, scaled so that the studio light's is
/// white); linear RGB.
Eigen::Vector3f shade(const SceneLight& light, const Eigen::Vector3f& base, float specular, const Eigen::Vector3f& p,
                      const Eigen::Vector3f& n, Eigen::Vector3f& highlight) {
    const float diffuse = std::max(0.0f, n.dot(light.toKey));
    const Eigen::Vector3f h = (light.toKey - p.normalized()).normalized();
    // x^40 by squaring: powf per pixel was measurable.
    const float x = std::max(0.0f, n.dot(h)), x2 = x * x, x4 = x2 * x2, x8 = x4 * x4, x32 = x8 * x8 * x8 * x8;
    highlight = light.keyColor * (specular * x32 * x8 * std::min(1.0f, 4.0f * diffuse) / 0.75f);
    return base.cwiseProduct(light.ambient + light.keyColor * diffuse);
}

/// Per face: whether the camera sees its back (geometric normal away from
/// the viewer). Constant over a flat triangle, so its first corner decides.
std::vector<std::uint8_t> backFacing(const raster::Vertices& v, const raster::Triangles& faces) {
    std::vector<std::uint8_t> back(static_cast<std::size_t>(faces.rows()), 0);
    for (Eigen::Index f = 0; f < faces.rows(); ++f) {
        const auto v0 = v.row(faces(f, 0)), v1 = v.row(faces(f, 1)), v2 = v.row(faces(f, 2));
        const Eigen::Vector3f g = (v1 - v0).cross(v2 - v0).transpose();
        back[static_cast<std::size_t>(f)] = g.dot(v0.transpose()) > 0.0f;
    }
    return back;
}

/// Shades every vertex for both sides of its normal.
void shadeVertices(AssetLayer& l, const std::vector<std::int32_t>& owner) {
    const std::size_t n = static_cast<std::size_t>(l.vertices.rows());
    l.shadeFront.assign(n, Eigen::Vector3f::Zero());
    l.shadeBack.assign(n, Eigen::Vector3f::Zero());
    std::vector<std::uint8_t> isLens(n, 0);
    for (Eigen::Index f = 0; f < l.lensFaces.rows(); ++f)
        for (int c = 0; c < 3; ++c) isLens[static_cast<std::size_t>(l.lensFaces(f, c))] = 1;
    for (std::size_t v = 0; v < n; ++v) {
        if (isLens[v]) continue;  // lenses are shaded per pixel (compositeImage)
        const AssetSpec& s = l.specs[static_cast<std::size_t>(owner[v])];
        const Eigen::Vector3f p = l.vertices.row(static_cast<Eigen::Index>(v)).transpose();
        Eigen::Vector3f nn = l.normals.row(static_cast<Eigen::Index>(v)).transpose();
        nn = nn.squaredNorm() > 0.0f ? Eigen::Vector3f(nn.normalized()) : Eigen::Vector3f(-p.normalized());
        for (int side = 0; side < 2; ++side) {
            const Eigen::Vector3f normal = side == 0 ? nn : Eigen::Vector3f(-nn);
            Eigen::Vector3f highlight;
            const Eigen::Vector3f c = shade(l.light, s.material.baseColor, s.material.specular, p, normal, highlight);
            // The procedural head's soft shoulder (x / (1 + 0.15 x)), so
            // a white mask in a bright key rolls off as the skin beside
            // it does instead of clipping flat.
            const Eigen::Vector3f lit = c + highlight;
            (side == 0 ? l.shadeFront : l.shadeBack)[v] = lit.cwiseQuotient((Eigen::Vector3f::Ones() + 0.15f * lit));
        }
    }
}

/// Interpolated vertex shading at window pixel i of face f.
Eigen::Vector3f shadedAt(const AssetLayer& l, const raster::Triangles& faces, const std::vector<std::uint8_t>& back,
                         const raster::RasterResult& r, std::size_t i, std::int32_t f) {
    const std::vector<Eigen::Vector3f>& c = back[static_cast<std::size_t>(f)] ? l.shadeBack : l.shadeFront;
    const float b0 = r.bary0[i], b1 = r.bary1[i], b2 = 1.0f - b0 - b1;
    return b0 * c[static_cast<std::size_t>(faces(f, 0))] + b1 * c[static_cast<std::size_t>(faces(f, 1))] +
           b2 * c[static_cast<std::size_t>(faces(f, 2))];
}

/// Fills l.shadow: for each head pixel near the assets, march toward the key
/// light in the image; an opaque asset pixel at offset k whose surface
/// stands high enough above the head there to shade that far (height >= k
/// pixels x depth / (focal x tan of the light's angle to the view axis))
/// shadows it, the more the nearer it is.
void castShadows(AssetLayer& l, const annotate::Annotations& a) {
    l.shadow.clear();
    l.shadowWidth = l.shadowHeight = 0;
    const WindowedRaster& o = l.opaque;
    if (o.r.width == 0 || a.raster.width == 0 || !(l.focalPixels > 0.0f)) return;
    const float fx = l.focalPixels;
    const Eigen::Vector3f& key = l.light.toKey;
    // A key along the view axis casts no shadow the camera can see.
    if (Eigen::Vector2f(key.x(), key.y()).norm() < 1e-3f) return;
    const Eigen::Vector2f toLight = Eigen::Vector2f(key.x(), key.y()).normalized();  // image x right, y down
    const float tanAngle = Eigen::Vector2f(key.x(), key.y()).norm() / std::max(1e-3f, std::abs(key.z()));
    int reach = std::max(2, static_cast<int>(std::lround(0.05f * static_cast<float>(std::max(a.width, a.height)))));
    // Brows stand a millimetre or two off the skin, so their shadow reaches
    // a few pixels: without taller assets the march stops there (it was
    // most of a brow's cost); lashes and stubble cast none.
    float tallest = 0.0f;
    bool tall = false;
    for (const AssetSpec& s : l.specs) {
        if (s.type == AssetType::Eyebrows) tallest = std::max(tallest, s.eyebrows.thickness + 0.001f);
        else if (s.type != AssetType::Eyelashes && s.type != AssetType::Stubble) tall = true;
    }
    if (!tall) {
        if (!(tallest > 0.0f)) return;
        const float nearest = l.vertices.rows() ? l.vertices.col(2).minCoeff() : 0.0f;
        if (nearest > 0.0f)
            reach = std::min(reach, 1 + static_cast<int>(std::ceil(tallest * l.flameScale * fx * tanAngle / nearest)));
    }
    const int x0 = std::max(0, o.x0 - reach), y0 = std::max(0, o.y0 - reach);
    const int x1 = std::min(a.width, o.x0 + o.r.width + reach), y1 = std::min(a.height, o.y0 + o.r.height + reach);
    // Lashes are too thin and sparse to cast a shadow a screen-space march
    // could draw; as solid fringes they would darken the whole eye.
    std::vector<std::uint8_t> castsFace(l.opaqueOwner.size());
    for (std::size_t f = 0; f < castsFace.size(); ++f)
        castsFace[f] = l.specs[static_cast<std::size_t>(l.opaqueOwner[f])].type != AssetType::Eyelashes;
    l.shadowX0 = x0, l.shadowY0 = y0, l.shadowWidth = x1 - x0, l.shadowHeight = y1 - y0;
    l.shadow.assign(static_cast<std::size_t>(l.shadowWidth) * static_cast<std::size_t>(l.shadowHeight), 0.0f);
    // The march's pixel offsets are the same from every pixel (pixels sit
    // on integers): round them once, not twice per step and pixel (that
    // rounding was a tenth of a sample's time with hair on).
    std::vector<Eigen::Vector2i> step(static_cast<std::size_t>(reach) + 1);
    for (int k = 1; k <= reach; ++k)
        step[static_cast<std::size_t>(k)] = Eigen::Vector2i(static_cast<int>(std::floor(toLight.x() * k + 0.5f)),
                                                            static_cast<int>(std::floor(toLight.y() * k + 0.5f)));
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) {
            const std::size_t hi = a.raster.index(x, y);
            if (a.raster.triangleId[hi] < 0) continue;                      // no head here
            if (o.inside(x, y) && o.win[o.index(x, y)] >= 0) continue;       // the asset itself
            const float zHead = a.raster.depth[hi];
            const float perPixel = zHead / (fx * tanAngle);  // height needed per pixel of reach
            float s = 0.0f;
            // Every pixel for the first two steps (contact shadows), then
            // every other one: the shadow is soft, and the march is most of
            // a hair sample's compositing time.
            for (int k = 1; k <= reach; k += k < 2 ? 1 : 2) {
                // Window-local coordinates; one unsigned compare per axis.
                const int wx = x + step[static_cast<std::size_t>(k)].x() - o.x0;
                const int wy = y + step[static_cast<std::size_t>(k)].y() - o.y0;
                if (static_cast<unsigned>(wx) >= static_cast<unsigned>(o.r.width) ||
                    static_cast<unsigned>(wy) >= static_cast<unsigned>(o.r.height))
                    continue;
                const std::size_t wi = static_cast<std::size_t>(wy) * static_cast<std::size_t>(o.r.width) +
                                       static_cast<std::size_t>(wx);
                const std::int32_t f = o.win[wi];
                if (f < 0 || !castsFace[static_cast<std::size_t>(f)]) continue;
                const float height = zHead - o.r.depth[wi];
                if (height >= perPixel * static_cast<float>(k) && height < 0.04f) {
                    s = 1.0f - static_cast<float>(k - 1) / static_cast<float>(reach);  // softer further out
                    break;
                }
            }
            l.shadow[static_cast<std::size_t>(y - y0) * static_cast<std::size_t>(l.shadowWidth) +
                     static_cast<std::size_t>(x - x0)] = s;
        }
}

/// Fills l.stubble: for each head pixel of the stubble's window that no
/// opaque asset covers, the share of its colour the hairs replace.
void paintStubble(AssetLayer& l, const annotate::Annotations& a) {
    l.stubble.clear();
    if (l.stubbleOwner < 0 || l.stubbleWidth <= 0 || a.raster.width == 0 || !l.model) return;
    const StubbleShape& s = l.specs[static_cast<std::size_t>(l.stubbleOwner)].stubble;
    const head::HeadModel& m = *l.model;
    l.stubble.assign(static_cast<std::size_t>(l.stubbleWidth) * static_cast<std::size_t>(l.stubbleHeight), 0.0f);
    for (int y = l.stubbleY0; y < l.stubbleY0 + l.stubbleHeight; ++y)
        for (int x = l.stubbleX0; x < l.stubbleX0 + l.stubbleWidth; ++x) {
            const std::size_t hi = a.raster.index(x, y);
            const std::int32_t f = a.raster.triangleId[hi];
            if (f < 0 || f >= m.numFaces()) continue;
            if (l.opaque.inside(x, y) && l.opaque.win[l.opaque.index(x, y)] >= 0) continue;  // under an asset
            const auto t = m.faces.row(f);
            const float b0 = a.raster.bary0[hi], b1 = a.raster.bary1[hi], b2 = 1.0f - b0 - b1;
            const float w = b0 * l.stubbleWeight[static_cast<std::size_t>(t[0])] +
                            b1 * l.stubbleWeight[static_cast<std::size_t>(t[1])] +
                            b2 * l.stubbleWeight[static_cast<std::size_t>(t[2])];
            if (!(w > 0.0f)) continue;
            const Eigen::Vector2f surface = b0 * l.stubbleSurface[static_cast<std::size_t>(t[0])] +
                                            b1 * l.stubbleSurface[static_cast<std::size_t>(t[1])] +
                                            b2 * l.stubbleSurface[static_cast<std::size_t>(t[2])];
            const float pixelMetres = a.raster.depth[hi] / (l.focalPixels * l.flameScale);
            // A shadow of hair under and in the skin, plus the hairs themselves.
            const float cover = std::min(1.0f, 0.45f * s.density + 1.6f * stubbleCoverage(s, surface, pixelMetres));
            l.stubble[static_cast<std::size_t>(y - l.stubbleY0) * static_cast<std::size_t>(l.stubbleWidth) +
                      static_cast<std::size_t>(x - l.stubbleX0)] = s.darkness * w * cover;
        }
}

}  // namespace

AssetClassIds defaultAssetClassIds() {
    AssetClassIds ids{};
    for (int k = 0; k < kNumAssetClassSlots; ++k) ids[static_cast<std::size_t>(k)] = assetClassSlotDefault(k);
    return ids;
}

AssetLayer rasterizeAssets(const std::vector<AssetSpec>& specs, const head::HeadModel& model,
                           const head::HeadPose& pose, const camera::PinholeCamera& camera, int width, int height,
                           int threads, const std::optional<SceneLight>& light) {
    AssetLayer l;
    l.specs = specs;
    l.light = light ? *light : studioLight();
    if (specs.empty()) return l;
    fitHairUnderHeadwear(l.specs);  // the studio combines assets freely
    const AssetHeadFrame frame = assetHeadFrame(model);
    std::vector<Eigen::Vector3f> vertices;
    std::vector<Eigen::Vector3i> allFaces, opaque, lens;
    std::vector<std::int32_t> vertexOwner;
    l.strand.clear();
    const Eigen::Matrix4f toCam = annotate::flameToCamera(camera);
    for (std::size_t s = 0; s < specs.size(); ++s) {
        if (l.specs[s].type == AssetType::Stubble) {
            l.stubbleOwner = static_cast<int>(s);
            continue;
        }
        const AssetMesh mesh = buildAsset(l.specs[s], model, frame);
        const bool sided = l.specs[s].type == AssetType::Eyebrows || l.specs[s].type == AssetType::Eyelashes;
        const head::RowMatX3f posed = poseAsset(mesh, model, pose);
        const head::RowMatX3f cam = camera::transformPoints(toCam, posed);
        const int offset = static_cast<int>(vertices.size());
        for (Eigen::Index v = 0; v < cam.rows(); ++v) vertices.emplace_back(cam.row(v).transpose());
        l.strand.insert(l.strand.end(), mesh.strand.begin(), mesh.strand.end());
        vertexOwner.resize(vertices.size(), static_cast<std::int32_t>(s));
        for (int f = 0; f < mesh.numFaces(); ++f) {
            const Eigen::Vector3i t = mesh.faces[static_cast<std::size_t>(f)].array() + offset;
            allFaces.push_back(t);
            if (mesh.transparent[static_cast<std::size_t>(f)]) {
                lens.push_back(t);
                l.lensOwner.push_back(static_cast<std::int32_t>(s));
            } else {
                opaque.push_back(t);
                l.opaqueOwner.push_back(static_cast<std::int32_t>(s));
                // The side by the rest-frame x of the face (FLAME +x is the subject's left).
                const Eigen::Vector3i& rf = mesh.faces[static_cast<std::size_t>(f)];
                const bool left = sided && mesh.vertices[static_cast<std::size_t>(rf[0])].x() +
                                                   mesh.vertices[static_cast<std::size_t>(rf[1])].x() +
                                                   mesh.vertices[static_cast<std::size_t>(rf[2])].x() > 0.0f;
                l.opaqueSlot.push_back(static_cast<std::uint8_t>(assetClassSlot(l.specs[s].type, left)));
            }
        }
    }
    l.vertices.resize(static_cast<Eigen::Index>(vertices.size()), 3);
    for (std::size_t v = 0; v < vertices.size(); ++v) l.vertices.row(static_cast<Eigen::Index>(v)) = vertices[v].transpose();
    l.normals = raster::vertexNormals(l.vertices, toTriangles(allFaces));
    l.opaqueFaces = toTriangles(opaque);
    l.lensFaces = toTriangles(lens);
    l.opaqueBack = backFacing(l.vertices, l.opaqueFaces);
    l.lensBack = backFacing(l.vertices, l.lensFaces);
    shadeVertices(l, vertexOwner);
    const raster::Intrinsics k = raster::Intrinsics::fromMatrix(camera.intrinsicsPixels(width, height));
    l.focalPixels = k.fx;
    l.intrinsics = k;
    l.flameScale = toCam.block<3, 1>(0, 0).norm();
    l.opaque = rasterWindow(l.vertices, l.opaqueFaces, k, width, height, threads, std::move(spare[0]));
    l.lens = rasterWindow(l.vertices, l.lensFaces, k, width, height, threads, std::move(spare[1]));
    if (l.stubbleOwner >= 0) {
        l.model = &model;
        StubbleField field = stubbleField(model, frame);
        l.stubbleWeight = std::move(field.weight);
        l.stubbleSurface = std::move(field.surface);
        // The window the zone's posed vertices project to (a pixel of margin).
        float x0 = static_cast<float>(width), y0 = static_cast<float>(height), x1 = 0.0f, y1 = 0.0f;
        const head::RowMatX3f cam = camera::transformPoints(toCam, pose.vertices);
        for (Eigen::Index v = 0; v < cam.rows(); ++v) {
            if (!(l.stubbleWeight[static_cast<std::size_t>(v)] > 0.0f)) continue;
            if (!(cam(v, 2) > 0.0f)) {
                x0 = y0 = 0.0f, x1 = static_cast<float>(width), y1 = static_cast<float>(height);
                break;
            }
            const float u = k.fx * cam(v, 0) / cam(v, 2) + k.cx, vv = k.fy * cam(v, 1) / cam(v, 2) + k.cy;
            x0 = std::min(x0, u), y0 = std::min(y0, vv), x1 = std::max(x1, u), y1 = std::max(y1, vv);
        }
        l.stubbleX0 = std::max(0, static_cast<int>(std::floor(x0)) - 1);
        l.stubbleY0 = std::max(0, static_cast<int>(std::floor(y0)) - 1);
        l.stubbleWidth = std::max(0, std::min(width, static_cast<int>(std::ceil(x1)) + 1) - l.stubbleX0);
        l.stubbleHeight = std::max(0, std::min(height, static_cast<int>(std::ceil(y1)) + 1) - l.stubbleY0);
    }
    return l;
}

void recycleAssetLayer(AssetLayer&& l) {
    spare[0] = std::move(l.opaque);
    spare[1] = std::move(l.lens);
}

void compositeAnnotations(AssetLayer& l, const AssetClassIds& classIds, float tolerance, annotate::Annotations& a) {
    if (l.empty()) return;
    const bool seg = !a.segmentation.empty(), normals = !a.normals.empty();
    auto write = [&](int x, int y, const raster::Triangles& faces, const WindowedRaster& w,
                     const std::vector<std::int32_t>& owner, const std::vector<std::uint8_t>* slot, std::int32_t f) {
        const std::size_t i = w.index(x, y);
        const std::size_t fs = static_cast<std::size_t>(f);
        if (seg)
            a.segmentation.at<std::uint8_t>(y, x) =
                classIds[slot ? (*slot)[fs] : static_cast<std::size_t>(l.specs[static_cast<std::size_t>(owner[fs])].type)];
        a.depth.at<float>(y, x) = w.r.depth[i];
        if (normals) {
            Eigen::Vector3f p, nn;
            surfaceAt(l, faces, w.r, i, f, p, nn);
            a.normals.at<cv::Vec3f>(y, x) = cv::Vec3f(nn.x(), nn.y(), nn.z());
        }
    };
    auto headDepth = [&](int x, int y) {
        const std::size_t i = a.raster.index(x, y);
        return a.raster.triangleId[i] >= 0 ? a.raster.depth[i] : 0.0f;
    };
    // Opaque first, then lenses over whatever is in front by then.
    l.opaque.win.assign(l.opaque.r.triangleId.size(), -1);
    for (int y = l.opaque.y0; y < l.opaque.y0 + l.opaque.r.height; ++y)
        for (int x = l.opaque.x0; x < l.opaque.x0 + l.opaque.r.width; ++x) {
            const std::size_t i = l.opaque.index(x, y);
            const std::int32_t f = l.opaque.r.triangleId[i];
            const float head = headDepth(x, y);
            if (f < 0 || (head != 0.0f && !(l.opaque.r.depth[i] < head))) continue;
            l.opaque.win[i] = f;
            write(x, y, l.opaqueFaces, l.opaque, l.opaqueOwner, &l.opaqueSlot, f);
        }
    l.lens.win.assign(l.lens.r.triangleId.size(), -1);
    for (int y = l.lens.y0; y < l.lens.y0 + l.lens.r.height; ++y)
        for (int x = l.lens.x0; x < l.lens.x0 + l.lens.r.width; ++x) {
            const std::size_t i = l.lens.index(x, y);
            const std::int32_t f = l.lens.r.triangleId[i];
            if (f < 0) continue;
            const bool assetInFront = l.opaque.inside(x, y) && l.opaque.win[l.opaque.index(x, y)] >= 0;
            const float front = assetInFront ? l.opaque.r.depth[l.opaque.index(x, y)] : headDepth(x, y);
            if (front != 0.0f && !(l.lens.r.depth[i] < front)) continue;
            l.lens.win[i] = f;
            write(x, y, l.lensFaces, l.lens, l.lensOwner, nullptr, f);
        }
    castShadows(l, a);
    paintStubble(l, a);
    // Landmarks: only opaque asset surfaces hide them (lenses are see-through),
    // and of those not brows or lashes (assetHidesLandmarks).
    auto hides = [&](std::int32_t f) {
        return assetHidesLandmarks(l.specs[static_cast<std::size_t>(l.opaqueOwner[static_cast<std::size_t>(f)])].type);
    };
    raster::Triangles hiding;  // the opaque faces that can hide, made when first needed
    bool hidingMade = false;
    raster::RasterResult one;
    raster::RasterOptions oneOptions;
    oneOptions.threads = 1;  // one pixel: no workers
    for (std::size_t k = 0; k < a.landmarkVisible.size(); ++k) {
        if (!a.landmarkVisible[k]) continue;
        const float u = a.landmarks2d(static_cast<Eigen::Index>(k), 0), v = a.landmarks2d(static_cast<Eigen::Index>(k), 1);
        const float z = a.landmarks3d(static_cast<Eigen::Index>(k), 2);
        if (!(u >= 0.0f && v >= 0.0f && u < static_cast<float>(a.width) && v < static_cast<float>(a.height))) continue;
        const int x = static_cast<int>(u), y = static_cast<int>(v);
        const std::int32_t f = l.opaque.face(x, y);
        if (f < 0) continue;
        float front = l.opaque.depth(x, y);
        if (!hides(f)) {
            // A brow or lash is nearest here; a hat or frame behind it may
            // still lie in front of the landmark: raster the faces that can
            // hide over this one pixel.
            if (!hidingMade) {
                std::vector<Eigen::Vector3i> faces;
                for (Eigen::Index g = 0; g < l.opaqueFaces.rows(); ++g)
                    if (hides(static_cast<std::int32_t>(g))) faces.emplace_back(l.opaqueFaces.row(g).transpose());
                hiding = toTriangles(faces);
                hidingMade = true;
            }
            if (hiding.rows() == 0) continue;
            raster::Intrinsics shifted = l.intrinsics;
            shifted.cx -= static_cast<float>(x);
            shifted.cy -= static_cast<float>(y);
            raster::rasterize(l.vertices, shifted, hiding, 1, 1, oneOptions, one);
            if (one.triangleId[0] < 0) continue;
            front = one.depth[0];
        }
        if (z > front * (1.0f + tolerance)) a.landmarkVisible[k] = 0;
    }
}

float strandTone(float s, float seed) {
    const float n = 0.6f * valueNoise1(s * 700.0f, seed) + 0.4f * valueNoise1(s * 1900.0f, seed + 11.0f);
    return 0.81f + 0.19f * n;
}

namespace {

/// The strand seed of a spec (hair and beards), NaN for other assets.
float strandSeedOf(const AssetSpec& s) {
    if (s.type == AssetType::Hair) return s.hair.strandSeed;
    if (s.type == AssetType::Beard) return s.beard.strandSeed;
    if (s.type == AssetType::Eyebrows) return s.eyebrows.strandSeed;
    return std::numeric_limits<float>::quiet_NaN();
}

}  // namespace

void paintedOverMask(const AssetLayer& l, int width, int height, std::vector<std::uint8_t>& mask) {
    mask.clear();
    const WindowedRaster& o = l.opaque;
    if (o.r.width == 0 || o.win.empty()) return;
    mask.assign(static_cast<std::size_t>(width) * static_cast<std::size_t>(height), 0);
    auto won = [&](int x, int y) {
        return x >= 0 && y >= 0 && x < width && y < height && o.inside(x, y) && o.win[o.index(x, y)] >= 0;
    };
    for (int y = std::max(0, o.y0); y < std::min(height, o.y0 + o.r.height); ++y)
        for (int x = std::max(0, o.x0); x < std::min(width, o.x0 + o.r.width); ++x)
            if (won(x, y) && won(x - 1, y) && won(x + 1, y) && won(x, y - 1) && won(x, y + 1))
                mask[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)] = 1;
}

void compositeImage(const AssetLayer& l, cv::Mat& bgr, cv::Mat& depth) {
    if (l.empty()) return;
    if (bgr.type() != CV_8UC3) return;
    const bool writeDepth = depth.type() == CV_32FC1 && depth.rows == bgr.rows && depth.cols == bgr.cols;
    static const std::array<float, 256> linear = [] {
        std::array<float, 256> t{};
        for (int c = 0; c < 256; ++c) t[static_cast<std::size_t>(c)] = io::srgbDecode(static_cast<float>(c) / 255.0f);
        return t;
    }();
    static const SrgbEncoder encode;
    auto store = [](cv::Vec3b& px, const Eigen::Vector3f& rgb) {
        for (int c = 0; c < 3; ++c) px[2 - c] = encode(rgb[c]);
    };
    auto inImage = [&](int x, int y) { return x < bgr.cols && y < bgr.rows; };
    // Stubble: hair colour over part of the skin's visible colour (a
    // reflectance ratio, so black hair darkens and fair hair barely shows).
    if (l.stubbleOwner >= 0 && !l.stubble.empty()) {
        const Eigen::Vector3f hair = l.specs[static_cast<std::size_t>(l.stubbleOwner)].material.baseColor;
        constexpr float kSkinReflectance = 0.45f;
        const Eigen::Vector3f ratio = (hair / kSkinReflectance).cwiseMin(Eigen::Vector3f::Ones());
        for (int y = l.stubbleY0; y < l.stubbleY0 + l.stubbleHeight && y < bgr.rows; ++y)
            for (int x = l.stubbleX0; x < l.stubbleX0 + l.stubbleWidth && x < bgr.cols; ++x) {
                const float c = l.stubble[static_cast<std::size_t>(y - l.stubbleY0) * static_cast<std::size_t>(l.stubbleWidth) +
                                          static_cast<std::size_t>(x - l.stubbleX0)];
                if (c <= 0.0f) continue;
                cv::Vec3b& px = bgr.at<cv::Vec3b>(y, x);
                const Eigen::Vector3f under(linear[px[2]], linear[px[1]], linear[px[0]]);
                store(px, under.cwiseProduct(Eigen::Vector3f::Ones() * (1.0f - c) + c * ratio));
            }
    }
    // Shadows first: they darken head pixels, which assets never cover.
    constexpr float kShadowDepth = 0.45f;  // the key light's share of a lit pixel, roughly
    for (int y = l.shadowY0; y < l.shadowY0 + l.shadowHeight && y < bgr.rows; ++y)
        for (int x = l.shadowX0; x < l.shadowX0 + l.shadowWidth && x < bgr.cols; ++x) {
            const float sh = l.shadow[static_cast<std::size_t>(y - l.shadowY0) * static_cast<std::size_t>(l.shadowWidth) +
                                      static_cast<std::size_t>(x - l.shadowX0)];
            if (sh <= 0.0f) continue;
            cv::Vec3b& px = bgr.at<cv::Vec3b>(y, x);
            const float f = 1.0f - kShadowDepth * sh;
            store(px, Eigen::Vector3f(linear[px[2]], linear[px[1]], linear[px[0]]) * f);
        }
    std::vector<float> strandSeeds;
    std::vector<std::uint8_t> isBrow;
    for (const AssetSpec& s : l.specs) {
        strandSeeds.push_back(strandSeedOf(s));
        isBrow.push_back(s.type == AssetType::Eyebrows);
    }
    const WindowedRaster& o = l.opaque;
    for (int y = o.y0; y < o.y0 + o.r.height; ++y)
        for (int x = o.x0; x < o.x0 + o.r.width; ++x) {
            const std::size_t i = o.index(x, y);
            const std::int32_t f = i < o.win.size() ? o.win[i] : -1;
            if (f < 0 || !inImage(x, y)) continue;
            Eigen::Vector3f c = shadedAt(l, l.opaqueFaces, l.opaqueBack, o.r, i, f);
            const float seed = strandSeeds[static_cast<std::size_t>(l.opaqueOwner[static_cast<std::size_t>(f)])];
            if (!std::isnan(seed)) {
                const float s0 = l.strand[static_cast<std::size_t>(l.opaqueFaces(f, 0))];
                const float s1 = l.strand[static_cast<std::size_t>(l.opaqueFaces(f, 1))];
                const float s2 = l.strand[static_cast<std::size_t>(l.opaqueFaces(f, 2))];
                const float b0 = o.r.bary0[i], b1 = o.r.bary1[i];
                const float sv = b0 * s0 + b1 * s1 + (1.0f - b0 - b1) * s2;
                if (std::isfinite(sv)) {
                    const float tone = strandTone(sv, seed);
                    // Brow hair is sparse: skin shows between the strands.
                    c *= isBrow[static_cast<std::size_t>(l.opaqueOwner[static_cast<std::size_t>(f)])] ? tone * tone : tone;
                }
            }
            store(bgr.at<cv::Vec3b>(y, x), c);
            if (writeDepth) depth.at<float>(y, x) = o.r.depth[i];
        }
    const WindowedRaster& g = l.lens;
    for (int y = g.y0; y < g.y0 + g.r.height; ++y)
        for (int x = g.x0; x < g.x0 + g.r.width; ++x) {
            const std::size_t i = g.index(x, y);
            const std::int32_t f = i < g.win.size() ? g.win[i] : -1;
            if (f < 0 || !inImage(x, y)) continue;
            const AssetSpec& s = l.specs[static_cast<std::size_t>(l.lensOwner[static_cast<std::size_t>(f)])];
            cv::Vec3b& px = bgr.at<cv::Vec3b>(y, x);
            const Eigen::Vector3f under(linear[px[2]], linear[px[1]], linear[px[0]]);
            const float alpha = s.glasses.lensOpacity;
            // A tinted filter over what lies behind, plus the glass's own light.
            // Per pixel, unlike the frame: a lens is a few large flat
            // triangles, and its sharp highlight interpolated across them
            // showed as a star.
            Eigen::Vector3f p, n;
            Eigen::Vector3f highlight;
            surfaceAt(l, l.lensFaces, g.r, i, f, p, n);
            // Glass reflects a few percent: more than that, added in linear
            // light, turned dark eyes milky once encoded to sRGB.
            const Eigen::Vector3f glass =
                0.04f * alpha * shade(l.light, s.glasses.lensTint, s.material.specular, p, n, highlight);
            const Eigen::Vector3f c =
                under.cwiseProduct((1.0f - alpha) * Eigen::Vector3f::Ones() + alpha * s.glasses.lensTint) + glass +
                0.25f * highlight;
            store(px, c);
            if (writeDepth) depth.at<float>(y, x) = g.r.depth[i];
        }
}

}  // namespace synthforge::generate
