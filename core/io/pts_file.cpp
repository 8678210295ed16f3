#include "core/io/pts_file.h"

#include "core/io/text_tokens.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "core/io/file_util.h"

// Deliberate strictness, because a landmark file that parses "somehow" gives
// silently wrong training targets:
//  * the header holds exactly `version: 1` and `n_points: N`, each once, before
//    the '{' line; any other field is refused;
//  * every line between the braces is exactly two finite numbers, and there are
//    exactly N of them;
//  * nothing but blank lines may follow the '}'.
// Tolerated, because real files and editors differ here: CRLF line ends, a
// UTF-8 byte order mark, spaces and tabs anywhere, blank lines anywhere, a
// leading '+' on a number.

namespace synthforge::io {

namespace {

[[noreturn]] void fail(const std::string& source, const std::string& where, const std::string& what) {
    throw std::runtime_error(source + ": " + where + ": " + what);
}

std::string lineTag(int line) { return "line " + std::to_string(line); }

std::string_view trim(std::string_view s) { return trimBlanks(s); }
std::string quote(std::string_view t) { return quoteToken(t); }
bool parseFloat(std::string_view t, float& out) { return parseFiniteFloat(t, out); }

bool parseInt(std::string_view t, long long& out) {
    const auto r = std::from_chars(t.data(), t.data() + t.size(), out);
    return r.ec == std::errc() && r.ptr == t.data() + t.size();
}

class PtsParser {
public:
    PtsParser(const std::string& text, const std::string& source) : text_(text), source_(source) {}

    PtsFile parse() {
        std::string_view rest(text_);
        if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
        int lineNo = 0;
        while (!rest.empty()) {
            const std::size_t nl = rest.find('\n');
            const std::string_view line = rest.substr(0, nl);
            rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
            ++lineNo;
            const std::string_view t = trim(line);
            if (t.empty()) continue;
            sawContent_ = true;
            switch (phase_) {
                case Phase::Header: headerLine(t, lineNo); break;
                case Phase::Points: pointLine(t, lineNo); break;
                case Phase::Done:
                    fail(source_, lineTag(lineNo), "unexpected content " + quote(t) + " after the closing '}'");
            }
        }
        finish(lineNo);
        PtsFile out;
        out.points.resize(static_cast<Eigen::Index>(xy_.size() / 2), 2);
        for (std::size_t i = 0; i < xy_.size(); ++i) out.points.data()[i] = xy_[i];
        return out;
    }

private:
    enum class Phase { Header, Points, Done };

    void headerLine(std::string_view t, int lineNo) {
        if (t == "{") {
            if (!sawVersion_) fail(source_, lineTag(lineNo), "'{' before the header field 'version: 1'");
            if (nPoints_ < 0) fail(source_, lineTag(lineNo), "'{' before the header field 'n_points'");
            phase_ = Phase::Points;
            xy_.reserve(static_cast<std::size_t>(nPoints_) * 2);
            return;
        }
        const std::size_t colon = t.find(':');
        if (colon == std::string_view::npos) {
            float probe = 0.0f;
            const auto tok = splitTokens(t);
            if (!tok.empty() && parseFloat(tok[0], probe))
                fail(source_, lineTag(lineNo), "a point before the '{' line (missing '{' or header)");
            fail(source_, lineTag(lineNo),
                 "expected a header field ('version: 1', 'n_points: N') or '{', got " + quote(t));
        }
        const std::string_view key = trim(t.substr(0, colon));
        const std::string_view value = trim(t.substr(colon + 1));
        if (key == "version") {
            if (sawVersion_) fail(source_, lineTag(lineNo), "header field 'version' given twice");
            long long v = 0;
            if (!parseInt(value, v) || v != 1)
                fail(source_, lineTag(lineNo), "version: unsupported version " + quote(value) + " (only 1 exists)");
            sawVersion_ = true;
        } else if (key == "n_points") {
            if (nPoints_ >= 0) fail(source_, lineTag(lineNo), "header field 'n_points' given twice");
            long long n = 0;
            if (!parseInt(value, n)) fail(source_, lineTag(lineNo), "n_points: " + quote(value) + " is not an integer");
            if (n < 1 || n > kMaxPtsPoints)
                fail(source_, lineTag(lineNo), "n_points: " + std::to_string(n) + " is outside 1.." +
                                                   std::to_string(kMaxPtsPoints));
            nPoints_ = n;
        } else {
            fail(source_, lineTag(lineNo), "unknown header field " + quote(key));
        }
    }

