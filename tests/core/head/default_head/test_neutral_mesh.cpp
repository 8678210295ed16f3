#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include <Eigen/Geometry>

#include "core/head/default_head/neutral_mesh.h"
#include "core/head/mesh_checks.h"

using namespace synthforge::head;
using namespace synthforge::head::default_head;

namespace {

using Vec3 = Eigen::Vector3d;

const NeutralHead& head() {
    static const NeutralHead h = buildNeutralHead();
    return h;
}

Vec3 vert(const NeutralHead& h, int v) { return h.vertices.row(v).transpose().cast<double>(); }
Vec3 anchor(const NeutralHead& h, const std::string& name) {
    const auto it = h.anchors.find(name);
    if (it == h.anchors.end()) {
        ADD_FAILURE() << "missing anchor " << name;
        return Vec3::Zero();
    }
    return it->second.cast<double>();
}

bool isSkinPart(std::uint8_t p) {
    const Part part = static_cast<Part>(p);
    return part == Part::kSkin || part == Part::kMouthBag || part == Part::kLeftEyeSocket ||
           part == Part::kRightEyeSocket;
}

/// Faces whose three vertices satisfy `keep`.
template <typename Pred>
std::vector<std::array<int, 3>> facesWhere(const NeutralHead& h, Pred keep) {
    std::vector<std::array<int, 3>> out;
    for (int f = 0; f < h.numFaces(); ++f) {
        const std::array<int, 3> t{h.faces(f, 0), h.faces(f, 1), h.faces(f, 2)};
        if (keep(t[0]) && keep(t[1]) && keep(t[2])) out.push_back(t);
    }
    return out;
}

/// Every directed edge once and its reverse once: closed, 2-manifold at edges
/// and consistently oriented.
void expectClosedOriented(const std::vector<std::array<int, 3>>& faces, const char* what) {
    std::map<std::pair<int, int>, int> directed;
    for (const auto& t : faces)
        for (int c = 0; c < 3; ++c) ++directed[{t[c], t[(c + 1) % 3]}];
    int bad = 0;
    for (const auto& [e, n] : directed) {
        const auto rev = directed.find({e.second, e.first});
        if (n != 1 || rev == directed.end() || rev->second != 1) ++bad;
    }
    EXPECT_EQ(bad, 0) << what << ": edges not shared by exactly two oppositely oriented faces";
}

double signedVolume(const NeutralHead& h, const std::vector<std::array<int, 3>>& faces) {
    double v = 0;
    for (const auto& t : faces) v += vert(h, t[0]).dot(vert(h, t[1]).cross(vert(h, t[2]))) / 6.0;
    return v;
}

int components(const std::vector<std::array<int, 3>>& faces) {
    std::unordered_map<int, int> parent;
    std::function<int(int)> find = [&](int a) {
        while (parent[a] != a) a = parent[a] = parent[parent[a]];
        return a;
    };
    for (const auto& t : faces)
        for (int v : t)
            if (!parent.count(v)) parent[v] = v;
    for (const auto& t : faces) {
        parent[find(t[1])] = find(t[0]);
        parent[find(t[2])] = find(t[0]);
    }
    std::set<int> roots;
    for (auto& kv : parent) roots.insert(find(kv.first));
    return static_cast<int>(roots.size());
}

}  // namespace

TEST(NeutralHead, DeterministicBitwise) {
    const NeutralHead a = buildNeutralHead();
    const NeutralHead& b = head();
    ASSERT_EQ(a.vertices.rows(), b.vertices.rows());
    ASSERT_EQ(a.faces.rows(), b.faces.rows());
    ASSERT_EQ(a.uv.rows(), b.uv.rows());
    EXPECT_EQ(0, std::memcmp(a.vertices.data(), b.vertices.data(), sizeof(float) * a.vertices.size()));
    EXPECT_EQ(0, std::memcmp(a.faces.data(), b.faces.data(), sizeof(std::int32_t) * a.faces.size()));
    EXPECT_EQ(0, std::memcmp(a.uv.data(), b.uv.data(), sizeof(float) * a.uv.size()));
    EXPECT_EQ(0, std::memcmp(a.uvFaces.data(), b.uvFaces.data(), sizeof(std::int32_t) * a.uvFaces.size()));
    EXPECT_EQ(a.vertexPart, b.vertexPart);
    EXPECT_EQ(a.faceIsland, b.faceIsland);
    EXPECT_EQ(a.mirrorOf, b.mirrorOf);
    EXPECT_EQ(a.regions, b.regions);
    ASSERT_EQ(a.anchors.size(), b.anchors.size());
    for (const auto& [name, p] : a.anchors) EXPECT_EQ(0, std::memcmp(p.data(), b.anchors.at(name).data(), sizeof(float) * 3)) << name;
}

