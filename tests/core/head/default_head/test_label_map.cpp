// The default head's UV label map: classes present, left/right by the 3D
// points the texels come from, believable brows and lips, padding and the
// colour preview of this map (file round trips: tests/core/annotate/test_label_map_io.cpp).

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <Eigen/Geometry>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/annotate/class_table.h"
#include "core/annotate/label_map_io.h"
#include "core/head/default_head/label_map.h"
#include "core/head/default_head/model_source.h"
#include "core/head/default_head/neutral_mesh.h"
#include "core/head/head_model_io.h"
#include "tests/support/fixtures.h"

using namespace synthforge;
namespace dh = synthforge::head::default_head;
namespace ann = synthforge::annotate;

namespace {

constexpr int kSize = 1024;

const dh::NeutralHead& neutral() {
    static const dh::NeutralHead h = dh::buildNeutralHead();
    return h;
}

const cv::Mat& labels() {
    static const cv::Mat m = dh::buildDefaultLabelMap(neutral(), kSize);
    return m;
}

/// Per texel of the map: the UV triangle and the 3D point it comes from.
struct TexelPoints {
    raster::RasterResult r;
    std::vector<Eigen::Vector3d> p;
};

const TexelPoints& texels() {
    static const TexelPoints t = [] {
        TexelPoints t;
        const dh::NeutralHead& h = neutral();
        t.r = ann::rasterizeUvAtlas(h.uv, h.uvFaces, kSize);
        t.p.assign(t.r.triangleId.size(), Eigen::Vector3d::Zero());
        for (std::size_t i = 0; i < t.p.size(); ++i) {
            const int f = t.r.triangleId[i];
            if (f < 0) continue;
            const double b0 = t.r.bary0[i], b1 = t.r.bary1[i], b2 = 1.0 - b0 - b1;
            t.p[i] = b0 * h.vertices.row(h.faces(f, 0)).transpose().cast<double>() +
                     b1 * h.vertices.row(h.faces(f, 1)).transpose().cast<double>() +
                     b2 * h.vertices.row(h.faces(f, 2)).transpose().cast<double>();
        }
        return t;
    }();
    return t;
}

std::uint8_t at(std::size_t i) { return labels().data[i]; }

/// 3D points of every texel of a class.
std::vector<Eigen::Vector3d> pointsOf(int cls) {
    std::vector<Eigen::Vector3d> out;
    for (std::size_t i = 0; i < texels().p.size(); ++i)
        if (at(i) == cls) out.push_back(texels().p[i]);
    return out;
}

Eigen::Vector3d anchor(const std::string& name) { return neutral().anchors.at(name).cast<double>(); }

/// Surface area (m^2) a class covers on the mesh: each texel stands for the
/// 3D area of its triangle divided by the triangle's area in texels.
double surfaceArea(int cls) {
    const dh::NeutralHead& h = neutral();
    double area = 0.0;
    for (std::size_t i = 0; i < texels().p.size(); ++i) {
        if (at(i) != cls) continue;
        const int f = texels().r.triangleId[i];
        auto V = [&](int c) { return h.vertices.row(h.faces(f, c)).transpose().cast<double>().eval(); };
        auto T = [&](int c) { return (h.uv.row(h.uvFaces(f, c)).transpose().cast<double>() * kSize).eval(); };
        const double a3 = 0.5 * (V(1) - V(0)).cross(V(2) - V(0)).norm();
        const Eigen::Vector2d e1 = T(1) - T(0), e2 = T(2) - T(0);
        const double a2 = 0.5 * std::abs(e1.x() * e2.y() - e1.y() * e2.x());
        area += a3 / a2;
    }
    return area;
}

int components(int cls) {
    const cv::Mat mask = labels() == cls;
    cv::Mat cc;
    return cv::connectedComponents(mask, cc, 8) - 1;
}

}  // namespace