    void pointLine(std::string_view t, int lineNo) {
        if (t == "}") {
            if (static_cast<long long>(xy_.size() / 2) != nPoints_)
                fail(source_, lineTag(lineNo), "n_points says " + std::to_string(nPoints_) + " but the file lists " +
                                                   std::to_string(xy_.size() / 2) + " points");
            phase_ = Phase::Done;
            return;
        }
        if (static_cast<long long>(xy_.size() / 2) == nPoints_)
            fail(source_, lineTag(lineNo), "more points than n_points = " + std::to_string(nPoints_) +
                                               " (or a missing '}')");
        const auto tok = splitTokens(t);
        if (tok.size() != 2)
            fail(source_, lineTag(lineNo), "expected two numbers 'x y', got " + std::to_string(tok.size()) +
                                               " fields: " + quote(t));
        for (const auto& s : tok) {
            float v = 0.0f;
            if (!parseFloat(s, v)) fail(source_, lineTag(lineNo), quote(s) + " is not a finite number in float range");
            xy_.push_back(v);
        }
    }

    void finish(int lastLine) {
        if (phase_ == Phase::Done) return;
        const std::string where = lineTag(lastLine + 1);
        if (!sawContent_) fail(source_, where, "empty file, expected the header 'version: 1'");
        if (phase_ == Phase::Points)
            fail(source_, where, "truncated file: missing '}' after " + std::to_string(xy_.size() / 2) + " of " +
                                     std::to_string(nPoints_) + " points");
        if (!sawVersion_) fail(source_, "version", "missing header field 'version: 1'");
        if (nPoints_ < 0) fail(source_, "n_points", "missing header field 'n_points'");
        fail(source_, where, "truncated file: missing the '{' line and the points");
    }

    const std::string& text_;
    const std::string& source_;
    Phase phase_ = Phase::Header;
    bool sawContent_ = false;
    bool sawVersion_ = false;
    long long nPoints_ = -1;
    std::vector<float> xy_;
};

void checkWritable(const Points2f& points, const std::string& context) {
    if (points.rows() < 1 || points.rows() > kMaxPtsPoints)
        throw std::invalid_argument(context + ": " + std::to_string(points.rows()) + " points, expected 1.." +
                                    std::to_string(kMaxPtsPoints));
    if (!points.allFinite()) throw std::invalid_argument(context + ": the points contain NaN or infinity");
}

void appendFloat(std::string& out, float v) {
    // Shortest text that reads back as the same float.
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

}  // namespace

PtsFile parsePts(const std::string& text, const std::string& source) { return PtsParser(text, source).parse(); }

PtsFile readPts(const std::string& path) { return parsePts(readFileText(path, kMaxPtsFileBytes), path); }

std::string formatPts(const Points2f& points) {
    checkWritable(points, "formatPts");
    // Two spaces after "n_points:" as in the 300-W files themselves.
    std::string out = "version: 1\nn_points:  " + std::to_string(points.rows()) + "\n{\n";
    out.reserve(out.size() + static_cast<std::size_t>(points.rows()) * 24 + 2);
    for (Eigen::Index i = 0; i < points.rows(); ++i) {
        appendFloat(out, points(i, 0));
        out += ' ';
        appendFloat(out, points(i, 1));
        out += '\n';
    }
    out += "}\n";
    return out;
}

void writePts(const std::string& path, const Points2f& points) {
    checkWritable(points, "writePts: " + path);
    writeFileAtomic(path, formatPts(points));
}

Points2f fromPtsCoordinates(const Points2f& ptsPoints) { return ptsPoints.array() - 0.5f; }

Points2f toPtsCoordinates(const Points2f& points) { return points.array() + 0.5f; }

}  // namespace synthforge::io