TEST(NeutralHead, SizesAndCounts) {
    const NeutralHead& h = head();
    EXPECT_GE(h.numVertices(), 4000);
    EXPECT_LE(h.numVertices(), 6000);
    EXPECT_EQ(static_cast<int>(h.vertexPart.size()), h.numVertices());
    EXPECT_EQ(static_cast<int>(h.mirrorOf.size()), h.numVertices());
    EXPECT_EQ(static_cast<int>(h.faceIsland.size()), h.numFaces());
    EXPECT_EQ(h.uvFaces.rows(), h.faces.rows());
    EXPECT_GE(h.faces.minCoeff(), 0);
    EXPECT_LT(h.faces.maxCoeff(), h.numVertices());
    EXPECT_GE(h.uvFaces.minCoeff(), 0);
    EXPECT_LT(h.uvFaces.maxCoeff(), h.uv.rows());
    EXPECT_TRUE(h.vertices.allFinite());
}

TEST(NeutralHead, SkinIsOneClosedOutwardManifold) {
    const NeutralHead& h = head();
    const auto skin = facesWhere(h, [&](int v) { return isSkinPart(h.vertexPart[v]); });
    ASSERT_GT(skin.size(), 1000u);
    expectClosedOriented(skin, "skin");
    EXPECT_EQ(components(skin), 1);
    // the skin faces plus the two eyeballs are all faces
    const auto left = facesWhere(h, [&](int v) { return h.vertexPart[v] == static_cast<std::uint8_t>(Part::kLeftEyeball); });
    const auto right = facesWhere(h, [&](int v) { return h.vertexPart[v] == static_cast<std::uint8_t>(Part::kRightEyeball); });
    EXPECT_EQ(skin.size() + left.size() + right.size(), static_cast<size_t>(h.numFaces()));
    // outward: positive enclosed volume, about a head's (3.5-5.5 litres with the neck stump)
    const double vol = signedVolume(h, skin);
    EXPECT_GT(vol, 0.0025);
    EXPECT_LT(vol, 0.0060);
    // vertex-manifold too: the faces around every vertex form one fan
    std::map<int, std::vector<std::pair<int, int>>> fan;  // vertex -> (next, prev) around it
    for (const auto& t : skin)
        for (int c = 0; c < 3; ++c) fan[t[c]].push_back({t[(c + 1) % 3], t[(c + 2) % 3]});
    int nonManifold = 0;
    for (auto& [v, links] : fan) {
        std::map<int, int> next;
        for (auto& l : links) next[l.first] = l.second;
        int steps = 0, cur = links.front().first;
        do {
            cur = next.count(cur) ? next[cur] : -1;
            ++steps;
        } while (cur != links.front().first && cur >= 0 && steps <= static_cast<int>(links.size()));
        if (steps != static_cast<int>(links.size())) ++nonManifold;
    }
    EXPECT_EQ(nonManifold, 0);
}

TEST(NeutralHead, EyeballsAreClosedSpheres) {
    const NeutralHead& h = head();
    for (Part p : {Part::kLeftEyeball, Part::kRightEyeball}) {
        const auto faces = facesWhere(h, [&](int v) { return h.vertexPart[v] == static_cast<std::uint8_t>(p); });
        ASSERT_GT(faces.size(), 100u);
        expectClosedOriented(faces, "eyeball");
        EXPECT_EQ(components(faces), 1);
        const double vol = signedVolume(h, faces);
        const double r = 0.012;
        EXPECT_NEAR(vol, 4.0 / 3.0 * M_PI * r * r * r, 0.08 * 4.0 / 3.0 * M_PI * r * r * r);
        const Vec3 c = anchor(h, p == Part::kLeftEyeball ? "left_eye_centre" : "right_eye_centre");
        for (int v = 0; v < h.numVertices(); ++v)
            if (h.vertexPart[v] == static_cast<std::uint8_t>(p)) EXPECT_NEAR((vert(h, v) - c).norm(), r, 1e-5);
    }
    // the subject's left eye is at +x
    EXPECT_GT(anchor(h, "left_eye_centre").x(), 0.02);
}

