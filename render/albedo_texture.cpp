#include "render/albedo_texture.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace synthforge::render {

using generate::Rgb;

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
            const Rgb c = generate::albedoAt(appearance, masks, noise);
            row[3 * x + 0] = encode(c.x());
            row[3 * x + 1] = encode(c.y());
            row[3 * x + 2] = encode(c.z());
        }
    }
    return img;
}

}  // namespace synthforge::render
