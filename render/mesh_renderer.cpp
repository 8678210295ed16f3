#include "render/mesh_renderer.h"

#include <algorithm>
#include <unordered_map>

#include <Eigen/Geometry>
#include <QFile>
#include <QImage>
#include <QMatrix4x4>
#include <QOpenGLShaderProgram>

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
    glGenBuffers(1, &uvVbo_);
    glGenBuffers(1, &ebo_);
    glBindVertexArray(vao_);
    glBindBuffer(GL_ARRAY_BUFFER, vbo_);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, ebo_);  // the element binding is VAO state
    const GLsizei stride = 6 * sizeof(float);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, stride, nullptr);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 3, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<const void*>(3 * sizeof(float)));
    // UVs change only with the model, so they live in their own static buffer.
    glBindBuffer(GL_ARRAY_BUFFER, uvVbo_);
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 2, GL_FLOAT, GL_FALSE, 2 * sizeof(float), nullptr);

    glGenVertexArrays(1, &pointVao_);
    glGenBuffers(1, &pointVbo_);
    glBindVertexArray(pointVao_);
    glBindBuffer(GL_ARRAY_BUFFER, pointVbo_);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 4 * sizeof(float), nullptr);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 1, GL_FLOAT, GL_FALSE, 4 * sizeof(float), reinterpret_cast<const void*>(3 * sizeof(float)));
    glBindVertexArray(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    return true;
}

void MeshRenderer::release() {
    if (!initialized()) return;
    glDeleteBuffers(1, &vbo_);
    glDeleteBuffers(1, &uvVbo_);
    glDeleteBuffers(1, &ebo_);
    glDeleteBuffers(1, &pointVbo_);
    glDeleteVertexArrays(1, &vao_);
    glDeleteVertexArrays(1, &pointVao_);
    if (texture_) glDeleteTextures(1, &texture_);
    vao_ = vbo_ = uvVbo_ = ebo_ = pointVao_ = pointVbo_ = texture_ = 0;
    meshProgram_.reset();
    pointProgram_.reset();
}

void MeshRenderer::setTopology(const head::RowMatX3i& faces, const head::RowMatX3i& uvFaces, const head::RowMatX2f& uv) {
    faces_ = faces;
    hasUv_ = uv.rows() > 0 && uvFaces.rows() == faces.rows();
    indexCount_ = static_cast<int>(faces.size());
    vertexCount_ = 0;  // the old pose does not fit the new triangles
    glSource_.clear();
    std::vector<std::int32_t> indices(static_cast<std::size_t>(faces.size()));
    std::vector<float> uvs;
    if (hasUv_) {
        // One GL vertex per distinct (vertex, uv) pair, in order of first use.
        std::unordered_map<std::uint64_t, std::int32_t> ids;
        for (Eigen::Index f = 0; f < faces.rows(); ++f)
            for (int c = 0; c < 3; ++c) {
                const std::uint32_t v = static_cast<std::uint32_t>(faces(f, c)), t = static_cast<std::uint32_t>(uvFaces(f, c));
                const auto [it, fresh] = ids.emplace((std::uint64_t{v} << 32) | t, static_cast<std::int32_t>(glSource_.size()));
                if (fresh) {
                    glSource_.push_back(static_cast<std::int32_t>(v));
                    const bool ok = t < static_cast<std::uint32_t>(uv.rows());
                    uvs.push_back(ok ? uv(t, 0) : 0.0f);
                    uvs.push_back(ok ? uv(t, 1) : 0.0f);
                }
                indices[static_cast<std::size_t>(f * 3 + c)] = it->second;
            }
    } else {
        std::int32_t maxIndex = -1;
        for (Eigen::Index i = 0; i < faces.size(); ++i) maxIndex = std::max(maxIndex, faces.data()[i]);
        for (std::int32_t v = 0; v <= maxIndex; ++v) glSource_.push_back(v);
        uvs.assign(glSource_.size() * 2, 0.0f);
        std::copy(faces.data(), faces.data() + faces.size(), indices.begin());
    }
    glBindVertexArray(vao_);
    glBufferData(GL_ELEMENT_ARRAY_BUFFER, static_cast<GLsizeiptr>(indices.size() * sizeof(std::int32_t)),
                 indices.data(), GL_STATIC_DRAW);
    glBindBuffer(GL_ARRAY_BUFFER, uvVbo_);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(uvs.size() * sizeof(float)), uvs.data(), GL_STATIC_DRAW);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    glBindVertexArray(0);
}

void MeshRenderer::setVertices(const head::RowMatX3f& vertices) {
    // Area-weighted vertex normals: the cross product's length is twice the
    // triangle's area, so summing unnormalised cross products weights them.
    // Normals are per model vertex, so split seam vertices shade alike.
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
    for (Eigen::Index v = 0; v < normals.rows(); ++v) normals.row(v) = normals.row(v).stableNormalized();
    std::vector<float> interleaved(glSource_.size() * 6, 0.0f);
    for (std::size_t i = 0; i < glSource_.size(); ++i) {
        const std::int32_t v = glSource_[i];
        if (v < 0 || v >= vertices.rows()) continue;  // a pose that does not fit: degenerate, not a crash
        for (int k = 0; k < 3; ++k) {
            interleaved[i * 6 + k] = vertices(v, k);
            interleaved[i * 6 + 3 + k] = normals(v, k);
        }
    }
    vertexCount_ = static_cast<int>(glSource_.size());
    glBindBuffer(GL_ARRAY_BUFFER, vbo_);
    // A fresh store each pose lets the driver orphan the old one instead of
    // waiting for the previous frame to finish with it.
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(interleaved.size() * sizeof(float)), interleaved.data(),
                 GL_DYNAMIC_DRAW);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
}