TEST(NeutralHead, NoDegenerateFaces) {
    const NeutralHead& h = head();
    double minArea = 1e9;
    for (int f = 0; f < h.numFaces(); ++f) {
        const Vec3 a = vert(h, h.faces(f, 0)), b = vert(h, h.faces(f, 1)), c = vert(h, h.faces(f, 2));
        minArea = std::min(minArea, 0.5 * (b - a).cross(c - a).norm());
    }
    EXPECT_GT(minArea, 1e-10);
}

TEST(NeutralHead, FlameLikeBoundingBox) {
    const NeutralHead& h = head();
    const Eigen::Vector3f lo = h.vertices.colwise().minCoeff(), hi = h.vertices.colwise().maxCoeff();
    EXPECT_NEAR(hi.x(), 0.08, 0.012);  // ears
    EXPECT_NEAR(lo.x(), -hi.x(), 1e-6);
    EXPECT_NEAR(lo.y(), -0.13, 0.015);  // neck stump
    EXPECT_NEAR(hi.y(), 0.145, 0.01);   // vertex
    EXPECT_NEAR(hi.z(), 0.115, 0.008);  // nose tip
    EXPECT_NEAR(lo.z(), -0.095, 0.01);  // back of the skull
}

TEST(NeutralHead, AnthropometryWithinTenPercent) {
    const NeutralHead& h = head();
    auto dist = [&](const char* a, const char* b) { return (anchor(h, a) - anchor(h, b)).norm(); };
    auto within = [](double value, double target, const char* what) {
        EXPECT_NEAR(value, target, 0.10 * target) << what;
    };
    within(dist("left_pupil", "right_pupil"), 0.063, "interpupillary distance");
    within(dist("left_mouth_corner", "right_mouth_corner"), 0.050, "mouth width");
    within(dist("left_alar", "right_alar"), 0.035, "nose width");
    within(dist("nasion", "menton"), 0.120, "face height");
    within(dist("left_eurion", "right_eurion"), 0.152, "head breadth");
    within(std::abs(anchor(h, "glabella").z() - anchor(h, "opisthocranion").z()), 0.190, "head length");
    within(dist("nasion", "nose_tip"), 0.050, "nose length");
    within(dist("left_eye_inner_corner", "left_eye_outer_corner"), 0.030, "palpebral fissure width");
    within(dist("left_upper_eyelid", "left_lower_eyelid"), 0.010, "palpebral fissure height");
    within(anchor(h, "left_ear_top").y() - anchor(h, "left_ear_bottom").y(), 0.062, "ear height");
    // ear top about at brow level, ear behind the jaw hinge
    EXPECT_NEAR(anchor(h, "left_ear_top").y(), anchor(h, "left_brow_peak").y(), 0.008);
    EXPECT_LT(anchor(h, "left_tragion").z(), anchor(h, "left_jaw_hinge").z());
    EXPECT_LT(std::abs(anchor(h, "left_jaw_hinge").x()), std::abs(anchor(h, "left_tragion").x()));
}

TEST(NeutralHead, MirrorSymmetric) {
    const NeutralHead& h = head();
    int midline = 0;
    for (int v = 0; v < h.numVertices(); ++v) {
        const int m = h.mirrorOf[v];
        ASSERT_GE(m, 0);
        ASSERT_LT(m, h.numVertices());
        EXPECT_EQ(h.mirrorOf[m], v);
        const Vec3 p = vert(h, v), q = vert(h, m);
        EXPECT_LT((p - Vec3(-q.x(), q.y(), q.z())).norm(), 1e-4) << "vertex " << v;
        if (m == v) {
            ++midline;
            EXPECT_LT(std::abs(p.x()), 1e-4);
        }
        EXPECT_EQ(h.vertexPart[v] == static_cast<std::uint8_t>(Part::kLeftEyeball),
                  h.vertexPart[m] == static_cast<std::uint8_t>(Part::kRightEyeball));
    }
    EXPECT_GT(midline, 50);
    // regions mirror each other
    for (const char* base : {"ear", "eyeball", "iris", "eyelid", "brow", "eye_socket"}) {
        const auto& l = h.regions.at(std::string("left_") + base);
        const auto& r = h.regions.at(std::string("right_") + base);
        std::vector<std::int32_t> ml;
        for (int v : l) ml.push_back(h.mirrorOf[v]);
        std::sort(ml.begin(), ml.end());
        EXPECT_EQ(ml, r) << base;
    }
}

