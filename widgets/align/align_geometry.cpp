#include "widgets/align/align_geometry.h"

#include "core/align/surface_distance.h"
#include "core/camera/orbit_camera.h"
#include "core/generate/mesh_density.h"
#include "core/generate/procedural_generator.h"

namespace synthforge::widgets {

float defaultSurfaceLevel() {
    return generate::MeshDensity::surfaceDensity(generate::ProceduralGeneratorOptions{}.densityBeta);
}

align::GridSpec alignGridSpec(const head::HeadPose& pose, int resolution, float margin) {
    align::GridSpec spec;
    spec.bounds = align::headBounds(pose.vertices, margin);
    spec.resolution = resolution;
    return spec;
}

io::TriMesh headWorldMesh(const head::HeadModel& model, const head::HeadPose& pose,
                          const std::optional<Eigen::Matrix4f>& correction) {
    io::TriMesh mesh;
    if (correction) {
        head::HeadPose corrected = pose;
        head::transformPose(*correction, corrected);
        mesh.positions = camera::transformPoints(camera::flameToWorldMatrix(), corrected.vertices);
    } else {
        mesh.positions = camera::transformPoints(camera::flameToWorldMatrix(), pose.vertices);
    }
    mesh.faces = model.faces;
    return mesh;
}

std::vector<float> vertexResiduals(const io::TriMesh& mesh, const io::TriMesh& surface, int threads) {
    if (surface.faces.rows() == 0) return {};
    const align::SurfaceIndex index(surface);
    return align::distancesToSurface(mesh.positions, index, threads);
}

align::IsoSurface extractSurface(const align::ScalarGrid& grid, float level) {
    return align::marchingCubes(grid, level, align::IsoSurfaceOptions{});
}

}  // namespace synthforge::widgets
