#version 330 core
// Landmarks as round points. They are drawn without a depth test: the
// colour (`visible`, from the annotations' z-buffer test) says whether the
// dataset would mark the point visible, and occluded points stay findable.
layout(location = 0) in vec3 position;
layout(location = 1) in float visible;
uniform mat4 modelView;
uniform mat4 projection;
uniform float pointSize;
flat out float isVisible;
void main() {
    isVisible = visible;
    gl_Position = projection * modelView * vec4(position, 1.0);
    gl_PointSize = pointSize;
}