TEST(DefaultLabelMap, IsDeterministic8BitAndHasEveryFaceClass) {
    const cv::Mat& m = labels();
    ASSERT_EQ(m.type(), CV_8UC1);
    ASSERT_EQ(m.rows, kSize);
    ASSERT_EQ(m.cols, kSize);
    const cv::Mat again = dh::buildDefaultLabelMap(neutral(), kSize);
    EXPECT_EQ(cv::countNonZero(m != again), 0);

    std::array<long, 256> count{};
    for (std::size_t i = 0; i < m.total(); ++i) ++count[at(i)];
    for (int cls : {ann::kBackground, ann::kSkin, ann::kNose, ann::kRightEye, ann::kLeftEye, ann::kRightBrow,
                    ann::kLeftBrow, ann::kRightEar, ann::kLeftEar, ann::kMouthInterior, ann::kTopLip, ann::kBottomLip,
                    ann::kNeck, ann::kHair})
        EXPECT_GT(count[cls], 500) << ann::ClassTable::defaultTable().byId(cls).name;
    for (int cls = ann::kHair + 1; cls < 256; ++cls) EXPECT_EQ(count[cls], 0) << cls;
    // The head is symmetric, and so are its labels.
    for (auto [r, l] : {std::pair{ann::kRightEye, ann::kLeftEye}, {ann::kRightBrow, ann::kLeftBrow},
                        {ann::kRightEar, ann::kLeftEar}})
        EXPECT_NEAR(count[r], count[l], 0.01 * count[l] + 4) << r;
}

TEST(DefaultLabelMap, BackgroundIsExactlyTheUncoveredTexels) {
    for (std::size_t i = 0; i < texels().p.size(); ++i)
        ASSERT_EQ(at(i) == ann::kBackground, texels().r.triangleId[i] < 0) << "texel " << i;
}

TEST(DefaultLabelMap, LeftAndRightFollowTheSubject) {
    // Subject's left is +x (iBUG): left_eye, left_brow, left_ear there.
    for (auto [right, left] : {std::pair{ann::kRightEye, ann::kLeftEye}, {ann::kRightBrow, ann::kLeftBrow},
                               {ann::kRightEar, ann::kLeftEar}}) {
        const auto pl = pointsOf(left), pr = pointsOf(right);
        ASSERT_FALSE(pl.empty());
        ASSERT_FALSE(pr.empty());
        for (const auto& p : pl) ASSERT_GT(p.x(), 0.0) << "class " << left;
        for (const auto& p : pr) ASSERT_LT(p.x(), 0.0) << "class " << right;
    }
    // Eyes are the eyeballs around the eye centres.
    for (const auto& p : pointsOf(ann::kLeftEye)) ASSERT_LT((p - anchor("left_eye_centre")).norm(), 0.0125);
    for (const auto& p : pointsOf(ann::kRightEye)) ASSERT_LT((p - anchor("right_eye_centre")).norm(), 0.0125);
}

TEST(DefaultLabelMap, BrowsAreOneTaperedBandEachAboveTheEyes) {
    for (int cls : {ann::kRightBrow, ann::kLeftBrow}) {
        EXPECT_EQ(components(cls), 1) << cls;
        // A real brow covers roughly 2-4 cm^2: ~5 cm long, 3-10 mm tall.
        const double area = surfaceArea(cls);
        EXPECT_GT(area, 1.5e-4) << cls;
        EXPECT_LT(area, 4.5e-4) << cls;
        const auto pts = pointsOf(cls);
        const std::string side = cls == ann::kLeftBrow ? "left_" : "right_";
        double minX = 1, maxX = 0, minY = 1, maxY = -1;
        for (const auto& p : pts) {
            minX = std::min(minX, std::abs(p.x()));
            maxX = std::max(maxX, std::abs(p.x()));
            minY = std::min(minY, p.y());
            maxY = std::max(maxY, p.y());
            EXPECT_GT(p.z(), 0.05);
        }
        EXPECT_LT(minX, 0.012);  // the head starts near the nose bridge...
        EXPECT_GT(minX, 0.005);  // ...leaving a gap between the brows
        EXPECT_GT(maxX, 0.054);  // the tail reaches past the outer eye corner
        EXPECT_LT(maxX, 0.062);
        EXPECT_GT(minY, anchor(side + "upper_eyelid").y() + 0.005);
        EXPECT_LT(maxY, anchor(side + "brow_peak").y() + 0.008);
        // Tapered: taller near the head than near the tail.
        auto height = [&](double x0, double x1) {
            double lo = 1, hi = -1;
            for (const auto& p : pts)
                if (std::abs(p.x()) >= x0 && std::abs(p.x()) < x1) lo = std::min(lo, p.y()), hi = std::max(hi, p.y());
            return hi - lo;
        };
        // (1 mm wide columns: the brow slopes, so wider ones add its rise.)
        const double head = height(0.0145, 0.0155), tail = height(0.0515, 0.0525);
        EXPECT_GT(head, 0.0075) << cls;
        EXPECT_LT(head, 0.0110) << cls;
        EXPECT_GT(tail, 0.0030) << cls;
        EXPECT_LT(tail, 0.0065) << cls;
        EXPECT_GT(head, tail + 0.002) << cls;
    }
}

