#version 330 core
uniform vec3 pointColour;
out vec4 colour;
void main() {
    if (length(gl_PointCoord - vec2(0.5)) > 0.5) discard;
    colour = vec4(pointColour, 1.0);
}