void MeshRenderer::setLandmarks(const head::RowMatX3f& points, const std::vector<std::uint8_t>& visible) {
    landmarkCount_ = static_cast<int>(points.rows());
    std::vector<float> data(static_cast<std::size_t>(points.rows()) * 4);
    for (Eigen::Index i = 0; i < points.rows(); ++i) {
        for (int k = 0; k < 3; ++k) data[i * 4 + k] = points(i, k);
        data[i * 4 + 3] = (visible.empty() || (static_cast<std::size_t>(i) < visible.size() && visible[i])) ? 1.0f : 0.0f;
    }
    glBindBuffer(GL_ARRAY_BUFFER, pointVbo_);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(data.size() * sizeof(float)), data.data(), GL_DYNAMIC_DRAW);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
}

void MeshRenderer::setAlbedo(const QImage& image) {
    if (image.isNull()) {
        if (texture_) glDeleteTextures(1, &texture_);
        texture_ = 0;
        return;
    }
    // GL's first texture row is t = 0, the image's first row is v = 1.
    const QImage rows = image.convertToFormat(QImage::Format_RGBA8888).mirrored(false, true);
    if (!texture_) glGenTextures(1, &texture_);
    glBindTexture(GL_TEXTURE_2D, texture_);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, rows.width(), rows.height(), 0, GL_RGBA, GL_UNSIGNED_BYTE,
                 rows.constBits());
    glGenerateMipmap(GL_TEXTURE_2D);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR_MIPMAP_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glBindTexture(GL_TEXTURE_2D, 0);
}

void MeshRenderer::draw(const Eigen::Matrix4f& model, const Eigen::Matrix4f& view, const Eigen::Matrix4f& projection,
                        Mode mode, bool landmarks, float pointSize) {
    // Without a 3.3 core context initialize() failed and even glClear would
    // call through unresolved function pointers; the widget reports the error.
    if (!initialized()) return;
    const Eigen::Vector3f bg = background();
    glClearColor(bg.x(), bg.y(), bg.z(), 1.0f);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    if (vertexCount_ == 0 || indexCount_ == 0) return;
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LESS);
    glDisable(GL_CULL_FACE);  // both windings, as the CPU rasteriser draws them
    glDisable(GL_BLEND);

    const QMatrix4x4 modelView = toQt(view * model), proj = toQt(projection);
    meshProgram_->bind();
    meshProgram_->setUniformValue("modelView", modelView);
    meshProgram_->setUniformValue("projection", proj);
    meshProgram_->setUniformValue("albedoMap", 0);
    glBindVertexArray(vao_);
    if (mode == Mode::Wireframe) {
        meshProgram_->setUniformValue("lit", false);
        meshProgram_->setUniformValue("textured", false);
        meshProgram_->setUniformValue("albedo", QVector3D(0.75f, 0.85f, 0.95f));
        glPolygonMode(GL_FRONT_AND_BACK, GL_LINE);
        glDrawElements(GL_TRIANGLES, indexCount_, GL_UNSIGNED_INT, nullptr);
        glPolygonMode(GL_FRONT_AND_BACK, GL_FILL);
    } else {
        const bool textured = mode == Mode::Textured && texture_ != 0 && hasUv_;
        meshProgram_->setUniformValue("lit", true);
        meshProgram_->setUniformValue("textured", textured);
        // Texture detail reads better with more ambient than the plain clay look.
        meshProgram_->setUniformValue("ambient", textured ? kTexturedAmbient : 0.25f);
        meshProgram_->setUniformValue("albedo", QVector3D(0.86f, 0.69f, 0.58f));
        glActiveTexture(GL_TEXTURE0);
        glBindTexture(GL_TEXTURE_2D, textured ? texture_ : 0);
        glDrawElements(GL_TRIANGLES, indexCount_, GL_UNSIGNED_INT, nullptr);
        glBindTexture(GL_TEXTURE_2D, 0);
    }
    meshProgram_->release();

    if (landmarks && landmarkCount_ > 0) {
        glEnable(GL_PROGRAM_POINT_SIZE);
        glDisable(GL_DEPTH_TEST);  // colour says visible/occluded; occluded points stay findable
        pointProgram_->bind();
        pointProgram_->setUniformValue("modelView", modelView);
        pointProgram_->setUniformValue("projection", proj);
        pointProgram_->setUniformValue("pointSize", pointSize);
        pointProgram_->setUniformValue("visibleColour", QVector3D(0.1f, 0.95f, 0.3f));
        pointProgram_->setUniformValue("occludedColour", QVector3D(0.95f, 0.2f, 0.15f));
        glBindVertexArray(pointVao_);
        glDrawArrays(GL_POINTS, 0, landmarkCount_);
        pointProgram_->release();
        glEnable(GL_DEPTH_TEST);
    }
    glBindVertexArray(0);
}

}  // namespace synthforge::render