TEST(DefaultLabelMap, LipsLieEitherSideOfTheLipLine) {
    // The lip line through the inner lip anchors and the mouth corners.
    const double y0 = 0.5 * (anchor("upper_lip_inner").y() + anchor("lower_lip_inner").y());
    const Eigen::Vector3d corner = anchor("left_mouth_corner");
    auto lipLine = [&](double x) {
        const double t = std::min(1.0, std::abs(x) / corner.x());
        return y0 + (corner.y() - y0) * t * t;
    };
    const auto top = pointsOf(ann::kTopLip), bottom = pointsOf(ann::kBottomLip);
    double topMean = 0, bottomMean = 0, topMax = -1, bottomMax = -1;
    for (const auto& p : top) {
        const double d = p.y() - lipLine(p.x());
        EXPECT_GT(d, -0.0006);
        EXPECT_LT(std::abs(p.x()), corner.x() + 0.003);
        topMean += d / top.size();
        topMax = std::max(topMax, d);
    }
    for (const auto& p : bottom) {
        const double d = lipLine(p.x()) - p.y();
        EXPECT_GT(d, -0.0006);
        EXPECT_LT(std::abs(p.x()), corner.x() + 0.003);
        bottomMean += d / bottom.size();
        bottomMax = std::max(bottomMax, d);
    }
    // Vermilion heights of an adult: ~8 mm upper, ~10 mm lower at most.
    EXPECT_GT(topMax, 0.006);
    EXPECT_LT(topMax, 0.011);
    EXPECT_GT(bottomMax, 0.008);
    EXPECT_LT(bottomMax, 0.013);
    EXPECT_GT(topMean, 0.002);
    EXPECT_GT(bottomMean, 0.002);
    EXPECT_EQ(components(ann::kTopLip), 1);
    EXPECT_EQ(components(ann::kBottomLip), 1);
    // Both lips reach out toward the mouth corners.
    double topX = 0, bottomX = 0;
    for (const auto& p : top) topX = std::max(topX, std::abs(p.x()));
    for (const auto& p : bottom) bottomX = std::max(bottomX, std::abs(p.x()));
    EXPECT_GT(topX, corner.x() - 0.002);
    EXPECT_GT(bottomX, corner.x() - 0.002);
}

