#version 330 core
// Headlight Lambert, two-sided (iso-surface caps and the head's inner
// surfaces face either way), with a constant alpha for the translucent
// iso-surface.
in vec3 eyeNormal;
in vec3 baseColour;
uniform float ambient;
uniform float alpha;
out vec4 colour;
void main() {
    float lambert = abs(normalize(eyeNormal).z);
    colour = vec4(baseColour * (ambient + (1.0 - ambient) * lambert), alpha);
}
