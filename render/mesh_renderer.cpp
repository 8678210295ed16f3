#include "render/mesh_renderer.h"

#include <vector>

#include <Eigen/Geometry>
#include <QFile>
#include <QOpenGLShaderProgram>
#include <QMatrix4x4>

// Q_INIT_RESOURCE must be used outside any namespace; a static library's
// resources are not registered until something asks for them.
static void initShaderResources() { Q_INIT_RESOURCE(shaders); }

namespace synthforge::render {

namespace {
QMatrix4x4 toQt(const Eigen::Matrix4f& m) {
    // QMatrix4x4's constructor takes the values row by row.
    const Eigen::Matrix<float, 4, 4, Eigen::RowMajor> r = m;
    return QMatrix4x4(r.data());
}

bool build(QOpenGLShaderProgram& p, const QString& name, QString* error) {
    if (!p.addShaderFromSourceFile(QOpenGLShader::Vertex, QStringLiteral(":/shaders/%1.vert").arg(name)) ||
        !p.addShaderFromSourceFile(QOpenGLShader::Fragment, QStringLiteral(":/shaders/%1.frag").arg(name)) ||
        !p.link()) {
        if (error) *error = QStringLiteral("shader %1: %2").arg(name, p.log());
        return false;
    }
    return true;
}
}  // namespace

MeshRenderer::MeshRenderer() = default;
MeshRenderer::~MeshRenderer() = default;  // GL objects are freed in release(), with the context current

bool MeshRenderer::initialize(QString* error) {
    initShaderResources();
    if (!initializeOpenGLFunctions()) {
        if (error) *error = QStringLiteral("OpenGL 3.3 core functions are not available");
        return false;
    }
    meshProgram_ = std::make_unique<QOpenGLShaderProgram>();
    pointProgram_ = std::make_unique<QOpenGLShaderProgram>();
    if (!build(*meshProgram_, QStringLiteral("mesh"), error) || !build(*pointProgram_, QStringLiteral("points"), error))
        return false;

    glGenVertexArrays(1, &vao_);
    glGenBuffers(1, &vbo_);
    glGenBuffers(1, &ebo_);
    glBindVertexArray(vao_);
    glBindBuffer(GL_ARRAY_BUFFER, vbo_);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, ebo_);  // the element binding is VAO state
    const GLsizei stride = 6 * sizeof(float);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, stride, nullptr);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 3, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<const void*>(3 * sizeof(float)));

    glGenVertexArrays(1, &pointVao_);
    glGenBuffers(1, &pointVbo_);
    glBindVertexArray(pointVao_);
    glBindBuffer(GL_ARRAY_BUFFER, pointVbo_);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 3 * sizeof(float), nullptr);
    glBindVertexArray(0);
    return true;
}

void MeshRenderer::release() {
    if (!initialized()) return;
    glDeleteBuffers(1, &vbo_);
    glDeleteBuffers(1, &ebo_);
    glDeleteBuffers(1, &pointVbo_);
    glDeleteVertexArrays(1, &vao_);
    glDeleteVertexArrays(1, &pointVao_);
    vao_ = vbo_ = ebo_ = pointVao_ = pointVbo_ = 0;
    meshProgram_.reset();
    pointProgram_.reset();
}

void MeshRenderer::setTopology(const head::RowMatX3i& faces) {
    faces_ = faces;
    indexCount_ = static_cast<int>(faces.size());
    vertexCount_ = 0;  // the old pose does not fit the new triangles
    glBindVertexArray(vao_);
    glBufferData(GL_ELEMENT_ARRAY_BUFFER, static_cast<GLsizeiptr>(faces.size() * sizeof(std::int32_t)), faces.data(),
                 GL_STATIC_DRAW);
    glBindVertexArray(0);
}