TEST(DefaultLabelMap, NoseHairNeckAndMouthAreWhereTheyBelong) {
    for (const auto& p : pointsOf(ann::kNose)) {
        ASSERT_LT(std::abs(p.x()), 0.024);
        ASSERT_GT(p.y(), anchor("subnasale").y() - 0.004);
        ASSERT_LT(p.y(), anchor("nasion").y() + 0.008);
        ASSERT_GT(p.z(), 0.07);
    }
    // Hair: well above the brows at the front, down to the nape at the back.
    const double brow = anchor("left_brow_peak").y();
    double backMin = 1;
    for (const auto& p : pointsOf(ann::kHair)) {
        const double azimuth = std::atan2(std::abs(p.x()), p.z());
        if (azimuth < 0.5) {
            ASSERT_GT(p.y(), brow + 0.045);
        }
        if (azimuth < 1.0) {
            ASSERT_GT(p.y(), brow + 0.015);
        }
        if (p.z() < -0.06) backMin = std::min(backMin, p.y());
        ASSERT_GT(p.y(), -0.045);
    }
    EXPECT_LT(backMin, 0.0);
    // The forehead below the hairline is skin.
    const Eigen::Vector3d glabella = anchor("glabella");
    int foreheadSkin = 0;
    for (std::size_t i = 0; i < texels().p.size(); ++i) {
        const auto& p = texels().p[i];
        if (std::abs(p.x()) < 0.01 && p.y() > glabella.y() + 0.01 && p.y() < brow + 0.04 && p.z() > 0.05)
            foreheadSkin += at(i) == ann::kSkin ? 1 : -1000;
    }
    EXPECT_GT(foreheadSkin, 20);
    // Neck: below the chin and the jaw.
    for (const auto& p : pointsOf(ann::kNeck)) ASSERT_LT(p.y(), -0.025);
    // The mouth interior lies behind the lips.
    for (const auto& p : pointsOf(ann::kMouthInterior)) ASSERT_LT(p.z(), anchor("upper_lip_outer").z());
}

TEST(DefaultLabelMap, HeadModelOverloadMatchesAndRefusesOtherModels) {
    const head::HeadModel model = head::loadHeadModel("default");
    EXPECT_EQ(cv::countNonZero(dh::buildDefaultLabelMap(model, 256) != dh::buildDefaultLabelMap(neutral(), 256)), 0);
    head::HeadModel other = model;
    other.uv(0, 0) += 0.01f;
    try {
        dh::buildDefaultLabelMap(other, 256);
        ADD_FAILURE();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("only the default head has a built-in label map"), std::string::npos)
            << e.what();
    }
    other = model;
    other.faces.conservativeResize(other.faces.rows() - 1, 3);
    EXPECT_THROW(dh::buildDefaultLabelMap(other, 256), std::invalid_argument);
    EXPECT_THROW(dh::buildDefaultLabelMap(neutral(), 8), std::invalid_argument);
    EXPECT_THROW(dh::buildDefaultLabelMap(neutral(), ann::kMaxLabelMapSize + 1), std::invalid_argument);
    const cv::Mat small = dh::buildDefaultLabelMap(neutral(), 64);
    EXPECT_EQ(small.rows, 64);
    EXPECT_GT(cv::countNonZero(small == ann::kSkin), 100);
}

TEST(DefaultLabelMap, PaddingGrowsIslandsWithoutChangingThem) {
    const cv::Mat padded = ann::padLabelMap(labels(), 3);
    const cv::Mat covered = labels() != ann::kBackground;
    EXPECT_EQ(cv::countNonZero((padded != labels()) & covered), 0);
    EXPECT_LT(cv::countNonZero(padded == ann::kBackground), cv::countNonZero(labels() == ann::kBackground));
    // Islands are >= 10 texels apart: a 3-texel gutter leaves gaps.
    EXPECT_EQ(padded.at<std::uint8_t>(0, kSize - 1), ann::kBackground);
    double lo, hi;
    cv::minMaxLoc(padded, &lo, &hi);
    EXPECT_LE(hi, ann::kHair);
    EXPECT_EQ(cv::countNonZero(ann::padLabelMap(labels(), 0) != labels()), 0);
    EXPECT_THROW(ann::padLabelMap(labels(), -1), std::invalid_argument);
}

TEST(DefaultLabelMap, ColourPreviewUsesTheClassColours) {
    const ann::ClassTable& t = ann::ClassTable::defaultTable();
    const cv::Mat c = ann::colorizeLabels(labels(), t);
    ASSERT_EQ(c.type(), CV_8UC3);
    for (std::size_t i = 0; i < labels().total(); i += 997) {
        const auto& rgb = t.byId(at(i)).color;
        const cv::Vec3b bgr = c.at<cv::Vec3b>(static_cast<int>(i / kSize), static_cast<int>(i % kSize));
        ASSERT_EQ(bgr, cv::Vec3b(rgb[2], rgb[1], rgb[0]));
    }
}
