#version 330 core
// Green visible, red occluded: the generator view's overlay colours.
flat in float isVisible;
uniform vec3 visibleColour;
uniform vec3 occludedColour;
out vec4 colour;
void main() {
    if (length(gl_PointCoord - vec2(0.5)) > 0.5) discard;
    colour = vec4(isVisible > 0.5 ? visibleColour : occludedColour, 1.0);
}
