// The framing geometry of predict (core/train/crop_similarity.h): similarity
// algebra, Umeyama's least squares on known values, and the crops it starts from.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/train/crop_similarity.h"

namespace synthforge::train {
namespace {

Similarity2d make(double scale, double angleDeg, double tx, double ty) {
    const double t = angleDeg * M_PI / 180.0;
    return {scale * std::cos(t), scale * std::sin(t), tx, ty};
}

Points2d randomPoints(int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(-50, 50);
    Points2d p(n, 2);
    for (int i = 0; i < n; ++i) p.row(i) << u(rng), u(rng);
    return p;
}

TEST(CropSimilarity, ApplyInverseAndComposeByKnownValues) {
    const Similarity2d s = make(2, 90, 10, -4);  // a = 0, b = 2
    EXPECT_NEAR(s.a, 0, 1e-12);
    EXPECT_NEAR(s.b, 2, 1e-12);
    const Eigen::Vector2d q = s.apply(Eigen::Vector2d(1, 0));  // rotate (1,0) by 90°, scale 2 -> (0, 2), shift
    EXPECT_NEAR(q.x(), 10, 1e-12);
    EXPECT_NEAR(q.y(), -2, 1e-12);
    EXPECT_NEAR(s.scale(), 2, 1e-12);
    const Eigen::Vector2d back = s.inverse().apply(q);
    EXPECT_NEAR(back.x(), 1, 1e-12);
    EXPECT_NEAR(back.y(), 0, 1e-12);
    const Similarity2d id = s.inverse().after(s);
    EXPECT_NEAR(id.a, 1, 1e-12);
    EXPECT_NEAR(id.b, 0, 1e-12);
    EXPECT_NEAR(id.tx, 0, 1e-12);
    EXPECT_NEAR(id.ty, 0, 1e-12);
    const Similarity2d t = make(0.5, -30, 3, 7);
    const Eigen::Vector2d p(4, -9);
    EXPECT_NEAR((t.after(s).apply(p) - t.apply(s.apply(p))).norm(), 0, 1e-12);
    EXPECT_THROW(Similarity2d({0, 0, 1, 1}).inverse(), std::invalid_argument);
}

TEST(CropSimilarity, UmeyamaRecoversAnExactSimilarity) {
    const Points2d src = randomPoints(68, 1);
    for (const Similarity2d& truth : {make(1, 0, 0, 0), make(1.7, 33, -12, 40), make(0.3, -170, 100, 5)}) {
        const Similarity2d s = estimateSimilarity(src, truth.apply(src));
        EXPECT_NEAR(s.a, truth.a, 1e-10);
        EXPECT_NEAR(s.b, truth.b, 1e-10);
        EXPECT_NEAR(s.tx, truth.tx, 1e-8);
        EXPECT_NEAR(s.ty, truth.ty, 1e-8);
    }
}

TEST(CropSimilarity, UmeyamaByHandOnTwoAndThreePoints) {
    // Two points define the similarity exactly: (0,0)->(1,1), (1,0)->(1,3):
    // scale 2, +90°, shift (1, 1).
    Points2d src(2, 2), dst(2, 2);
    src << 0, 0, 1, 0;
    dst << 1, 1, 1, 3;
    const Similarity2d s = estimateSimilarity(src, dst);
    EXPECT_NEAR(s.a, 0, 1e-12);
    EXPECT_NEAR(s.b, 2, 1e-12);
    EXPECT_NEAR(s.tx, 1, 1e-12);
    EXPECT_NEAR(s.ty, 1, 1e-12);
    // Least squares, not interpolation: src (-1,0), (1,0), (0,1) [centroid
    // (0, 1/3)] to dst (-1,0), (1,0), (0,2). Σ|s|² = 1+1/9 + 1+1/9 + 4/9 =
    // 8/3; Σ s·d (centred d: (-1,-2/3), (1,-2/3), (0,4/3)) = 1 + 2/9 + 1 + 2/9
    // + 8/9 = 10/3 -> a = 5/4, b = 0; t = (0, 2/3) - (5/4)(0, 1/3) = (0, 1/4).
    Points2d s3(3, 2), d3(3, 2);
    s3 << -1, 0, 1, 0, 0, 1;
    d3 << -1, 0, 1, 0, 0, 2;
    const Similarity2d l = estimateSimilarity(s3, d3);
    EXPECT_NEAR(l.a, 1.25, 1e-12);
    EXPECT_NEAR(l.b, 0, 1e-12);
    EXPECT_NEAR(l.tx, 0, 1e-12);
    EXPECT_NEAR(l.ty, 0.25, 1e-12);
}

TEST(CropSimilarity, UmeyamaSkipsNonFiniteRowsAndRefusesDegenerateSets) {
    const Points2d src = randomPoints(10, 2);
    const Similarity2d truth = make(1.2, 10, 3, 4);
    Points2d dst = truth.apply(src);
    dst(3, 0) = NAN;
    dst(7, 1) = INFINITY;
    const Similarity2d s = estimateSimilarity(src, dst);
    EXPECT_NEAR(s.a, truth.a, 1e-10);
    EXPECT_NEAR(s.ty, truth.ty, 1e-8);

    EXPECT_THROW(estimateSimilarity(src, Points2d(9, 2)), std::invalid_argument);
    Points2d same = Points2d::Constant(5, 2, 3.0);
    EXPECT_THROW(estimateSimilarity(same, randomPoints(5, 3)), std::invalid_argument);
    Points2d one(2, 2);
    one << 1, 1, NAN, 0;
    EXPECT_THROW(estimateSimilarity(one, one), std::invalid_argument);
}

TEST(CropSimilarity, CentredCropAndBoxCrop) {
    // A square image at its own size is the identity.
    const Similarity2d id = centredCrop(64, 64, 64);
    EXPECT_DOUBLE_EQ(id.a, 1);
    EXPECT_DOUBLE_EQ(id.tx, 0);
    // 300 x 200 to 100: side 200 at corner (50, 0), scale 0.5.
    const Similarity2d c = centredCrop(300, 200, 100);
    EXPECT_DOUBLE_EQ(c.a, 0.5);
    EXPECT_DOUBLE_EQ(c.b, 0);
    EXPECT_DOUBLE_EQ(c.tx, -25);
    EXPECT_DOUBLE_EQ(c.ty, 0);
    // Odd margins round the corner down: 201 x 100 -> corner (50, 0).
    EXPECT_DOUBLE_EQ(centredCrop(201, 100, 100).tx, -50);
    EXPECT_THROW(centredCrop(0, 10, 10), std::invalid_argument);

    // Stage II's margin 0.25: a 100-px box becomes a 150-px square around it.
    const Similarity2d b = boxCrop(10, 20, 100, 60, marginBoxFraming(0.25), 300);
    EXPECT_NEAR(b.a, 2.0, 1e-12);                                   // 300 / 150
    EXPECT_NEAR(b.inverse().apply(Eigen::Vector2d(0, 0)).x(), -15, 1e-9);  // box centre 60 - 75
    EXPECT_NEAR(b.inverse().apply(Eigen::Vector2d(0, 0)).y(), -25, 1e-9);  // 50 - 75
    EXPECT_THROW(boxCrop(0, 0, 0, 10, marginBoxFraming(0.25), 64), std::invalid_argument);
    EXPECT_THROW(boxCrop(0, NAN, 10, 10, marginBoxFraming(0.25), 64), std::invalid_argument);

    // A template whose box spans x in [-0.5, 0.3], y in [-0.4, 0.6]: centre
    // (-0.1, 0.1), side 1; a box of side 40 then maps to 0.5 S = 32 px at S = 64.
    Points2d t(3, 2);
    t << -0.5, -0.4, 0.3, 0.6, 0.0, 0.0;
    const BoxFraming f = templateBoxFraming(t);
    EXPECT_NEAR(f.cx, -0.1, 1e-12);
    EXPECT_NEAR(f.cy, 0.1, 1e-12);
    EXPECT_NEAR(f.side, 1.0, 1e-12);
    const Similarity2d tb = boxCrop(100, 200, 40, 20, f, 64);
    EXPECT_NEAR(tb.a, 0.8, 1e-12);
    const Eigen::Vector2d centre = tb.apply(Eigen::Vector2d(120, 210));
    EXPECT_NEAR(centre.x(), (-0.1 + 1) * 32, 1e-9);
    EXPECT_NEAR(centre.y(), (0.1 + 1) * 32, 1e-9);
    EXPECT_THROW(templateBoxFraming(Points2d::Zero(4, 2)), std::invalid_argument);
}

TEST(CropSimilarity, AlignToTemplateAndCropMotion) {
    Points2d tmpl = randomPoints(68, 4) / 100.0;  // within ±0.5
    const Similarity2d truth = make(0.8, 12, 20, -7);
    // Landmarks that the crop `truth` would show exactly on the template.
    const Points2d image = truth.inverse().apply(normalisedToCropPixels(tmpl, 128));
    const Similarity2d fit = alignToTemplate(image, tmpl, 128);
    EXPECT_NEAR(cropMotion(truth, fit, 128), 0, 1e-9);
    EXPECT_NEAR(fit.a, truth.a, 1e-10);
    // A pure shift of the crop by 10 image px, crop side 128 / 0.5 = 256 px.
    const Similarity2d a = squareCrop(0, 0, 256, 128), b = squareCrop(10, 0, 256, 128);
    EXPECT_NEAR(cropMotion(a, b, 128), 10.0 / 256, 1e-12);
    // Scaling about the centre moves the corners most: side 256 -> 200.
    const Similarity2d c = squareCrop(28, 28, 200, 128);
    EXPECT_NEAR(cropMotion(a, c, 128), std::hypot(28, 28) / 256, 1e-12);
    // Normalised <-> crop pixels.
    Points2d v(2, 2);
    v << -1, 1, 0, 1.0 / 64 - 1;
    const Points2d px = normalisedToCropPixels(v, 64);
    EXPECT_DOUBLE_EQ(px(0, 0), 0);
    EXPECT_DOUBLE_EQ(px(0, 1), 64);
    EXPECT_DOUBLE_EQ(px(1, 1), 0.5);
    EXPECT_NEAR((cropPixelsToNormalised(px, 64) - v).norm(), 0, 1e-15);
}

}  // namespace
}  // namespace synthforge::train
