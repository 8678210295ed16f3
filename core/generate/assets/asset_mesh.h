#pragma once
// An asset's triangle mesh, built in the head model's rest frame (the
// template, FLAME metres), and its binding to the head: every asset vertex
// hangs off one template vertex (its anchor) by a rest-frame offset. Posing
// puts it at the anchor's posed position plus the offset turned by the
// anchor's blended skinning transform, so the asset follows identity shape
// and expression (through the anchor's displacement) and neck, jaw and
// global pose (through the anchor's skinning weights).

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/generate/assets/asset_spec.h"
#include "core/head/head_model.h"
#include "core/head/lbs.h"

namespace synthforge::generate {

struct AssetMesh {
    std::vector<Eigen::Vector3f> vertices;  ///< rest frame, FLAME metres
    std::vector<Eigen::Vector3i> faces;
    std::vector<std::uint8_t> transparent;  ///< per face: 1 = lens-like (tints colour, never hides landmarks)
    std::vector<std::int32_t> anchor;       ///< per vertex: template vertex it follows
    /// Per vertex: position across the strands of hair, in metres along the
    /// surface (NaN: not hair). Pixels interpolate it and modulate the
    /// albedo with a streak pattern along it, so hair shows strands that
    /// follow the direction it is combed (asset_composite.h).
    std::vector<float> strand;

    int numVertices() const { return static_cast<int>(vertices.size()); }
    int numFaces() const { return static_cast<int>(faces.size()); }
    /// Appends a vertex bound to `anchorVertex` (-1: bind later by
    /// bindNearest), with its strand coordinate; returns its index.
    int addVertex(const Eigen::Vector3f& p, std::int32_t anchorVertex = -1,
                  float strandCoordinate = std::numeric_limits<float>::quiet_NaN());
    void addTriangle(int a, int b, int c, bool isTransparent = false);
    /// Two triangles a-b-c, a-c-d.
    void addQuad(int a, int b, int c, int d, bool isTransparent = false);
    /// Appends `other` (indices shifted).
    void append(const AssetMesh& other);
};

/// Binds every unbound vertex (anchor -1) to the nearest of `candidates`
/// (template vertex indices) in the rest frame. Throws std::invalid_argument
/// when candidates are empty.
void bindNearest(AssetMesh& mesh, const head::HeadModel& model, const std::vector<std::int32_t>& candidates);

/// The asset's vertices for a posed head (same frame as pose.vertices).
head::RowMatX3f poseAsset(const AssetMesh& mesh, const head::HeadModel& model, const head::HeadPose& pose);

}  // namespace synthforge::generate
