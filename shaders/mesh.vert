#version 330 core
// Posed head: positions in FLAME metres, normals per vertex, UVs per corner
// (vertices are split where the UV layout has seams).
layout(location = 0) in vec3 position;
layout(location = 1) in vec3 normal;
layout(location = 2) in vec2 uv;
uniform mat4 modelView;
uniform mat4 projection;
out vec3 eyeNormal;
out vec2 texCoord;
void main() {
    // modelView is a rotation times a uniform scale, so its 3x3 part turns
    // normals correctly up to length (renormalised in the fragment shader).
    eyeNormal = mat3(modelView) * normal;
    texCoord = uv;
    gl_Position = projection * modelView * vec4(position, 1.0);
}
