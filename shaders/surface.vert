#version 330 core
// Any triangle mesh in generator-world units with a colour per vertex (the
// alignment view's head with its residual heatmap, and the iso-surface).
layout(location = 0) in vec3 position;
layout(location = 1) in vec3 normal;
layout(location = 2) in vec3 vertexColour;
uniform mat4 modelView;
uniform mat4 projection;
out vec3 eyeNormal;
out vec3 baseColour;
void main() {
    eyeNormal = mat3(modelView) * normal;
    baseColour = vertexColour;
    gl_Position = projection * modelView * vec4(position, 1.0);
}