void MeshRenderer::setVertices(const head::RowMatX3f& vertices) {
    // Area-weighted vertex normals: the cross product's length is twice the
    // triangle's area, so summing unnormalised cross products weights them.
    head::RowMatX3f normals = head::RowMatX3f::Zero(vertices.rows(), 3);
    for (Eigen::Index f = 0; f < faces_.rows(); ++f) {
        const int a = faces_(f, 0), b = faces_(f, 1), c = faces_(f, 2);
        if (a < 0 || b < 0 || c < 0 || a >= vertices.rows() || b >= vertices.rows() || c >= vertices.rows()) continue;
        const Eigen::Vector3f pa = vertices.row(a), pb = vertices.row(b), pc = vertices.row(c);
        const Eigen::Vector3f n = (pb - pa).cross(pc - pa);
        normals.row(a) += n.transpose();
        normals.row(b) += n.transpose();
        normals.row(c) += n.transpose();
    }
    std::vector<float> interleaved(static_cast<std::size_t>(vertices.rows()) * 6);
    for (Eigen::Index v = 0; v < vertices.rows(); ++v) {
        const Eigen::Vector3f n = normals.row(v).transpose().stableNormalized();
        for (int k = 0; k < 3; ++k) {
            interleaved[v * 6 + k] = vertices(v, k);
            interleaved[v * 6 + 3 + k] = n[k];
        }
    }
    vertexCount_ = static_cast<int>(vertices.rows());
    glBindBuffer(GL_ARRAY_BUFFER, vbo_);
    // A fresh store each pose lets the driver orphan the old one instead of
    // waiting for the previous frame to finish with it.
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(interleaved.size() * sizeof(float)), interleaved.data(),
                 GL_DYNAMIC_DRAW);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
}

void MeshRenderer::setLandmarks(const head::RowMatX3f& points) {
    landmarkCount_ = static_cast<int>(points.rows());
    glBindBuffer(GL_ARRAY_BUFFER, pointVbo_);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(points.size() * sizeof(float)), points.data(), GL_DYNAMIC_DRAW);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
}

void MeshRenderer::draw(const Eigen::Matrix4f& model, const Eigen::Matrix4f& view, const Eigen::Matrix4f& projection,
                        Mode mode, bool landmarks, float pointSize) {
    const Eigen::Vector3f bg = background();
    glClearColor(bg.x(), bg.y(), bg.z(), 1.0f);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    if (!initialized() || vertexCount_ == 0 || indexCount_ == 0) return;
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LESS);
    glDisable(GL_CULL_FACE);  // both windings, as the CPU rasteriser draws them
    glDisable(GL_BLEND);

    const QMatrix4x4 modelView = toQt(view * model), proj = toQt(projection);
    meshProgram_->bind();
    meshProgram_->setUniformValue("modelView", modelView);
    meshProgram_->setUniformValue("projection", proj);
    meshProgram_->setUniformValue("ambient", 0.25f);
    glBindVertexArray(vao_);
    if (mode == Mode::Wireframe) {
        meshProgram_->setUniformValue("lit", false);
        meshProgram_->setUniformValue("albedo", QVector3D(0.75f, 0.85f, 0.95f));
        glPolygonMode(GL_FRONT_AND_BACK, GL_LINE);
        glDrawElements(GL_TRIANGLES, indexCount_, GL_UNSIGNED_INT, nullptr);
        glPolygonMode(GL_FRONT_AND_BACK, GL_FILL);
    } else {
        meshProgram_->setUniformValue("lit", true);
        meshProgram_->setUniformValue("albedo", QVector3D(0.86f, 0.69f, 0.58f));
        glDrawElements(GL_TRIANGLES, indexCount_, GL_UNSIGNED_INT, nullptr);
    }
    meshProgram_->release();

    if (landmarks && landmarkCount_ > 0) {
        glEnable(GL_PROGRAM_POINT_SIZE);
        pointProgram_->bind();
        pointProgram_->setUniformValue("modelView", modelView);
        pointProgram_->setUniformValue("projection", proj);
        pointProgram_->setUniformValue("pointSize", pointSize);
        pointProgram_->setUniformValue("pointColour", QVector3D(0.1f, 0.95f, 0.3f));
        glBindVertexArray(pointVao_);
        glDrawArrays(GL_POINTS, 0, landmarkCount_);
        pointProgram_->release();
    }
    glBindVertexArray(0);
}

}  // namespace synthforge::render