TEST(NeutralHead, FeatureLayout) {
    const NeutralHead& h = head();
    // the nose tip is the frontmost point of the skin
    double maxZ = -1;
    for (int v = 0; v < h.numVertices(); ++v)
        if (isSkinPart(h.vertexPart[v])) maxZ = std::max(maxZ, vert(h, v).z());
    EXPECT_NEAR(anchor(h, "nose_tip").z(), maxZ, 1e-6);
    EXPECT_LT(std::abs(anchor(h, "nose_tip").x()), 1e-6);
    // eye corners are mirror images
    for (const char* c : {"eye_inner_corner", "eye_outer_corner", "pupil", "mouth_corner", "alar", "gonion", "tragion"}) {
        const Vec3 l = anchor(h, std::string("left_") + c), r = anchor(h, std::string("right_") + c);
        EXPECT_LT((l - Vec3(-r.x(), r.y(), r.z())).norm(), 1e-4) << c;
        EXPECT_GT(l.x(), 0) << c;
    }
    // mouth corners between the outer eye corners and outside the alae
    const double mouth = std::abs(anchor(h, "left_mouth_corner").x());
    EXPECT_LT(mouth, std::abs(anchor(h, "left_eye_outer_corner").x()));
    EXPECT_GT(mouth, std::abs(anchor(h, "left_alar").x()));
    // vertical order down the face
    const double yBrow = anchor(h, "left_brow_peak").y(), yEye = anchor(h, "left_pupil").y();
    const double yTip = anchor(h, "nose_tip").y(), ySn = anchor(h, "subnasale").y();
    const double yMouth = anchor(h, "left_mouth_corner").y(), yMe = anchor(h, "menton").y();
    EXPECT_GT(yBrow, yEye);
    EXPECT_GT(yEye, yTip);
    EXPECT_GT(yTip, ySn);
    EXPECT_GT(ySn, yMouth);
    EXPECT_GT(yMouth, yMe);
    EXPECT_GT(anchor(h, "menton").y(), anchor(h, "neck_base_centre").y() + 0.03);
    // the eye openings are almond-shaped: taller than zero, corners at the ends
    EXPECT_GT(anchor(h, "left_upper_eyelid").y(), anchor(h, "left_pupil").y() + 0.002);
    EXPECT_LT(anchor(h, "left_lower_eyelid").y(), anchor(h, "left_pupil").y() - 0.002);
}

TEST(NeutralHead, LipsClosedAtRest) {
    const NeutralHead& h = head();
    const double gap = (anchor(h, "upper_lip_inner") - anchor(h, "lower_lip_inner")).norm();
    EXPECT_LE(gap, 0.0005);
    EXPECT_GT(gap, 0.0);  // two contours, not one
    EXPECT_GT(anchor(h, "upper_lip_inner").y(), anchor(h, "lower_lip_inner").y());
    // the bag lies behind the lips
    for (int v : h.regions.at("mouth_interior")) EXPECT_LT(vert(h, v).z(), anchor(h, "upper_lip_inner").z() + 1e-6);
}

