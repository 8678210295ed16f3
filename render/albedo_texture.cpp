#include "render/albedo_texture.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace synthforge::render {

using generate::Rgb;

Rgb proceduralAlbedo(const generate::Appearance& a, const float mask[generate::kNumAtlasChannels], const float noise[2]) {
    using namespace generate;
    // Same steps and constants as ProceduralGenerator::render.
    Rgb albedo = a.skin * (1.0f + a.blotchStrength * noise[1] + a.poreStrength * noise[0]);
    albedo = albedo.cwiseProduct(Rgb(1.0f + 0.22f * a.cheekRedness * mask[kMaskCheeks],
                                     1.0f - 0.12f * a.cheekRedness * mask[kMaskCheeks],
                                     1.0f - 0.1f * a.cheekRedness * mask[kMaskCheeks]));
    const float strands = std::clamp(0.55f + 0.9f * noise[0], 0.0f, 1.0f);
    albedo += (a.hair * (0.8f + 0.4f * strands) - albedo) * (mask[kMaskHair] * a.hairDensity);
    albedo += (a.brows - albedo) * std::clamp(mask[kMaskBrows] * a.browDensity * (0.55f + 0.6f * strands), 0.0f, 1.0f);
    albedo += (a.lips * (1.0f + 0.5f * a.poreStrength * noise[0]) - albedo) * mask[kMaskLips];
    albedo += (a.mouth - albedo) * mask[kMaskMouth];
    albedo += (a.sclera - albedo) * mask[kMaskEyeball];
    albedo += (a.iris * (0.75f + 0.5f * strands) - albedo) * mask[kMaskIris];
    albedo += (Rgb::Constant(0.01f) - albedo) * mask[kMaskPupil];
    return albedo.cwiseMax(0.0f);
}

unsigned char albedoToDisplay(float linear) {
    return static_cast<unsigned char>(std::lround(std::pow(std::clamp(linear, 0.0f, 1.0f), 1.0f / 2.2f) * 255.0f));
}

QImage bakeAlbedoTexture(const generate::AppearanceAtlas& atlas, const generate::Appearance& appearance, int size) {
    if (!atlas.hasUv() || size < 1) return {};
    // pow() per channel per texel would dominate the bake; 4096 steps are
    // finer than 8-bit output needs over 0..1.
    static const auto table = [] {
        std::array<unsigned char, 4096> t{};
        for (int i = 0; i < 4096; ++i) t[i] = albedoToDisplay(static_cast<float>(i) / 4095.0f);
        return t;
    }();
    auto encode = [](float x) { return table[static_cast<int>(std::clamp(x, 0.0f, 1.0f) * 4095.0f + 0.5f)]; };
    QImage img(size, size, QImage::Format_RGB888);
    const float inv = 1.0f / static_cast<float>(size);
    for (int y = 0; y < size; ++y) {
        uchar* row = img.scanLine(y);
        const float v = 1.0f - (static_cast<float>(y) + 0.5f) * inv;
        for (int x = 0; x < size; ++x) {
            float masks[generate::kNumAtlasChannels] = {};
            float noise[2] = {};
            atlas.sample((static_cast<float>(x) + 0.5f) * inv, v, appearance.noiseWeights, masks, noise);
            const Rgb c = proceduralAlbedo(appearance, masks, noise);
            row[3 * x + 0] = encode(c.x());
            row[3 * x + 1] = encode(c.y());
            row[3 * x + 2] = encode(c.z());
        }
    }
    return img;
}

}  // namespace synthforge::render
