#pragma once
// Draws the posed head with OpenGL 3.3 core: one VAO with interleaved
// positions and normals (re-uploaded per pose) plus a static UV buffer, the
// triangles uploaded once per model. Modes: Lambert-shaded, textured with
// the generator's albedo (a UV-space image, see render/albedo_texture.h), or
// a wireframe; the landmarks as points coloured by visibility.
// Shaders come from the Qt resources in shaders/ (":/shaders/...").
//
// UVs are per triangle corner (uvFaces), positions per vertex (faces): GL
// needs one index per corner, so vertices are split where the UV layout has a
// seam (each distinct (vertex, uv) pair becomes one GL vertex) and every pose
// gathers the model's vertices into that order.
//
// Every call except the constructor needs the GL context current; call
// release() with it current before the context goes away.

#include <cstdint>
#include <memory>
#include <vector>

#include <QOpenGLFunctions_3_3_Core>
#include <QString>

#include <Eigen/Core>

#include "core/head/head_model.h"

class QImage;
class QOpenGLShaderProgram;

namespace synthforge::render {

class MeshRenderer : protected QOpenGLFunctions_3_3_Core {
public:
    enum class Mode { Shaded, Textured, Wireframe };

    MeshRenderer();
    ~MeshRenderer();
    MeshRenderer(const MeshRenderer&) = delete;
    MeshRenderer& operator=(const MeshRenderer&) = delete;

    /// Resolves GL functions, compiles the shaders and creates the buffers.
    /// Returns false with a message when the context is not 3.3 core capable
    /// or a shader does not compile.
    bool initialize(QString* error);
    bool initialized() const { return vao_ != 0; }
    void release();

    /// Triangles (F x 3 vertex indices) of the model and, optionally, its UV
    /// layout (uvFaces F x 3 into uv T x 2); once per model. Without UVs the
    /// textured mode draws as shaded.
    void setTopology(const head::RowMatX3i& faces, const head::RowMatX3i& uvFaces = {},
                     const head::RowMatX2f& uv = {});
    /// Posed vertices (V x 3, FLAME metres); computes area-weighted normals.
    void setVertices(const head::RowMatX3f& vertices);
    /// Landmark positions (n x 3, FLAME metres) and per point 1 = visible,
    /// 0 = occluded (empty: all visible); 0 rows hides them.
    void setLandmarks(const head::RowMatX3f& points, const std::vector<std::uint8_t>& visible = {});
    /// The albedo texture: RGB, row 0 at v = 1 (as the UV label map), any
    /// size. A null image removes it.
    void setAlbedo(const QImage& image);
    bool hasAlbedo() const { return texture_ != 0; }

    /// Clears to background() and draws. `model` maps FLAME metres to world.
    void draw(const Eigen::Matrix4f& model, const Eigen::Matrix4f& view, const Eigen::Matrix4f& projection,
              Mode mode, bool landmarks, float pointSize = 6.0f);

    /// The clear colour (sRGB 0..1); tests take non-background pixels as the silhouette.
    static Eigen::Vector3f background() { return {0.12f, 0.13f, 0.15f}; }
    /// Ambient share of the headlight in textured mode (tests predict colours with it).
    static constexpr float kTexturedAmbient = 0.35f;

private:
    std::unique_ptr<QOpenGLShaderProgram> meshProgram_, pointProgram_;
    unsigned vao_ = 0, vbo_ = 0, uvVbo_ = 0, ebo_ = 0, pointVao_ = 0, pointVbo_ = 0, texture_ = 0;
    head::RowMatX3i faces_;
    std::vector<std::int32_t> glSource_;  ///< model vertex of each GL vertex
    bool hasUv_ = false;
    int indexCount_ = 0, vertexCount_ = 0, landmarkCount_ = 0;
};

}  // namespace synthforge::render
