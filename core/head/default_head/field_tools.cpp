// Small helpers for the procedural fields of the default head.

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "core/head/default_head/build_parts.h"

namespace synthforge::head::default_head {

Eigen::Vector3f anchor(const NeutralHead& head, const std::string& name) {
    auto it = head.anchors.find(name);
    if (it == head.anchors.end()) throw std::logic_error("default head: neutral mesh has no anchor '" + name + "'");
    return it->second;
}

float stomionY(const NeutralHead& head) {
    return 0.5f * (anchor(head, "upper_lip_inner").y() + anchor(head, "lower_lip_inner").y());
}

float smoothstep(float e0, float e1, float x) {
    const float t = std::clamp((x - e0) / (e1 - e0), 0.0f, 1.0f);
    return t * t * (3.0f - 2.0f * t);
}

float gaussian(const Eigen::Vector3f& p, const Eigen::Vector3f& c, float sigma) {
    return std::exp(-(p - c).squaredNorm() / (2.0f * sigma * sigma));
}

std::vector<std::int32_t> rimVertices(const NeutralHead& head, Part pocket) {
    // A rim vertex is a skin vertex sharing a face with a pocket vertex.
    std::set<std::int32_t> rim;
    const auto part = [&](std::int32_t v) { return static_cast<Part>(head.vertexPart[v]); };
    for (int f = 0; f < head.numFaces(); ++f) {
        bool touchesPocket = false;
        for (int k = 0; k < 3; ++k) touchesPocket |= part(head.faces(f, k)) == pocket;
        if (!touchesPocket) continue;
        for (int k = 0; k < 3; ++k)
            if (part(head.faces(f, k)) == Part::kSkin) rim.insert(head.faces(f, k));
    }
    return {rim.begin(), rim.end()};
}

std::vector<float> regionMask(const NeutralHead& head, const std::string& region) {
    auto it = head.regions.find(region);
    if (it == head.regions.end()) throw std::logic_error("default head: neutral mesh has no region '" + region + "'");
    std::vector<float> mask(head.numVertices(), 0.0f);
    for (std::int32_t v : it->second) mask[v] = 1.0f;
    return mask;
}

}  // namespace synthforge::head::default_head

namespace synthforge::head::default_head {

RowMatX3f vertexNormals(const NeutralHead& head) {
    RowMatX3f n = RowMatX3f::Zero(head.numVertices(), 3);
    for (int f = 0; f < head.numFaces(); ++f) {
        const Eigen::Vector3f a = head.vertices.row(head.faces(f, 0)), b = head.vertices.row(head.faces(f, 1)),
                              c = head.vertices.row(head.faces(f, 2));
        const Eigen::RowVector3f fn = (b - a).cross(c - a).transpose();  // length = 2 * area
        for (int k = 0; k < 3; ++k) n.row(head.faces(f, k)) += fn;
    }
    for (int v = 0; v < n.rows(); ++v) {
        const float len = n.row(v).norm();
        if (len > 0) n.row(v) /= len;
    }
    return n;
}

RowMatX3f fieldNormals(const NeutralHead& head) {
    RowMatX3f n = vertexNormals(head);
    for (const char* ear : {"left_ear", "right_ear"})
        for (std::int32_t v : head.regions.at(ear)) n.row(v) << (head.vertices(v, 0) >= 0 ? 1.0f : -1.0f), 0.0f, 0.0f;
    return n;
}

void makeEyeballsRigid(const NeutralHead& head, RowMatX3f& d) {
    for (Part eye : {Part::kLeftEyeball, Part::kRightEyeball}) {
        Eigen::RowVector3f sum = Eigen::RowVector3f::Zero();
        int n = 0;
        for (int v = 0; v < head.numVertices(); ++v)
            if (static_cast<Part>(head.vertexPart[v]) == eye) {
                sum += d.row(v);
                ++n;
            }
        if (n == 0) continue;
        sum /= static_cast<float>(n);
        for (int v = 0; v < head.numVertices(); ++v)
            if (static_cast<Part>(head.vertexPart[v]) == eye) d.row(v) = sum;
    }
}

NormalSampler::NormalSampler(std::uint32_t seed) : state_{seed ^ 0x9E3779B9u, seed * 2654435761u + 1u} {}

float NormalSampler::next() {
    if (hasSpare_) {
        hasSpare_ = false;
        return spare_;
    }
    // A splitmix64 stream: fully specified, so the default head is the same
    // on every platform and standard library.
    auto uniform = [this]() {
        std::uint64_t z = (static_cast<std::uint64_t>(state_[0]) << 32 | state_[1]) + 0x9E3779B97F4A7C15ull * ++counter_;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        return (static_cast<double>(z >> 11) + 0.5) / 9007199254740992.0;  // (0, 1)
    };
    const double u1 = uniform(), u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1)), t = 2.0 * 3.14159265358979323846 * u2;
    spare_ = static_cast<float>(r * std::sin(t));
    hasSpare_ = true;
    return static_cast<float>(r * std::cos(t));
}

}  // namespace synthforge::head::default_head

