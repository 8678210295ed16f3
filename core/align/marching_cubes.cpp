#include "core/align/marching_cubes.h"

#include <array>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include <Eigen/Geometry>

namespace synthforge::align {

namespace {

// Cube corners are numbered c = x + 2y + 4z (x, y, z in {0, 1}); edge e
// joins kEdgeCorner[e][0] (its lower end) to kEdgeCorner[e][1] along axis
// kEdgeAxis[e]. Faces list their corners counter-clockwise seen from
// outside the cube. All three are built from these rules, not typed in.
struct CubeGeometry {
    int edgeCorner[12][2];
    int edgeAxis[12];
    int edgeOf[8][8];
    int faceCorners[6][4];
};

CubeGeometry makeGeometry() {
    CubeGeometry g{};
    for (auto& row : g.edgeOf)
        for (int& e : row) e = -1;
    int e = 0;
    for (int a = 0; a < 3; ++a)
        for (int c = 0; c < 8; ++c)
            if (!(c & (1 << a))) {
                g.edgeCorner[e][0] = c;
                g.edgeCorner[e][1] = c | (1 << a);
                g.edgeAxis[e] = a;
                g.edgeOf[c][c | (1 << a)] = g.edgeOf[c | (1 << a)][c] = e;
                ++e;
            }
    for (int a = 0; a < 3; ++a)
        for (int side = 0; side < 2; ++side) {
            // (u, v, a) is a right-handed frame, so going (0,0) (1,0) (1,1)
            // (0,1) in (u, v) turns counter-clockwise about +a: right for
            // the face at a = 1, reversed for the face at a = 0.
            const int u = (a + 1) % 3, v = (a + 2) % 3;
            const int uv[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
            int* f = g.faceCorners[2 * a + side];
            for (int i = 0; i < 4; ++i) {
                const int k = side ? i : 3 - i;
                f[i] = (side << a) | (uv[k][0] << u) | (uv[k][1] << v);
            }
        }
    return g;
}

const CubeGeometry& geometry() {
    static const CubeGeometry g = makeGeometry();
    return g;
}

// The triangles of one configuration: which corners are inside (8 bits) and,
// for each face whose corners alternate in/out, whether its inside corners
// are joined across the face (6 bits).
struct CubeCase {
    int triangles = 0;
    std::array<std::int8_t, 36> edges{};  // three edge ids per triangle
};

// The surface inside one cube is bounded by its crossings of the cube's
// faces. On each face, the contour runs from an "entry" crossing (where a
// counter-clockwise walk round the face goes from an outside corner to an
// inside one) to an "exit" crossing; that direction leaves the outside on
// its left seen from outside the cube, which is the boundary orientation of
// a surface whose normals point outward. Each cut edge is an entry on one of
// its two faces and an exit on the other (the faces walk it in opposite
// directions), so following entry -> exit links the crossings into closed
// loops, each bounding one piece of surface, already wound outward.
CubeCase deriveCase(int inside, int joined) {
    const CubeGeometry& g = geometry();
    int next[12];
    for (int& n : next) n = -1;
    for (int f = 0; f < 6; ++f) {
        int cross[4], n = 0;
        bool entry[4];
        for (int i = 0; i < 4; ++i) {
            const int a = g.faceCorners[f][i], b = g.faceCorners[f][(i + 1) % 4];
            const bool ina = (inside >> a) & 1, inb = (inside >> b) & 1;
            if (ina == inb) continue;
            cross[n] = g.edgeOf[a][b];
            entry[n] = inb;
            ++n;
        }
        if (n == 2) {
            if (entry[0]) next[cross[0]] = cross[1];
            else next[cross[1]] = cross[0];
        } else if (n == 4) {
            // Crossings alternate entry, exit, entry, exit going round.
            const int r = entry[0] ? 0 : 1;
            const int e0 = cross[r], x0 = cross[(r + 1) % 4], e1 = cross[(r + 2) % 4], x1 = cross[(r + 3) % 4];
            if ((joined >> f) & 1) {
                // One band of inside runs across the face: each contour cuts
                // off an outside corner.
                next[e0] = x1;
                next[e1] = x0;
            } else {
                // Each contour cuts off an inside corner.
                next[e0] = x0;
                next[e1] = x1;
            }
        }
    }
    CubeCase out;
    bool used[12] = {};
    for (int start = 0; start < 12; ++start) {
        if (next[start] < 0 || used[start]) continue;
        std::vector<int> loop;
        for (int e = start; !used[e]; e = next[e]) {
            if (next[e] < 0) throw std::logic_error("marching cubes: contour does not close");
            used[e] = true;
            loop.push_back(e);
        }
        if (loop.size() < 3) throw std::logic_error("marching cubes: contour with fewer than 3 crossings");
        // A fan keeps the loop's winding; its triangles stay inside the cube,
        // so the choice of fan does not affect the mesh's closure.
        for (std::size_t i = 1; i + 1 < loop.size(); ++i) {
            out.edges[static_cast<std::size_t>(3 * out.triangles)] = static_cast<std::int8_t>(loop[0]);
            out.edges[static_cast<std::size_t>(3 * out.triangles + 1)] = static_cast<std::int8_t>(loop[i]);
            out.edges[static_cast<std::size_t>(3 * out.triangles + 2)] = static_cast<std::int8_t>(loop[i + 1]);
            ++out.triangles;
        }
    }
    return out;
}

struct CaseTable {
    std::vector<CubeCase> cases;   // [inside * 64 + joined]
    std::uint8_t ambiguous[256];   // faces whose corners alternate, per inside mask
};

CaseTable makeCaseTable() {
    const CubeGeometry& g = geometry();
    CaseTable t;
    t.cases.resize(256 * 64);
    for (int inside = 0; inside < 256; ++inside) {
        t.ambiguous[inside] = 0;
        for (int f = 0; f < 6; ++f) {
            const int* c = g.faceCorners[f];
            const bool i0 = (inside >> c[0]) & 1, i1 = (inside >> c[1]) & 1, i2 = (inside >> c[2]) & 1,
                       i3 = (inside >> c[3]) & 1;
            if (i0 == i2 && i1 == i3 && i0 != i1) t.ambiguous[inside] |= static_cast<std::uint8_t>(1 << f);
        }
        for (int joined = 0; joined < 64; ++joined)
            if ((joined & ~t.ambiguous[inside]) == 0) t.cases[static_cast<std::size_t>(inside * 64 + joined)] = deriveCase(inside, joined);
    }
    return t;
}

const CaseTable& caseTable() {
    static const CaseTable t = makeCaseTable();
    return t;
}

// Beyond the grid when the surface is closed there: outside, and far enough
// below any level that the face test treats it as a deep outside value.
constexpr float kPadding = -FLT_MAX;

}  // namespace

IsoSurface marchingCubes(const ScalarGrid& grid, float level, const IsoSurfaceOptions& options) {
    if (!std::isfinite(level)) throw std::invalid_argument("marchingCubes: level is not finite");
    const Eigen::Vector3i n = grid.dims;
    if ((n.array() < 2).any())
        throw std::invalid_argument("marchingCubes: the grid needs at least 2 points per axis");
    if (grid.values.size() != static_cast<std::size_t>(n.x()) * n.y() * n.z())
        throw std::invalid_argument("marchingCubes: grid values do not match its dims");
    if (!(grid.spacing > 0.0f)) throw std::invalid_argument("marchingCubes: grid spacing must be > 0");
    IsoSurface out;
    out.mesh.positions.resize(0, 3);
    out.mesh.faces.resize(0, 3);
    float lo = FLT_MAX, hi = -FLT_MAX;
    for (float v : grid.values) {
        if (!std::isfinite(v)) throw std::invalid_argument("marchingCubes: grid holds a non-finite value");
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    out.fieldMin = lo;
    out.fieldMax = hi;
    if (!(level < hi) || level < lo) {
        std::ostringstream m;
        m << "level " << level << " is outside the field's range [" << lo << ", " << hi << "]: "
          << (level < lo ? "every grid point is inside" : "no grid point is above it")
          << ", so the iso-surface is empty";
        out.message = m.str();
        return out;
    }

    const CubeGeometry& geo = geometry();
    const CaseTable& table = caseTable();
    const int pad = options.closeAtBorder ? 1 : 0;
    auto value = [&](int i, int j, int k) -> float {
        if (i < 0 || j < 0 || k < 0 || i >= n.x() || j >= n.y() || k >= n.z()) return kPadding;
        return grid.at(i, j, k) - level;
    };
    // One vertex per grid edge, keyed by its lower end (shifted past the
    // padding) and axis.
    const std::int64_t ex = n.x() + 2, ey = n.y() + 2;
    auto edgeKey = [&](int i, int j, int k, int axis) {
        return ((static_cast<std::int64_t>(k + 1) * ey + (j + 1)) * ex + (i + 1)) * 3 + axis;
    };
    std::unordered_map<std::int64_t, std::int32_t> vertexOfEdge;
    std::vector<Eigen::Vector3f> positions;
    std::vector<Eigen::Vector3i> faces;

    for (int k = -pad; k < n.z() - 1 + pad; ++k)
        for (int j = -pad; j < n.y() - 1 + pad; ++j)
            for (int i = -pad; i < n.x() - 1 + pad; ++i) {
                float g[8];
                int inside = 0;
                for (int c = 0; c < 8; ++c) {
                    g[c] = value(i + (c & 1), j + ((c >> 1) & 1), k + ((c >> 2) & 1));
                    if (g[c] > 0.0f) inside |= 1 << c;
                }
                if (inside == 0 || inside == 255) continue;
                int joined = 0;
                if (const int amb = table.ambiguous[inside]) {
                    for (int f = 0; f < 6; ++f) {
                        if (!((amb >> f) & 1)) continue;
                        // The saddle of the face's bilinear interpolant is
                        // inside when the product of the inside diagonal
                        // beats the outside one's. Products of the same two
                        // numbers are exact to the bit in either order, so
                        // the neighbouring cell decides the same.
                        const int* c = geo.faceCorners[f];
                        const float p02 = g[c[0]] * g[c[2]], p13 = g[c[1]] * g[c[3]];
                        const bool zeroInside = g[c[0]] > 0.0f;
                        if (zeroInside ? p02 > p13 : p13 > p02) joined |= 1 << f;
                    }
                }
                const CubeCase& cc = table.cases[static_cast<std::size_t>(inside * 64 + joined)];
                std::int32_t ids[3];
                for (int t = 0; t < cc.triangles; ++t) {
                    for (int s = 0; s < 3; ++s) {
                        const int e = cc.edges[static_cast<std::size_t>(3 * t + s)];
                        const int c0 = geo.edgeCorner[e][0], c1 = geo.edgeCorner[e][1];
                        const int i0 = i + (c0 & 1), j0 = j + ((c0 >> 1) & 1), k0 = k + ((c0 >> 2) & 1);
                        const auto [it, added] = vertexOfEdge.try_emplace(edgeKey(i0, j0, k0, geo.edgeAxis[e]),
                                                                           static_cast<std::int32_t>(positions.size()));
                        if (added) {
                            const int i1 = i + (c1 & 1), j1 = j + ((c1 >> 1) & 1), k1 = k + ((c1 >> 2) & 1);
                            Eigen::Vector3f p;
                            if (g[c0] == kPadding) p = grid.point(i1, j1, k1);
                            else if (g[c1] == kPadding) p = grid.point(i0, j0, k0);
                            else {
                                // g[c0] and g[c1] lie on opposite sides of 0.
                                const float w = g[c0] / (g[c0] - g[c1]);
                                p = grid.point(i0, j0, k0) + w * (grid.point(i1, j1, k1) - grid.point(i0, j0, k0));
                            }
                            positions.push_back(p);
                        }
                        ids[s] = it->second;
                    }
                    faces.emplace_back(ids[0], ids[1], ids[2]);
                }
            }

    out.mesh.positions.resize(static_cast<Eigen::Index>(positions.size()), 3);
    for (std::size_t v = 0; v < positions.size(); ++v) out.mesh.positions.row(static_cast<Eigen::Index>(v)) = positions[v].transpose();
    out.mesh.faces.resize(static_cast<Eigen::Index>(faces.size()), 3);
    for (std::size_t f = 0; f < faces.size(); ++f) out.mesh.faces.row(static_cast<Eigen::Index>(f)) = faces[f].transpose();
    return out;
}

double meshArea(const io::TriMesh& mesh) {
    double area = 0.0;
    for (Eigen::Index f = 0; f < mesh.faces.rows(); ++f) {
        const Eigen::Vector3d a = mesh.positions.row(mesh.faces(f, 0)).transpose().cast<double>();
        const Eigen::Vector3d b = mesh.positions.row(mesh.faces(f, 1)).transpose().cast<double>();
        const Eigen::Vector3d c = mesh.positions.row(mesh.faces(f, 2)).transpose().cast<double>();
        area += 0.5 * (b - a).cross(c - a).norm();
    }
    return area;
}

double signedVolume(const io::TriMesh& mesh) {
    double six = 0.0;
    for (Eigen::Index f = 0; f < mesh.faces.rows(); ++f) {
        const Eigen::Vector3d a = mesh.positions.row(mesh.faces(f, 0)).transpose().cast<double>();
        const Eigen::Vector3d b = mesh.positions.row(mesh.faces(f, 1)).transpose().cast<double>();
        const Eigen::Vector3d c = mesh.positions.row(mesh.faces(f, 2)).transpose().cast<double>();
        six += a.dot(b.cross(c));
    }
    return six / 6.0;
}

}  // namespace synthforge::align
