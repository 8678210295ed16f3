// check_studio_screenshot <png>: exits 0 when a `synthforge-studio
// --screenshot` picture shows what the studio's first frame must show, 1
// (with the reason on stderr) otherwise. cmake -P cannot read pixels, so
// check_screenshot.cmake runs this after the studio.
//
// What it looks for (the studio draws the default head with landmarks and a
// 35% segmentation overlay; the window chrome is grey):
//  - the head: a large block of skin-coloured pixels (a widely used RGB skin
//    rule, which no grey, white or saturated UI colour passes);
//  - the landmark overlay on it: pure-green visible-landmark dots and the
//    light-blue contour lines (annotate::LandmarkStyle), inside the skin's
//    bounding box, spread over the face rather than in one spot.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <QImage>
#include <QRect>

namespace {

bool skinLike(QRgb p) {
    const int r = qRed(p), g = qGreen(p), b = qBlue(p);
    return r > 95 && g > 40 && b > 20 && std::max({r, g, b}) - std::min({r, g, b}) > 15 && std::abs(r - g) > 15 &&
           r > g && r > b;
}

// Visible landmark dots: BGR (0, 255, 0), smoothed a little by scaling.
bool landmarkGreen(QRgb p) { return qGreen(p) > 190 && qRed(p) < 90 && qBlue(p) < 90; }

// Contour lines: BGR (255, 200, 60), i.e. RGB (60, 200, 255), antialiased.
bool contourBlue(QRgb p) { return qBlue(p) > 200 && qGreen(p) > 150 && qGreen(p) < 235 && qRed(p) < 120; }

int fail(const char* why) {
    std::fprintf(stderr, "check_studio_screenshot: %s\n", why);
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) return fail("usage: check_studio_screenshot <png>");
    const QImage img = QImage(QString::fromLocal8Bit(argv[1])).convertToFormat(QImage::Format_RGB32);
    if (img.isNull()) return fail("cannot read the PNG");
    if (img.width() < 800 || img.height() < 500) return fail("smaller than the studio's window");

    // The face's box: rows and columns holding many skin-coloured pixels, so
    // that the small colour swatches of the class legend (skin, nose) do not
    // stretch it.
    long skin = 0;
    std::vector<int> perRow(static_cast<std::size_t>(img.height()), 0), perCol(static_cast<std::size_t>(img.width()), 0);
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x)
            if (skinLike(img.pixel(x, y))) {
                ++skin;
                ++perRow[static_cast<std::size_t>(y)];
                ++perCol[static_cast<std::size_t>(x)];
            }
    constexpr int kMinLine = 30;  // a legend swatch is ~12 px a side
    int x0 = img.width(), y0 = img.height(), x1 = -1, y1 = -1;
    for (int y = 0; y < img.height(); ++y)
        if (perRow[static_cast<std::size_t>(y)] >= kMinLine) y0 = std::min(y0, y), y1 = std::max(y1, y);
    for (int x = 0; x < img.width(); ++x)
        if (perCol[static_cast<std::size_t>(x)] >= kMinLine) x0 = std::min(x0, x), x1 = std::max(x1, x);
    const long area = static_cast<long>(img.width()) * img.height();
    std::printf("%dx%d: %ld skin-like pixels (%.1f%%); the face's box [%d, %d] x [%d, %d]\n", img.width(), img.height(),
                skin, 100.0 * static_cast<double>(skin) / static_cast<double>(area), x0, x1, y0, y1);
    // The face fills a good part of the generator view (a few percent of the window at least).
    if (skin < area / 50) return fail("no head: too few skin-coloured pixels");
    if (x1 - x0 < 150 || y1 - y0 < 150) return fail("no head: the skin-coloured pixels are not a face-sized block");
    const QRect face(QPoint(x0, y0), QPoint(x1, y1));

    long green = 0, blue = 0, greenOutside = 0;
    int gx0 = img.width(), gx1 = -1, gy0 = img.height(), gy1 = -1;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) {
            const QRgb p = img.pixel(x, y);
            const bool in = face.contains(x, y);
            if (landmarkGreen(p)) {
                if (!in) {
                    ++greenOutside;
                    continue;
                }
                ++green;
                gx0 = std::min(gx0, x);
                gx1 = std::max(gx1, x);
                gy0 = std::min(gy0, y);
                gy1 = std::max(gy1, y);
            }
            if (in && contourBlue(p)) ++blue;
        }
    std::printf("on the face: %ld landmark-green pixels spanning %dx%d, %ld contour-blue pixels; %ld green elsewhere\n",
                green, gx1 - gx0 + 1, gy1 - gy0 + 1, blue, greenOutside);
    // 68 dots of a few pixels each, over the face (brows to chin, ear to ear).
    if (green < 68) return fail("no landmark dots on the face");
    if (gx1 - gx0 < face.width() / 4 || gy1 - gy0 < face.height() / 4)
        return fail("the landmark dots do not spread over the face");
    if (blue < 50) return fail("no landmark contour lines on the face");
    std::printf("check_studio_screenshot: ok\n");
    return 0;
}
