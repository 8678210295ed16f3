#version 330 core
// Lambert shading with a headlight (light along the view ray), two-sided
// because the CPU rasteriser draws both windings too. Textured mode takes the
// colour from the generator's albedo (display-encoded RGB, v up as in the UV
// label map) instead of the constant `albedo`.
in vec3 eyeNormal;
in vec2 texCoord;
uniform vec3 albedo;
uniform float ambient;
uniform bool lit;
uniform bool textured;
uniform sampler2D albedoMap;
out vec4 colour;
void main() {
    vec3 base = textured ? texture(albedoMap, texCoord).rgb : albedo;
    float lambert = abs(normalize(eyeNormal).z);
    colour = vec4(lit ? base * (ambient + (1.0 - ambient) * lambert) : base, 1.0);
}
