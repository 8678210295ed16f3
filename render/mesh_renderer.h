#pragma once
// Draws the posed head with OpenGL 3.3 core: one VAO with interleaved
// positions and normals (re-uploaded per pose, the topology once per model),
// Lambert-shaded or as a wireframe, and the landmarks as points on the mesh.
// Shaders come from the Qt resources in shaders/ (":/shaders/...").
//
// Every call except the constructor needs the GL context current; call
// release() with it current before the context goes away.

#include <memory>

#include <QOpenGLFunctions_3_3_Core>
#include <QString>

#include <Eigen/Core>

#include "core/head/head_model.h"

class QOpenGLShaderProgram;

namespace synthforge::render {

class MeshRenderer : protected QOpenGLFunctions_3_3_Core {
public:
    enum class Mode { Shaded, Wireframe };

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

    /// Triangles (F x 3 vertex indices) of the model; once per model.
    void setTopology(const head::RowMatX3i& faces);
    /// Posed vertices (V x 3, FLAME metres); computes area-weighted normals.
    void setVertices(const head::RowMatX3f& vertices);
    /// Landmark positions (n x 3, FLAME metres); 0 rows hides them.
    void setLandmarks(const head::RowMatX3f& points);

    /// Clears to background() and draws. `model` maps FLAME metres to world.
    void draw(const Eigen::Matrix4f& model, const Eigen::Matrix4f& view, const Eigen::Matrix4f& projection,
              Mode mode, bool landmarks, float pointSize = 6.0f);

    /// The clear colour (sRGB 0..1); tests take non-background pixels as the silhouette.
    static Eigen::Vector3f background() { return {0.12f, 0.13f, 0.15f}; }

private:
    std::unique_ptr<QOpenGLShaderProgram> meshProgram_, pointProgram_;
    unsigned vao_ = 0, vbo_ = 0, ebo_ = 0, pointVao_ = 0, pointVbo_ = 0;
    head::RowMatX3i faces_;
    int indexCount_ = 0, vertexCount_ = 0, landmarkCount_ = 0;
};

}  // namespace synthforge::render