TEST(NeutralHead, ClosedLipsHideTheMouthBag) {
    // Rays from the front (and a little from above and below) through the lip
    // line must end on lips, never on a face of the bag alone.
    const NeutralHead& h = head();
    const std::set<int> bag(h.regions.at("mouth_interior").begin(), h.regions.at("mouth_interior").end());
    const Vec3 mid = 0.5 * (anchor(h, "upper_lip_inner") + anchor(h, "lower_lip_inner"));
    std::vector<int> near;
    for (int f = 0; f < h.numFaces(); ++f) {
        const Vec3 c = (vert(h, h.faces(f, 0)) + vert(h, h.faces(f, 1)) + vert(h, h.faces(f, 2))) / 3.0;
        if (std::abs(c.x()) < 0.04 && std::abs(c.y() - mid.y()) < 0.02 && c.z() > 0.0) near.push_back(f);
    }
    int bagHits = 0, rays = 0;
    for (double pitch : {-0.15, 0.0, 0.15}) {
        const Vec3 dir = Vec3(0, -std::sin(pitch), -std::cos(pitch));
        for (double x = -0.027; x <= 0.027; x += 0.0005)
            for (double dy = -0.002; dy <= 0.002; dy += 0.0001) {
                const Vec3 o = Vec3(x, mid.y() + dy, mid.z()) - 0.05 * dir;
                double best = 1e9;
                int hit = -1;
                for (int f : near) {
                    const Vec3 a = vert(h, h.faces(f, 0)), b = vert(h, h.faces(f, 1)), c = vert(h, h.faces(f, 2));
                    const Vec3 e1 = b - a, e2 = c - a, s = dir.cross(e2);
                    const double det = e1.dot(s);
                    if (std::abs(det) < 1e-18) continue;
                    const Vec3 q = o - a;
                    const double u = q.dot(s) / det;
                    if (u < 0 || u > 1) continue;
                    const Vec3 r = q.cross(e1);
                    const double v = dir.dot(r) / det;
                    if (v < 0 || u + v > 1) continue;
                    const double t = e2.dot(r) / det;
                    if (t > 0 && t < best) { best = t; hit = f; }
                }
                ++rays;
                if (hit >= 0 && bag.count(h.faces(hit, 0)) && bag.count(h.faces(hit, 1)) && bag.count(h.faces(hit, 2)))
                    ++bagHits;
            }
    }
    EXPECT_GT(rays, 1000);
    EXPECT_EQ(bagHits, 0);
}

TEST(NeutralHead, RegionsAndAnchorsPresent) {
    const NeutralHead& h = head();
    for (const char* r : {"face", "scalp", "left_ear", "right_ear", "neck", "nose", "lips", "upper_lip", "lower_lip",
                          "left_eyelid", "right_eyelid", "left_eyeball", "right_eyeball", "left_iris", "right_iris",
                          "left_pupil", "right_pupil", "mouth_interior", "left_brow", "right_brow", "left_eye_socket",
                          "right_eye_socket"}) {
        ASSERT_TRUE(h.regions.count(r)) << r;
        EXPECT_FALSE(h.regions.at(r).empty()) << r;
        for (int v : h.regions.at(r)) {
            EXPECT_GE(v, 0);
            EXPECT_LT(v, h.numVertices());
        }
    }
    for (const char* a : {"left_eye_inner_corner", "left_eye_outer_corner", "right_eye_inner_corner",
                          "right_eye_outer_corner", "left_upper_eyelid", "left_lower_eyelid", "left_pupil",
                          "right_pupil", "left_eye_centre", "right_eye_centre", "nose_tip", "nasion", "nose_bridge_top",
                          "left_alar", "right_alar", "subnasale", "left_mouth_corner", "right_mouth_corner",
                          "upper_lip_outer", "lower_lip_outer", "upper_lip_inner", "lower_lip_inner", "menton",
                          "left_gonion", "right_gonion", "left_tragion", "right_tragion", "left_brow_inner",
                          "left_brow_peak", "left_brow_outer", "right_brow_inner", "right_brow_peak",
                          "right_brow_outer", "left_jaw_hinge", "right_jaw_hinge", "neck_base_centre",
                          "upper_neck_centre"})
        EXPECT_TRUE(h.anchors.count(a)) << a;
    // iris and pupil sit on the front of the eyeball, centred on its axis
    for (const char* s : {"left", "right"}) {
        const Vec3 c = anchor(h, std::string(s) + "_eye_centre");
        for (int v : h.regions.at(std::string(s) + "_iris")) {
            const Vec3 d = vert(h, v) - c;
            EXPECT_GT(d.z(), 0.009);
            EXPECT_LE(std::hypot(d.x(), d.y()), 0.0061);
        }
        EXPECT_LT(h.regions.at(std::string(s) + "_pupil").size(), h.regions.at(std::string(s) + "_iris").size());
    }
}

