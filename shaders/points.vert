#version 330 core
// Landmarks as round points, pulled slightly toward the camera so points on
// the surface pass the depth test while points behind the head stay hidden.
layout(location = 0) in vec3 position;
uniform mat4 modelView;
uniform mat4 projection;
uniform float pointSize;
void main() {
    vec4 eye = modelView * vec4(position, 1.0);
    eye.xyz *= 0.995;
    gl_Position = projection * eye;
    gl_PointSize = pointSize;
}
