#include "render/surface_renderer.h"

#include <stdexcept>
#include <string>

#include <Eigen/Geometry>
#include <QMatrix4x4>
#include <QOpenGLShaderProgram>

// Q_INIT_RESOURCE must be used outside any namespace; a static library's
// resources are not registered until something asks for them.
static void initSurfaceShaderResources() { Q_INIT_RESOURCE(shaders); }

namespace synthforge::render {

namespace {
constexpr int kStride = 9;  // position, normal, colour

QMatrix4x4 toQt(const Eigen::Matrix4f& m) {
    const Eigen::Matrix<float, 4, 4, Eigen::RowMajor> r = m;  // QMatrix4x4 takes rows
    return QMatrix4x4(r.data());
}
}  // namespace

SurfaceRenderer::SurfaceRenderer() = default;
SurfaceRenderer::~SurfaceRenderer() = default;  // GL objects go in release(), with the context current

bool SurfaceRenderer::initialize(QString* error) {
    initSurfaceShaderResources();
    if (!initializeOpenGLFunctions()) {
        if (error) *error = QStringLiteral("OpenGL 3.3 core functions are not available");
        return false;
    }
    auto program = std::make_unique<QOpenGLShaderProgram>();
    if (!program->addShaderFromSourceFile(QOpenGLShader::Vertex, QStringLiteral(":/shaders/surface.vert")) ||
        !program->addShaderFromSourceFile(QOpenGLShader::Fragment, QStringLiteral(":/shaders/surface.frag")) ||
        !program->link()) {
        if (error) *error = QStringLiteral("shader surface: %1").arg(program->log());
        return false;
    }
    for (Slot& s : slots_) {
        glGenVertexArrays(1, &s.vao);
        glGenBuffers(1, &s.vbo);
        glGenBuffers(1, &s.ebo);
        glBindVertexArray(s.vao);
        glBindBuffer(GL_ARRAY_BUFFER, s.vbo);
        glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, s.ebo);  // VAO state
        const GLsizei stride = kStride * sizeof(float);
        for (int a = 0; a < 3; ++a) {
            glEnableVertexAttribArray(static_cast<GLuint>(a));
            glVertexAttribPointer(static_cast<GLuint>(a), 3, GL_FLOAT, GL_FALSE, stride,
                                  reinterpret_cast<const void*>(static_cast<std::size_t>(a) * 3 * sizeof(float)));
        }
    }
    glBindVertexArray(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    program_ = std::move(program);
    return true;
}

void SurfaceRenderer::release() {
    if (!initialized()) return;
    for (Slot& s : slots_) {
        glDeleteBuffers(1, &s.vbo);
        glDeleteBuffers(1, &s.ebo);
        glDeleteVertexArrays(1, &s.vao);
        s = Slot{};
    }
    program_.reset();
}

SurfaceRenderer::Slot& SurfaceRenderer::slot(int i) {
    if (i < 0 || i >= kSlots) throw std::invalid_argument("SurfaceRenderer: slot " + std::to_string(i) + " out of range");
    return slots_[static_cast<std::size_t>(i)];
}

void SurfaceRenderer::setMesh(int i, const io::TriMesh& mesh, const std::vector<Eigen::Vector3f>& colours,
                              const Eigen::Vector3f& uniform) {
    Slot& s = slot(i);
    const Eigen::Index n = mesh.positions.rows();
    if (!colours.empty() && colours.size() != static_cast<std::size_t>(n))
        throw std::invalid_argument("SurfaceRenderer: " + std::to_string(colours.size()) + " colours for " +
                                    std::to_string(n) + " vertices");
    // Area-weighted normals: unnormalised cross products are twice the area.
    Eigen::Matrix<float, Eigen::Dynamic, 3, Eigen::RowMajor> normals = decltype(normals)::Zero(n, 3);
    std::vector<std::int32_t> indices;
    indices.reserve(static_cast<std::size_t>(mesh.faces.size()));
    for (Eigen::Index f = 0; f < mesh.faces.rows(); ++f) {
        const int a = mesh.faces(f, 0), b = mesh.faces(f, 1), c = mesh.faces(f, 2);
        if (a < 0 || b < 0 || c < 0 || a >= n || b >= n || c >= n) continue;  // skip, never read past the end
        const Eigen::Vector3f pa = mesh.positions.row(a), pb = mesh.positions.row(b), pc = mesh.positions.row(c);
        const Eigen::Vector3f nrm = (pb - pa).cross(pc - pa);
        for (int v : {a, b, c}) normals.row(v) += nrm.transpose();
        indices.insert(indices.end(), {a, b, c});
    }
    s.interleaved.assign(static_cast<std::size_t>(n) * kStride, 0.0f);
    for (Eigen::Index v = 0; v < n; ++v) {
        const Eigen::Vector3f nv = normals.row(v).transpose().stableNormalized();
        const Eigen::Vector3f col = colours.empty() ? uniform : colours[static_cast<std::size_t>(v)];
        float* d = s.interleaved.data() + v * kStride;
        for (int k = 0; k < 3; ++k) {
            d[k] = mesh.positions(v, k);
            d[3 + k] = nv[k];
            d[6 + k] = col[k];
        }
    }
    s.vertexCount = static_cast<int>(n);
    s.indexCount = static_cast<int>(indices.size());
    if (!initialized()) return;
    glBindVertexArray(s.vao);
    glBufferData(GL_ELEMENT_ARRAY_BUFFER, static_cast<GLsizeiptr>(indices.size() * sizeof(std::int32_t)),
                 indices.data(), GL_STATIC_DRAW);
    glBindVertexArray(0);
    upload(s);
}

void SurfaceRenderer::setColours(int i, const std::vector<Eigen::Vector3f>& colours) {
    Slot& s = slot(i);
    if (colours.size() != static_cast<std::size_t>(s.vertexCount))
        throw std::invalid_argument("SurfaceRenderer: " + std::to_string(colours.size()) + " colours for " +
                                    std::to_string(s.vertexCount) + " vertices");
    for (std::size_t v = 0; v < colours.size(); ++v)
        for (int k = 0; k < 3; ++k) s.interleaved[v * kStride + 6 + static_cast<std::size_t>(k)] = colours[v][k];
    if (initialized()) upload(s);
}

void SurfaceRenderer::upload(Slot& s) {
    glBindBuffer(GL_ARRAY_BUFFER, s.vbo);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(s.interleaved.size() * sizeof(float)), s.interleaved.data(),
                 GL_DYNAMIC_DRAW);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
}

