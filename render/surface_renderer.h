#pragma once
// Draws a few arbitrary triangle meshes with OpenGL 3.3 core, each with a
// colour per vertex and its own opacity: the alignment view's posed head
// (opaque, coloured by its residual) over a generator's iso-surface
// (translucent). MeshRenderer is tied to the head model's topology and UV
// seams; these meshes have neither.
//
// Opaque meshes are drawn first. Translucent ones follow with depth writes
// off, back faces before front faces, so that a closed surface blends in a
// stable order (its triangles wind counter-clockwise seen from outside, as
// marching cubes makes them).
//
// Every call except the constructor needs the GL context current; call
// release() with it current before the context goes away.

#include <array>
#include <memory>
#include <vector>

#include <QOpenGLFunctions_3_3_Core>
#include <QString>

#include <Eigen/Core>

#include "core/io/mesh_io.h"

class QOpenGLShaderProgram;

namespace synthforge::render {

class SurfaceRenderer : protected QOpenGLFunctions_3_3_Core {
public:
    static constexpr int kSlots = 4;

    SurfaceRenderer();
    ~SurfaceRenderer();
    SurfaceRenderer(const SurfaceRenderer&) = delete;
    SurfaceRenderer& operator=(const SurfaceRenderer&) = delete;

    /// Resolves GL functions, compiles the shaders, creates the buffers.
    /// False with a message when the context is not 3.3 core or a shader fails.
    bool initialize(QString* error);
    bool initialized() const { return program_ != nullptr; }
    void release();

    /// Uploads `mesh` (positions and faces) into `slot` with one RGB colour
    /// (0..1) per vertex, or `colours` empty and every vertex `uniform`.
    /// Normals are area-weighted vertex normals. A mesh with no faces empties
    /// the slot. Throws std::invalid_argument for a slot out of range or a
    /// colour count that is neither 0 nor the vertex count.
    void setMesh(int slot, const io::TriMesh& mesh, const std::vector<Eigen::Vector3f>& colours,
                 const Eigen::Vector3f& uniform = Eigen::Vector3f(0.8f, 0.8f, 0.8f));
    /// Replaces the colours of the mesh in `slot` (same vertex count).
    void setColours(int slot, const std::vector<Eigen::Vector3f>& colours);
    /// 1: opaque; below 1: blended.
    void setOpacity(int slot, float alpha);
    void setVisible(int slot, bool on);
    int triangles(int slot) const;

    /// Clears to `background` and draws every visible, non-empty slot.
    void draw(const Eigen::Matrix4f& view, const Eigen::Matrix4f& projection,
              const Eigen::Vector3f& background = Eigen::Vector3f(0.12f, 0.13f, 0.15f));

private:
    struct Slot {
        unsigned vao = 0, vbo = 0, ebo = 0;
        int indexCount = 0, vertexCount = 0;
        float alpha = 1.0f;
        bool visible = true;
        std::vector<float> interleaved;  ///< position, normal, colour per vertex (kept to swap colours)
    };
    void upload(Slot& s);
    void drawSlot(const Slot& s);
    Slot& slot(int i);

    std::unique_ptr<QOpenGLShaderProgram> program_;
    std::array<Slot, kSlots> slots_;
};

}  // namespace synthforge::render
