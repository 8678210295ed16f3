// The neutral mesh of the default head: sculpted by code, no scan, no licence.
//
// Figures used (adult, sex-averaged anthropometric means) are listed with
// their constants in neutral_mesh_builder.h, which also maps the stages to
// their files.
//
// Construction. The skin is a height-of-ray surface: every grid vertex is the
// outermost crossing of a ray with a sculpted signed field (skull ellipsoid,
// face relief as a height field over a face-outline prism, neck cylinder and
// eyelid shells, blended by smooth minimum; the forehead morphs from the face
// field into the skull). Rays start from one centre for the head and from the
// neck axis for the neck, so the grid cannot fold. The grid is a stack of
// rings (bottom of the neck to the crown) whose vertex counts follow a target
// edge length (about 2.3 mm at the lips, 3.3 mm at the eyes and nose, 4.5 mm on
// the rest of the face, up to 12 mm behind, never much longer than the gap to
// the next ring), joined by strips triangulated along the shorter diagonal.
// One ring runs through each eye and one through the lips; its vertices
// between the corners are doubled and the two copies pulled apart (almond eye
// openings) or left 0.3 mm apart (closed lips), with the neighbouring rings
// following. The rims then turn inward into closed pockets (eye sockets
// around the eyeballs, the mouth bag). Ears are tubes extruded from a strip of
// the side of the head and closed along the helix. A disc caps the neck. Only
// the subject's left half (x >= 0) is built; the right half is its mirror.
//
// UV atlas (uv/uvFaces, seams split uv only): the face island (sinusoidal
// projection of the ray directions, ~55 % of the used area) on top, the
// scalp (azimuthal projection around the crown), the neck (unrolled
// cylinder, seam at the back), nested-rectangle ears, eyeballs as discs
// with the iris in the centre, and discs for the mouth bag, the sockets and
// the neck cap.

#include "core/head/default_head/neutral_mesh.h"
#include "core/head/default_head/neutral_mesh_builder.h"

namespace synthforge::head::default_head {

namespace neutral_build {

NeutralHead Builder::build() {
    planRows();
    planColumns();
    makeGridVertices();
    makeGridFaces();
    makePole();
    makeNeckCap();
    makeEyeSocket();
    makeMouthBag();
    makeEar();
    makeEyeball();
    NeutralHead head = assemble();
    annotate(head);
    return head;
}

}  // namespace neutral_build

NeutralHead buildNeutralHead() {
    neutral_build::Builder b;
    return b.build();
}

}  // namespace synthforge::head::default_head