void SurfaceRenderer::setOpacity(int i, float alpha) { slot(i).alpha = alpha; }
void SurfaceRenderer::setVisible(int i, bool on) { slot(i).visible = on; }
int SurfaceRenderer::triangles(int i) const {
    return (i < 0 || i >= kSlots) ? 0 : slots_[static_cast<std::size_t>(i)].indexCount / 3;
}

void SurfaceRenderer::drawSlot(const Slot& s) {
    program_->setUniformValue("alpha", s.alpha);
    glBindVertexArray(s.vao);
    glDrawElements(GL_TRIANGLES, s.indexCount, GL_UNSIGNED_INT, nullptr);
}

void SurfaceRenderer::draw(const Eigen::Matrix4f& view, const Eigen::Matrix4f& projection,
                           const Eigen::Vector3f& background) {
    if (!initialized()) return;
    glClearColor(background.x(), background.y(), background.z(), 1.0f);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LEQUAL);
    program_->bind();
    program_->setUniformValue("modelView", toQt(view));
    program_->setUniformValue("projection", toQt(projection));
    program_->setUniformValue("ambient", 0.3f);
    const auto drawable = [](const Slot& s) { return s.visible && s.indexCount > 0 && s.alpha > 0.0f; };
    glDisable(GL_BLEND);
    glDisable(GL_CULL_FACE);
    glDepthMask(GL_TRUE);
    for (const Slot& s : slots_)
        if (drawable(s) && s.alpha >= 1.0f) drawSlot(s);
    glEnable(GL_BLEND);
    // Colour blends; the target's alpha stays 1. A QOpenGLWidget composes its
    // framebuffer with the window using that alpha, so a blended alpha below
    // 1 would let the window's light background wash the surface out.
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ZERO, GL_ONE);
    glDepthMask(GL_FALSE);
    glEnable(GL_CULL_FACE);
    for (GLenum cull : {GLenum(GL_FRONT), GLenum(GL_BACK)}) {  // far side first, then the near side over it
        glCullFace(cull);
        for (const Slot& s : slots_)
            if (drawable(s) && s.alpha < 1.0f) drawSlot(s);
    }
    glDisable(GL_CULL_FACE);
    glDepthMask(GL_TRUE);
    glDisable(GL_BLEND);
    glBindVertexArray(0);
    program_->release();
}

}  // namespace synthforge::render
