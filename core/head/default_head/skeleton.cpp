// Joints, J_regressor and skinning weights of the default head.
//
// Joints sit where FLAME's do anatomically: the global joint at the base of
// the neck, the neck joint at the top of the neck (the head pivots there),
// the jaw joint on the line between the jaw hinges in front of the ears, and
// the eye joints at the eyeball centres. Each joint is a fixed convex
// combination of mesh vertices (the J_regressor), so it follows every shape.

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/head/default_head/build_parts.h"

namespace synthforge::head::default_head {

namespace {

/// Uniform weights over `verts` and the resulting joint position.
Eigen::Vector3f averageOf(const NeutralHead& head, const std::vector<std::int32_t>& verts, Eigen::MatrixXf& jreg, int joint) {
    Eigen::Vector3f sum = Eigen::Vector3f::Zero();
    for (std::int32_t v : verts) {
        jreg(joint, v) += 1.0f / static_cast<float>(verts.size());
        sum += head.vertices.row(v).transpose();
    }
    return sum / static_cast<float>(verts.size());
}

std::vector<std::int32_t> verticesOfPart(const NeutralHead& head, Part part) {
    std::vector<std::int32_t> out;
    for (int v = 0; v < head.numVertices(); ++v)
        if (static_cast<Part>(head.vertexPart[v]) == part) out.push_back(v);
    return out;
}

/// Skin vertices in a thin horizontal slab of the neck (a ring): their mean
/// is the neck's centre at that height.
std::vector<std::int32_t> neckRing(const NeutralHead& head, float y, float halfThickness) {
    const auto neck = head.regions.at("neck");
    std::vector<std::int32_t> ring;
    for (std::int32_t v : neck)
        if (std::abs(head.vertices(v, 1) - y) <= halfThickness && static_cast<Part>(head.vertexPart[v]) == Part::kSkin)
            ring.push_back(v);
    return ring;
}

/// The k skin vertices nearest to p, plus their mirror images: the mean lies
/// on the midline.
std::vector<std::int32_t> mirroredNearest(const NeutralHead& head, const Eigen::Vector3f& p, int k) {
    std::vector<std::int32_t> skin;
    for (int v = 0; v < head.numVertices(); ++v)
        if (static_cast<Part>(head.vertexPart[v]) == Part::kSkin) skin.push_back(v);
    std::partial_sort(skin.begin(), skin.begin() + k, skin.end(), [&](std::int32_t a, std::int32_t b) {
        return (head.vertices.row(a).transpose() - p).squaredNorm() < (head.vertices.row(b).transpose() - p).squaredNorm();
    });
    std::vector<std::int32_t> out(skin.begin(), skin.begin() + k);
    for (int i = 0; i < k; ++i) out.push_back(head.mirrorOf[out[i]]);
    return out;
}

/// Averages weights over mesh neighbours, `iterations` times, leaving
/// `pinned` vertices unchanged: removes creases where the rules switch.
void smoothOverMesh(const NeutralHead& head, std::vector<float>& w, const std::vector<bool>& pinned, int iterations) {
    const int V = head.numVertices();
    std::vector<std::vector<std::int32_t>> adj(V);
    for (int f = 0; f < head.numFaces(); ++f)
        for (int k = 0; k < 3; ++k) {
            adj[head.faces(f, k)].push_back(head.faces(f, (k + 1) % 3));
            adj[head.faces(f, k)].push_back(head.faces(f, (k + 2) % 3));
        }
    std::vector<float> next(V);
    for (int it = 0; it < iterations; ++it) {
        for (int v = 0; v < V; ++v) {
            if (pinned[v] || adj[v].empty()) {
                next[v] = w[v];
                continue;
            }
            float s = 0;
            for (std::int32_t n : adj[v]) s += w[n];
            next[v] = 0.5f * w[v] + 0.5f * s / static_cast<float>(adj[v].size());
        }
        w.swap(next);
    }
}

}  // namespace

void buildSkeleton(const NeutralHead& head, HeadModel& model) {
    const int V = head.numVertices();
    Eigen::MatrixXf jreg = Eigen::MatrixXf::Zero(kNumJoints, V);

    // Neck levels from the neck region's extent: global joint near its base,
    // neck joint near its top (under the skull).
    const auto& neck = head.regions.at("neck");
    float yMin = 1e9f, yMax = -1e9f;
    for (std::int32_t v : neck) {
        if (static_cast<Part>(head.vertexPart[v]) != Part::kSkin) continue;
        yMin = std::min(yMin, head.vertices(v, 1));
        yMax = std::max(yMax, head.vertices(v, 1));
    }
    const float yGlobal = yMin + 0.2f * (yMax - yMin);
    const float yNeck = yMin + 0.8f * (yMax - yMin);
    // averageOf fills the regressor rows; the joint positions themselves are
    // regressed later from the posed shape, so the returned points are unused here.
    averageOf(head, neckRing(head, yGlobal, 0.004f), jreg, kGlobal);
    averageOf(head, neckRing(head, yNeck, 0.004f), jreg, kNeck);
    // Skin points just in front of the tragion, both sides: the hinge axis.
    const Eigen::Vector3f hinge = anchor(head, "left_jaw_hinge");
    const Eigen::Vector3f jJaw = averageOf(head, mirroredNearest(head, hinge, 6), jreg, kJaw);
    const auto leftEye = verticesOfPart(head, Part::kLeftEyeball), rightEye = verticesOfPart(head, Part::kRightEyeball);
    averageOf(head, leftEye, jreg, kLeftEye);
    averageOf(head, rightEye, jreg, kRightEye);
    model.jRegressor = jreg;

    // --- weights ---------------------------------------------------------
    const Eigen::Vector3f mouthCorner = anchor(head, "left_mouth_corner");
    const Eigen::Vector3f menton = anchor(head, "menton");
    const float lipLineY = stomionY(head);
    const auto upperLip = regionMask(head, "upper_lip"), lowerLip = regionMask(head, "lower_lip");

    std::vector<float> jaw(V, 0.0f), carry(V, 0.0f);  // carry: share not on the global joint
    std::vector<bool> pinned(V, false);
    // The jaw line in the (z, y) plane runs from the hinge to just below the
    // mouth corner; the jaw carries what lies below it.
    const Eigen::Vector2f a(jJaw.z(), jJaw.y()), b(mouthCorner.z(), mouthCorner.y());
    const Eigen::Vector2f dir = (b - a).normalized();
    for (int v = 0; v < V; ++v) {
        const Eigen::Vector3f p = head.vertices.row(v);
        // The neck bends between its base and just under the chin, so the
        // whole face, chin included, rides rigidly on the neck joint.
        carry[v] = smoothstep(yMin, menton.y() - 0.006f, p.y());
        const Part part = static_cast<Part>(head.vertexPart[v]);
        if (part == Part::kLeftEyeball || part == Part::kRightEyeball) continue;
        // Towards the mouth corners the lips and the bag blend to one half,
        // so the corner stretches instead of tearing when the jaw opens.
        const float centre = smoothstep(0.0f, 0.014f, std::abs(mouthCorner.x()) - std::abs(p.x()));
        // The jaw carries what lies below a line from the hinge to the mouth
        // corner, fading in front of the hinge, into the throat, and away
        // from the back of the head and the ears.
        const Eigen::Vector2f rel = Eigen::Vector2f(p.z(), p.y()) - a;
        const float cross = dir.x() * rel.y() - dir.y() * rel.x();  // < 0 below the line (z forward, y up)
        float line = smoothstep(-0.012f, 0.012f, -cross);
        line *= smoothstep(jJaw.z() - 0.012f, jJaw.z() + 0.008f, p.z());
        line *= smoothstep(menton.y() - 0.018f, menton.y() + 0.002f, p.y());
        line *= 1.0f - smoothstep(std::abs(hinge.x()) - 0.004f, std::abs(hinge.x()) + 0.006f, std::abs(p.x())) *
                           smoothstep(jJaw.y() - 0.03f, jJaw.y(), p.y());
        float j = line;
        if (part == Part::kMouthBag) {
            const float below = smoothstep(lipLineY + 0.006f, lipLineY - 0.006f, p.y());
            j = 0.5f + (below - 0.5f) * centre;
            pinned[v] = true;
        } else if (lowerLip[v] > 0) {
            j = std::max(line, 0.5f + 0.5f * centre);
            pinned[v] = true;
        } else if (upperLip[v] > 0) {
            j = std::min(line, 0.5f - 0.5f * centre);
            pinned[v] = true;
        }
        jaw[v] = j;
    }
    smoothOverMesh(head, jaw, pinned, 6);
    smoothOverMesh(head, carry, std::vector<bool>(V, false), 8);

    model.weights = RowMatXf::Zero(V, kNumJoints);
    for (int v = 0; v < V; ++v) {
        const Part part = static_cast<Part>(head.vertexPart[v]);
        if (part == Part::kLeftEyeball) {
            model.weights(v, kLeftEye) = 1.0f;
        } else if (part == Part::kRightEyeball) {
            model.weights(v, kRightEye) = 1.0f;
        } else {
            model.weights(v, kGlobal) = 1.0f - carry[v];
            model.weights(v, kJaw) = carry[v] * jaw[v];
            model.weights(v, kNeck) = carry[v] * (1.0f - jaw[v]);
        }
    }
    model.parents = {-1, 0, 1, 1, 1};
}

}  // namespace synthforge::head::default_head
