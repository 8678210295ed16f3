#version 330 core
// Lambert shading with a headlight (light along the view ray), two-sided
// because the CPU rasteriser draws both windings too.
in vec3 eyeNormal;
uniform vec3 albedo;
uniform float ambient;
uniform bool lit;
out vec4 colour;
void main() {
    float lambert = abs(normalize(eyeNormal).z);
    colour = vec4(lit ? albedo * (ambient + (1.0 - ambient) * lambert) : albedo, 1.0);
}
