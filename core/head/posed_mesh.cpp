#include "core/head/posed_mesh.h"

namespace synthforge::head {

io::TriMesh meshWithModelLayout(const HeadModel& model, const RowMatX3f& vertices) {
    io::TriMesh mesh;
    mesh.positions = vertices;
    mesh.faces = model.faces;
    if (model.hasUv()) {
        mesh.uv = model.uv;
        mesh.uvFaces = model.uvFaces;
    }
    return mesh;
}

io::TriMesh posedMesh(const HeadModel& model, const HeadParams& params, const ForwardOptions& options) {
    return meshWithModelLayout(model, forward(model, params, options).vertices);
}

void exportPosedMesh(const std::string& path, const HeadModel& model, const HeadParams& params,
                     const ForwardOptions& options) {
    params.validateFor(model);
    io::exportMesh(path, posedMesh(model, params, options));
}

}  // namespace synthforge::head
