#include "core/dataset/lapa_landmarks.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "core/io/file_util.h"
#include "core/io/text_tokens.h"

namespace synthforge::dataset {

namespace {

[[noreturn]] void fail(const std::string& source, int line, const std::string& what) {
    throw std::runtime_error(source + ": line " + std::to_string(line) + ": " + what);
}

using io::splitTokens;
std::string quote(std::string_view t) { return io::quoteToken(t); }
bool parseFloat(std::string_view t, float& out) {
    // LaPa files have no '+' signs; the shared parser's tolerance of one is harmless.
    return io::parseFiniteFloat(t, out);
}

}  // namespace

io::Points2f parseLapaLandmarks(const std::string& text, const std::string& source) {
    std::string_view rest(text);
    if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
    long long count = -1;
    std::vector<float> xy;
    int lineNo = 0;
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        const std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        ++lineNo;
        const auto tok = splitTokens(line);
        if (tok.empty()) continue;
        if (count < 0) {
            long long n = 0;
            const auto r = std::from_chars(tok[0].data(), tok[0].data() + tok[0].size(), n);
            if (tok.size() != 1 || r.ec != std::errc() || r.ptr != tok[0].data() + tok[0].size())
                fail(source, lineNo, "expected the point count on the first line, got " + quote(line));
            if (n < 1 || n > io::kMaxPtsPoints)
                fail(source, lineNo, "point count " + std::to_string(n) + " is outside 1.." +
                                         std::to_string(io::kMaxPtsPoints));
            count = n;
            xy.reserve(static_cast<std::size_t>(count) * 2);
            continue;
        }
        if (static_cast<long long>(xy.size() / 2) == count)
            fail(source, lineNo, "more point lines than the count " + std::to_string(count) + " on the first line");
        if (tok.size() != 2)
            fail(source, lineNo, "expected two numbers 'x y', got " + std::to_string(tok.size()) + " fields");
        for (const auto& s : tok) {
            float v = 0.0f;
            if (!parseFloat(s, v)) fail(source, lineNo, quote(s) + " is not a finite number in float range");
            xy.push_back(v);
        }
    }
    if (count < 0) fail(source, lineNo + 1, "empty file, expected the point count");
    if (static_cast<long long>(xy.size() / 2) != count)
        fail(source, lineNo + 1, "truncated file: the first line says " + std::to_string(count) +
                                     " points but the file lists " + std::to_string(xy.size() / 2));
    io::Points2f points(static_cast<Eigen::Index>(count), 2);
    for (std::size_t i = 0; i < xy.size(); ++i) points.data()[i] = xy[i];
    return points;
}

io::Points2f readLapaLandmarks(const std::string& path) {
    return parseLapaLandmarks(io::readFileText(path, kMaxLapaLandmarkFileBytes), path);
}

io::Points2f fromLapaCoordinates(const io::Points2f& lapaPoints) { return lapaPoints.array() + 0.5f; }

io::Points2f toLapaCoordinates(const io::Points2f& points) { return points.array() - 0.5f; }

const std::vector<std::pair<int, int>>& lapaIbugCorrespondence() {
    // Image-left eye: iBUG 36 outer, 39 inner = LaPa 66, 70; image-right eye:
    // iBUG 42 inner, 45 outer = LaPa 75, 79 (the 8-point outlines start at
    // the image-left corner). Nose: iBUG 27-30 bridge to tip = LaPa 51-54,
    // iBUG 33 (below the tip) = LaPa 60. Mouth corners: iBUG 48, 54 = LaPa 84, 90.
    static const std::vector<std::pair<int, int>> pairs{{27, 51}, {28, 52}, {29, 53}, {30, 54}, {33, 60}, {36, 66},
                                                        {39, 70}, {42, 75}, {45, 79}, {48, 84}, {54, 90}};
    return pairs;
}

io::Points2f lapaToIbug68(const io::Points2f& lapaPoints) {
    if (lapaPoints.rows() != 106)
        throw std::invalid_argument("LaPa landmarks: expected 106 points, got " + std::to_string(lapaPoints.rows()));
    io::Points2f out = io::Points2f::Constant(68, 2, std::numeric_limits<float>::quiet_NaN());
    for (const auto& [ibug, lapa] : lapaIbugCorrespondence()) out.row(ibug) = lapaPoints.row(lapa);
    return out;
}

}  // namespace synthforge::dataset