TEST(NeutralHead, UvAtlasIslandsDoNotOverlap) {
    const NeutralHead& h = head();
    ASSERT_GT(h.uv.rows(), 0);
    EXPECT_GE(h.uv.minCoeff(), 0.0f);
    EXPECT_LE(h.uv.maxCoeff(), 1.0f);
    constexpr int N = 512;
    std::vector<int> owner(N * N, -1);
    int conflicts = 0;
    std::array<double, kNumUvIslands> area{};
    for (int f = 0; f < h.numFaces(); ++f) {
        const int isl = h.faceIsland[f];
        Eigen::Vector2d t[3];
        for (int c = 0; c < 3; ++c) t[c] = h.uv.row(h.uvFaces(f, c)).transpose().cast<double>();
        const double a2 = (t[1] - t[0]).x() * (t[2] - t[0]).y() - (t[2] - t[0]).x() * (t[1] - t[0]).y();
        area[isl] += 0.5 * std::abs(a2);
        if (std::abs(a2) < 1e-14) continue;
        const int x0 = std::max(0, static_cast<int>(std::floor(std::min({t[0].x(), t[1].x(), t[2].x()}) * N)));
        const int x1 = std::min(N - 1, static_cast<int>(std::ceil(std::max({t[0].x(), t[1].x(), t[2].x()}) * N)));
        const int y0 = std::max(0, static_cast<int>(std::floor(std::min({t[0].y(), t[1].y(), t[2].y()}) * N)));
        const int y1 = std::min(N - 1, static_cast<int>(std::ceil(std::max({t[0].y(), t[1].y(), t[2].y()}) * N)));
        for (int y = y0; y <= y1; ++y)
            for (int x = x0; x <= x1; ++x) {
                const Eigen::Vector2d p((x + 0.5) / N, (y + 0.5) / N);
                double w[3];
                for (int c = 0; c < 3; ++c) {
                    const Eigen::Vector2d a = t[(c + 1) % 3] - p, b = t[(c + 2) % 3] - p;
                    w[c] = (a.x() * b.y() - a.y() * b.x()) / a2;
                }
                // texel centres inside the triangle, with a little slack
                if (w[0] < -1e-3 || w[1] < -1e-3 || w[2] < -1e-3) continue;
                int& o = owner[y * N + x];
                if (o >= 0 && o != isl) ++conflicts;
                o = isl;
            }
    }
    EXPECT_EQ(conflicts, 0);
    double total = 0;
    for (double a : area) total += a;
    EXPECT_GE(area[static_cast<int>(UvIsland::kFace)] / total, 0.40);
    for (int i = 0; i < kNumUvIslands; ++i) EXPECT_GT(area[i], 0.0) << "island " << i;
    // the iris is centred in each eyeball island
    for (auto [region, island] : {std::pair{"left_iris", UvIsland::kLeftEyeball}, std::pair{"right_iris", UvIsland::kRightEyeball}}) {
        std::set<int> iris(h.regions.at(region).begin(), h.regions.at(region).end());
        Eigen::AlignedBox2d box, irisBox;
        for (int f = 0; f < h.numFaces(); ++f) {
            if (h.faceIsland[f] != static_cast<std::uint8_t>(island)) continue;
            for (int c = 0; c < 3; ++c) {
                const Eigen::Vector2d t = h.uv.row(h.uvFaces(f, c)).transpose().cast<double>();
                box.extend(t);
                if (iris.count(h.faces(f, c))) irisBox.extend(t);
            }
        }
        EXPECT_LT((box.center() - irisBox.center()).norm(), 0.01 * box.sizes().maxCoeff() + 1e-4) << region;
        EXPECT_LT(irisBox.sizes().maxCoeff(), 0.5 * box.sizes().maxCoeff()) << region;
    }
}

TEST(NeutralHead, NoSelfIntersections) {
    // Skin and eyeballs together: the eyeballs must not poke through the lids either.
    const NeutralHead& h = head();
    const auto hits = findSelfIntersections(h.vertices, h.faces);
    for (const auto& [a, b] : hits)
        ADD_FAILURE() << "faces " << a << " and " << b << " intersect near " << h.vertices.row(h.faces(a, 0));
    EXPECT_TRUE(hits.empty());
}
