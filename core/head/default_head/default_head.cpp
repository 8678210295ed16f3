#include "core/head/default_head/default_head.h"

#include "core/head/default_head/build_parts.h"
#include "core/head/default_head/neutral_mesh.h"

namespace synthforge::head {

HeadModel buildDefaultHead() {
    using namespace default_head;
    const NeutralHead neutral = buildNeutralHead();
    HeadModel m;
    m.name = "SynthForge default head v" + std::to_string(kDefaultHeadVersion);
    m.licence = "Built by SynthForge's own code from anthropometric averages; no scan or FLAME data; free to use";
    m.vTemplate = neutral.vertices;
    m.faces = neutral.faces;
    m.uv = neutral.uv;
    m.uvFaces = neutral.uvFaces;
    m.regions = neutral.regions;
    buildSkeleton(neutral, m);
    m.shapedirs = buildShapeBasis(neutral, kDefaultHeadShapeComponents);
    m.exprdirs = buildExpressionBasis(neutral, m.exprNames);
    m.posedirs.resize(0, 0);  // no pose correctives: skinning alone is smooth enough for this mesh
    m.landmarks = buildLandmarks68(neutral, neutral.faces);
    makeContourDynamic(neutral, m.landmarks);
    m.validate("default head");
    return m;
}

}  // namespace synthforge::head
