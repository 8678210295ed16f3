// The procedural generator's light and skin models on their own: spherical
// harmonics against closed forms, the shadow map against simple geometry,
// and the skin chromophores' hue.
#include <cmath>

#include <gtest/gtest.h>

#include "core/generate/environment_light.h"
#include "core/generate/shadow_map.h"
#include "core/generate/skin_model.h"

namespace synthforge::generate {
namespace {

TEST(EnvironmentSh, AConstantDomeLightsEveryNormalEqually) {
    Dome dome;
    dome.zenith = dome.horizon = dome.ground = Rgb(0.2f, 0.4f, 0.8f);
    const EnvironmentSh sh = EnvironmentSh::fromDome(dome, 2048);
    for (const Eigen::Vector3f n : {Eigen::Vector3f(0, 1, 0), Eigen::Vector3f(0, -1, 0), Eigen::Vector3f(1, 0, 0),
                                    Eigen::Vector3f(0.6f, 0, 0.8f)}) {
        const Rgb a = sh.ambient(n);
        EXPECT_NEAR(a.x(), 0.2f, 2e-3f);
        EXPECT_NEAR(a.y(), 0.4f, 4e-3f);
        EXPECT_NEAR(a.z(), 0.8f, 8e-3f);
    }
    const Rgb c = EnvironmentSh::constant(Rgb(0.5f, 0.5f, 0.5f)).ambient(Eigen::Vector3f(0, 0, 1));
    EXPECT_NEAR(c.x(), 0.5f, 1e-5f);
}

TEST(EnvironmentSh, ASkyAboveABlackGroundMatchesTheClosedForm) {
    // Radiance 1 over the upper hemisphere: a Lambertian surface tilted by
    // theta from the zenith sees (1 + cos theta) / 2 of it. Order-2 SH keeps
    // that within a few percent (Ramamoorthi & Hanrahan's bound is ~9 % at
    // worst for any lighting; a hemisphere is far from the worst).
    Dome dome;
    dome.zenith = dome.horizon = Rgb::Ones();
    dome.ground = Rgb::Zero();
    const EnvironmentSh sh = EnvironmentSh::fromDome(dome, 4096);
    for (float theta = 0.0f; theta <= 3.1416f; theta += 0.3927f) {
        const Eigen::Vector3f n(std::sin(theta), std::cos(theta), 0.0f);
        EXPECT_NEAR(sh.ambient(n).x(), (1.0f + std::cos(theta)) / 2.0f, 0.06f) << "theta " << theta;
    }
    // Brighter facing the sky than facing the ground, whatever the colour.
    EXPECT_GT(sh.ambient({0, 1, 0}).y(), 0.9f);
    EXPECT_LT(sh.ambient({0, -1, 0}).y(), 0.1f);
}

TEST(EnvironmentSh, TheBrightSideIsBrighter) {
    Dome dome;
    dome.sideGain = 3.0f;
    dome.sideDirection = Eigen::Vector3f(1, 0, 0);
    const EnvironmentSh sh = EnvironmentSh::fromDome(dome);
    EXPECT_GT(sh.ambient({1, 0, 0}).x(), 1.5f * sh.ambient({-1, 0, 0}).x());
}

/// A 1 x 1 floor at y = 0 and a 0.2 x 0.2 roof at y = 0.5 above its centre
/// (y up), two triangles each.
struct FloorAndRoof {
    raster::Vertices v{8, 3};
    raster::Triangles f{4, 3};
    FloorAndRoof() {
        v << -0.5f, 0, -0.5f, 0.5f, 0, -0.5f, 0.5f, 0, 0.5f, -0.5f, 0, 0.5f,  //
            -0.1f, 0.5f, -0.1f, 0.1f, 0.5f, -0.1f, 0.1f, 0.5f, 0.1f, -0.1f, 0.5f, 0.1f;
        f << 0, 1, 2, 0, 2, 3, 4, 5, 6, 4, 6, 7;
    }
};

TEST(ShadowMap, TheRoofShadowsTheFloorBelowItAndNothingElse) {
    const FloorAndRoof s;
    const Eigen::Vector3f up(0, 1, 0);
    const ShadowMap map(s.v, s.f, up, 256);
    // Under the roof: shadowed; well outside it: lit; the roof's own top: lit.
    EXPECT_GT(map.occlusion({0, 0, 0}, up, 0), 0.99f);
    EXPECT_GT(map.occlusion({0.05f, 0, -0.05f}, up, 0), 0.99f);
    EXPECT_LT(map.occlusion({0.3f, 0, 0.3f}, up, 0), 0.01f);
    EXPECT_LT(map.occlusion({-0.4f, 0, 0.1f}, up, 0), 0.01f);
    EXPECT_LT(map.occlusion({0, 0.5f, 0}, up, 0), 0.01f);
    // No acne: the open floor never shadows itself.
    for (float x = -0.45f; x <= 0.45f; x += 0.01f)
        if (std::abs(x) > 0.15f) EXPECT_LT(map.occlusion({x, 0, 0.3f}, up, 0), 0.01f) << x;
}

TEST(ShadowMap, ASlantedLightMovesTheShadowAndAWiderFilterSoftensItsEdge) {
    const FloorAndRoof s;
    // Light from 45 degrees toward +x: the roof's shadow lands 0.5 toward -x.
    const Eigen::Vector3f toLight = Eigen::Vector3f(1, 1, 0).normalized();
    const Eigen::Vector3f up(0, 1, 0);
    const ShadowMap map(s.v, s.f, toLight, 256);
    EXPECT_GT(map.occlusion({-0.5f + 0.01f, 0, 0}, up, 0), 0.99f);
    EXPECT_LT(map.occlusion({0, 0, 0}, up, 0), 0.01f);
    // Across the shadow's edge (x = -0.4): a hard filter goes from shadow to
    // light within a texel or two, a wide one ramps over several.
    auto rampWidth = [&](int penumbra) {
        int partial = 0;
        float previous = 1.0f;
        for (float x = -0.45f; x <= -0.35f; x += 0.1f * map.texelSize()) {
            const float o = map.occlusion({x, 0, 0}, up, penumbra);
            EXPECT_LE(o, previous + 1e-5f) << "occlusion falls monotonically toward the light, x " << x;
            previous = o;
            if (o > 0.02f && o < 0.98f) ++partial;
        }
        return partial * 0.1f;  // in texels
    };
    EXPECT_GT(map.occlusion({-0.45f, 0, 0}, up, 2), 0.99f);
    EXPECT_LT(map.occlusion({-0.35f, 0, 0}, up, 2), 0.01f);
    const float hard = rampWidth(0), soft = rampWidth(2);
    EXPECT_LT(hard, 2.0f);
    EXPECT_GT(soft, 3.0f);
}

TEST(ShadowMap, RefusesBadInput) {
    const FloorAndRoof s;
    EXPECT_THROW(ShadowMap(s.v, s.f, {0, 1, 0}, 4), std::invalid_argument);
    EXPECT_THROW(ShadowMap(raster::Vertices(0, 3), s.f, {0, 1, 0}, 64), std::invalid_argument);
}

TEST(SkinModel, MelaninDarkensBlueMostAndBloodReddens) {
    const Rgb base(0.6f, 0.45f, 0.35f);
    const Rgb tanned = skin::withChromophores(base, 0.5f, 0.0f);
    const Rgb ratioM = tanned.cwiseQuotient(base);
    EXPECT_LT(ratioM.z(), ratioM.y());
    EXPECT_LT(ratioM.y(), ratioM.x());
    EXPECT_NEAR(ratioM.y(), std::exp(-0.5f), 1e-6f);
    const Rgb flushed = skin::withChromophores(base, 0.0f, 0.3f);
    const Rgb ratioH = flushed.cwiseQuotient(base);
    EXPECT_GT(ratioH.x(), 0.99f);  // blood barely absorbs red
    EXPECT_LT(ratioH.y(), 0.76f);
    EXPECT_LT(ratioH.z(), ratioH.y());
    // Redness (R over G) rises with blood; nothing changes with no chromophore.
    EXPECT_GT(flushed.x() / flushed.y(), base.x() / base.y() * 1.3f);
    EXPECT_EQ(skin::withChromophores(base, 0.0f, 0.0f), base);
}

}  // namespace
}  // namespace synthforge::generate