namespace synthforge::head::default_head {

void guardField(const NeutralHead& head, RowMatX3f& d, const FieldGuards& guards) {
    const int V = head.numVertices();
    auto part = [&](int v) { return static_cast<Part>(head.vertexPart[v]); };
    if (guards.eyes) {
        const Eigen::Vector3f cL = anchor(head, "left_eye_centre"), cR = anchor(head, "right_eye_centre");
        Eigen::RowVector3f tL = Eigen::RowVector3f::Zero(), tR = Eigen::RowVector3f::Zero();
        if (guards.eyeballsFollowField) {
            int nL = 0, nR = 0;
            for (int v = 0; v < V; ++v) {
                if (part(v) == Part::kLeftEyeball) tL += d.row(v), ++nL;
                if (part(v) == Part::kRightEyeball) tR += d.row(v), ++nR;
            }
            if (nL) tL /= static_cast<float>(nL);
            if (nR) tR /= static_cast<float>(nR);
        }
        for (int v = 0; v < V; ++v) {
            const Eigen::Vector3f p = head.vertices.row(v);
            const bool left = p.x() >= 0;
            const Part pt = part(v);
            const bool eyePart = pt == Part::kLeftEyeball || pt == Part::kRightEyeball || pt == Part::kLeftEyeSocket ||
                                 pt == Part::kRightEyeSocket;
            const float w = eyePart ? 1.0f : 1.0f - smoothstep(0.015f, 0.024f, (p - (left ? cL : cR)).norm());
            d.row(v) = w * (left ? tL : tR) + (1.0f - w) * d.row(v);
        }
    }
    if (guards.lips) {
        // The slit's rim vertices, the lip skin within a few edge rings of
        // them and the whole mouth bag take one smooth displacement that
        // depends on x only: the mean of the upper and lower rims near that
        // x. Faces that touch the slit then move together, so a field that
        // differs between the two lips (0.3 mm apart) cannot tilt one
        // through the other; further out the lip's own field takes over.
        const auto rim = rimVertices(head, Part::kMouthBag);
        const float sto = stomionY(head);
        auto rimMean = [&](float x) {
            Eigen::RowVector3f sum[2] = {Eigen::RowVector3f::Zero(), Eigen::RowVector3f::Zero()};
            float wsum[2] = {0, 0};
            for (std::int32_t r : rim) {
                const int side = head.vertices(r, 1) >= sto ? 0 : 1;
                const float dx = head.vertices(r, 0) - x;
                const float w = std::exp(-dx * dx / (2 * 0.002f * 0.002f)) + 1e-12f;
                sum[side] += w * d.row(r);
                wsum[side] += w;
            }
            Eigen::RowVector3f m = Eigen::RowVector3f::Zero();
            int n = 0;
            for (int side = 0; side < 2; ++side)
                if (wsum[side] > 0) m += sum[side] / wsum[side], ++n;
            return Eigen::RowVector3f(n ? m / static_cast<float>(n) : m);
        };
        // Edge-ring distance from the rim over the skin.
        std::vector<int> ring(V, -1);
        std::vector<std::int32_t> frontier(rim.begin(), rim.end());
        for (std::int32_t r : rim) ring[r] = 0;
        std::vector<std::vector<std::int32_t>> adj(V);
        for (int f = 0; f < head.numFaces(); ++f)
            for (int k = 0; k < 3; ++k) {
                adj[head.faces(f, k)].push_back(head.faces(f, (k + 1) % 3));
                adj[head.faces(f, k)].push_back(head.faces(f, (k + 2) % 3));
            }
        constexpr int kRigidRings = 2, kFadeRings = 3;
        for (int level = 1; level <= kRigidRings + kFadeRings; ++level) {
            std::vector<std::int32_t> next;
            for (std::int32_t v : frontier)
                for (std::int32_t u : adj[v])
                    if (ring[u] < 0 && part(u) == Part::kSkin) {
                        ring[u] = level;
                        next.push_back(u);
                    }
            frontier.swap(next);
        }
        RowMatX3f out = d;
        for (int v = 0; v < V; ++v) {
            float w = 0.0f;
            if (part(v) == Part::kMouthBag) w = 1.0f;
            else if (ring[v] >= 0)
                w = ring[v] <= kRigidRings ? 1.0f : 1.0f - static_cast<float>(ring[v] - kRigidRings) / (kFadeRings + 1);
            if (w > 0) out.row(v) = w * rimMean(head.vertices(v, 0)) + (1.0f - w) * d.row(v);
        }
        d = out;
    }
}

}  // namespace synthforge::head::default_head
