// The 300-W .pts reader and writer: real-file layout, tolerated variations,
// coordinate conversion, exact round trips, and hostile input (every
// truncation, random byte mutations, lying counts, huge files) failing with
// std::runtime_error only.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

#include "core/io/file_util.h"
#include "core/io/pts_file.h"
#include "tests/support/fixtures.h"

using namespace synthforge;

namespace {

/// The first lines of 300W/01_Indoor/indoor_001.pts's layout, with made-up values.
std::string threePointFile(const std::string& eol = "\n") {
    return "version: 1" + eol + "n_points:  3" + eol + "{" + eol + "446.000 91.000" + eol + "449.459 119.344" + eol +
           "450.957 150.614" + eol + "}" + eol;
}

/// A 68-point file laid out like the 300-W release.
std::string file68() {
    std::string s = "version: 1\nn_points:  68\n{\n";
    for (int i = 0; i < 68; ++i) s += std::to_string(100 + i) + ".5 " + std::to_string(200 + 2 * i) + ".25\n";
    return s + "}\n";
}

std::string parseError(const std::string& text) {
    try {
        io::parsePts(text, "x.pts");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(PtsFile, ParsesThe300WLayout) {
    const io::PtsFile f = io::parsePts(threePointFile(), "a.pts");
    ASSERT_EQ(f.points.rows(), 3);
    EXPECT_FLOAT_EQ(f.points(0, 0), 446.0f);
    EXPECT_FLOAT_EQ(f.points(0, 1), 91.0f);
    EXPECT_FLOAT_EQ(f.points(1, 0), 449.459f);
    EXPECT_FLOAT_EQ(f.points(2, 1), 150.614f);
    EXPECT_EQ(io::parsePts(file68(), "b.pts").points.rows(), 68);
}

TEST(PtsFile, ToleratesCrlfWhitespaceBlankLinesAndBom) {
    const io::Points2f expected = io::parsePts(threePointFile(), "a.pts").points;
    EXPECT_EQ(io::parsePts(threePointFile("\r\n"), "crlf.pts").points, expected);
    EXPECT_EQ(io::parsePts(threePointFile() + "\n\n  \n\r\n", "trailing.pts").points, expected);
    EXPECT_EQ(io::parsePts("\xEF\xBB\xBF" + threePointFile(), "bom.pts").points, expected);
    const std::string spaced = "\n  version :\t1  \n\tn_points:3\n {  \n  446.000\t\t91.000  \n\n449.459 119.344\n"
                               "450.957    150.614\r\n  }  \n\n";
    EXPECT_EQ(io::parsePts(spaced, "spaced.pts").points, expected);
    // No final newline.
    std::string noEol = threePointFile();
    noEol.pop_back();
    EXPECT_EQ(io::parsePts(noEol, "noeol.pts").points, expected);
    // Exponents, signs and integers are numbers too.
    const io::PtsFile g = io::parsePts("version: 1\nn_points: 2\n{\n1e2 -3\n+4.5 0.125E1\n}\n", "g.pts");
    EXPECT_FLOAT_EQ(g.points(0, 0), 100.0f);
    EXPECT_FLOAT_EQ(g.points(0, 1), -3.0f);
    EXPECT_FLOAT_EQ(g.points(1, 0), 4.5f);
    EXPECT_FLOAT_EQ(g.points(1, 1), 1.25f);
}

TEST(PtsFile, CoordinateConversionMovesByHalfAPixel) {
    // 300-W is 1-based (first pixel centre at 1.0); ours puts it at 0.5.
    io::Points2f file(2, 2);
    file << 1.0f, 1.0f, 446.0f, 91.5f;
    const io::Points2f ours = io::fromPtsCoordinates(file);
    EXPECT_FLOAT_EQ(ours(0, 0), 0.5f);
    EXPECT_FLOAT_EQ(ours(0, 1), 0.5f);
    EXPECT_FLOAT_EQ(ours(1, 0), 445.5f);
    EXPECT_FLOAT_EQ(ours(1, 1), 91.0f);
    EXPECT_EQ(io::toPtsCoordinates(ours), file);
}

TEST(PtsFile, WriteThenReadGivesTheSameFloats) {
    testutil::TempDir dir;
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-2000.0f, 2000.0f);
    io::Points2f pts(68, 2);
    for (Eigen::Index i = 0; i < pts.size(); ++i) pts.data()[i] = u(rng);
    pts(0, 0) = 0.1f;  // not exactly representable: needs the shortest round-trip text
    pts(0, 1) = -0.0f;
    pts(1, 0) = std::numeric_limits<float>::denorm_min();
    pts(1, 1) = 123456792.0f;
    const std::string path = dir.file("face.pts");
    io::writePts(path, pts);
    const io::PtsFile back = io::readPts(path);
    ASSERT_EQ(back.points.rows(), 68);
    for (Eigen::Index i = 0; i < pts.size(); ++i) EXPECT_EQ(back.points.data()[i], pts.data()[i]) << i;

    const std::string text = io::readFileText(path);
    EXPECT_EQ(text.rfind("version: 1\nn_points:  68\n{\n", 0), 0u) << text.substr(0, 40);
    EXPECT_EQ(text.substr(text.size() - 2), "}\n");
    // Atomic write: nothing but the file itself is left in the folder.
    int files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path)) ++files;
    EXPECT_EQ(files, 1);
}

TEST(PtsFile, WriteRefusesWhatCannotBeRead) {
    testutil::TempDir dir;
    io::Points2f empty(0, 2);
    EXPECT_THROW(io::writePts(dir.file("e.pts"), empty), std::invalid_argument);
    io::Points2f bad(2, 2);
    bad << 1.0f, 2.0f, std::nanf(""), 3.0f;
    EXPECT_THROW(io::writePts(dir.file("n.pts"), bad), std::invalid_argument);
    bad(1, 0) = std::numeric_limits<float>::infinity();
    EXPECT_THROW(io::formatPts(bad), std::invalid_argument);
    EXPECT_FALSE(std::filesystem::exists(dir.file("n.pts")));
}

TEST(PtsFile, ErrorsNameTheFileAndTheLineOrField) {
    const std::string missingHeader = parseError("{\n1 2\n}\n");
    EXPECT_EQ(missingHeader.rfind("x.pts: line 1: ", 0), 0u) << missingHeader;
    EXPECT_NE(missingHeader.find("version"), std::string::npos) << missingHeader;

    const std::string noVersion = parseError("n_points: 1\n{\n1 2\n}\n");
    EXPECT_EQ(noVersion.rfind("x.pts: line 2: ", 0), 0u) << noVersion;
    EXPECT_NE(noVersion.find("version"), std::string::npos) << noVersion;

    const std::string noCount = parseError("version: 1\n{\n1 2\n}\n");
    EXPECT_NE(noCount.find("n_points"), std::string::npos) << noCount;

    const std::string headerOnly = parseError("version: 1\n");
    EXPECT_EQ(headerOnly.rfind("x.pts: n_points: ", 0), 0u) << headerOnly;

    const std::string badNumber = parseError("version: 1\nn_points: 2\n{\n1 2\n3 abc\n}\n");
    EXPECT_EQ(badNumber.rfind("x.pts: line 5: ", 0), 0u) << badNumber;
    EXPECT_NE(badNumber.find("'abc'"), std::string::npos) << badNumber;

    EXPECT_NE(parseError("").find("empty file"), std::string::npos);
    EXPECT_NE(parseError(" \n\r\n").find("empty file"), std::string::npos);
}

TEST(PtsFile, RefusesMalformedFiles) {
    const char* bad[] = {
        "version: 2\nn_points: 1\n{\n1 2\n}\n",               // unknown version
        "version: 1.0\nn_points: 1\n{\n1 2\n}\n",             // version is an integer
        "version: 1\nversion: 1\nn_points: 1\n{\n1 2\n}\n",   // twice
        "version: 1\nn_points: 1\nn_points: 1\n{\n1 2\n}\n",  // twice
        "version: 1\nn_points: 1\nimage: a.png\n{\n1 2\n}\n", // unknown field
        "version: 1\nn_points: one\n{\n1 2\n}\n",
        "version: 1\nn_points: 0\n{\n}\n",
        "version: 1\nn_points: -3\n{\n1 2\n}\n",
        "version: 1\nn_points: 100001\n{\n1 2\n}\n",          // absurd
        "version: 1\nn_points: 99999999999999999999\n{\n1 2\n}\n",
        "version: 1\nn_points: 1\n1 2\n}\n",                  // missing '{'
        "version: 1\nn_points: 1\n{\n1 2\n",                  // missing '}'
        "version: 1\nn_points: 1\n{\n1 2\n}\n3 4\n",          // content after '}'
        "version: 1\nn_points: 1\n{\n1 2 3\n}\n",             // three fields
        "version: 1\nn_points: 1\n{\n1\n}\n",                 // one field
        "version: 1\nn_points: 1\n{\nnan 2\n}\n",
        "version: 1\nn_points: 1\n{\n1 inf\n}\n",
        "version: 1\nn_points: 1\n{\n1 -infinity\n}\n",
        "version: 1\nn_points: 1\n{\n1e40 2\n}\n",            // outside float range
        "version: 1\nn_points: 1\n{\n0x10 2\n}\n",
        "version: 1\nn_points: 1\n{\n1,5 2\n}\n",
        "version: 1\nn_points: 1\n{\n1 2;\n}\n",
        "version: 1\nn_points: 1\n{\n++1 2\n}\n",
        "version: 1\nn_points: 1\n{ 1 2 }\n",
        "version: 1\r n_points: 1\r{\r1 2\r}\r",              // old Mac line ends are one line
    };
    for (const char* text : bad) EXPECT_NE(parseError(text), "") << text;
}

TEST(PtsFile, RefusesLyingPointCounts) {
    const std::string more = parseError("version: 1\nn_points: 2\n{\n1 2\n3 4\n5 6\n}\n");
    EXPECT_EQ(more.rfind("x.pts: line 6: ", 0), 0u) << more;
    const std::string fewer = parseError("version: 1\nn_points: 3\n{\n1 2\n3 4\n}\n");
    EXPECT_EQ(fewer.rfind("x.pts: line 6: ", 0), 0u) << fewer;
    EXPECT_NE(fewer.find("n_points says 3 but the file lists 2"), std::string::npos) << fewer;
    // A count of 100000 on a short file fails after reading it, with no huge allocation issue.
    EXPECT_NE(parseError("version: 1\nn_points: 100000\n{\n1 2\n}\n"), "");
}

TEST(PtsFile, EveryTruncationFails) {
    // Cutting the file anywhere before its closing brace leaves a file whose
    // n_points cannot be met (or no header at all): every prefix must fail cleanly.
    const std::string full = file68();
    const std::size_t brace = full.rfind('}');
    for (std::size_t n = 0; n < brace; ++n) {
        const std::string prefix = full.substr(0, n);
        EXPECT_THROW(io::parsePts(prefix, "cut.pts"), std::runtime_error) << "prefix of " << n << " bytes";
    }
    EXPECT_EQ(io::parsePts(full.substr(0, brace + 1), "whole.pts").points.rows(), 68);
}

TEST(PtsFile, RandomByteMutationsNeverCrash) {
    const std::string full = file68();
    std::mt19937 rng(20240601);
    int refused = 0, accepted = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        std::string s = full;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits && !s.empty(); ++e) {
            const std::size_t at = rng() % s.size();
            switch (rng() % 4) {
                case 0: s[at] = static_cast<char>(rng() % 256); break;
                case 1: s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(rng() % 256)); break;
                case 2: s.erase(at, 1 + rng() % 8); break;
                default: s[at] = "0123456789.-+e \n\r\t{}:"[rng() % 22]; break;
            }
        }
        try {
            const io::PtsFile f = io::parsePts(s, "mutated.pts");
            ++accepted;
            EXPECT_GE(f.points.rows(), 1);
            EXPECT_TRUE(f.points.allFinite());
        } catch (const std::runtime_error& e) {
            ++refused;
            EXPECT_EQ(std::string(e.what()).rfind("mutated.pts: ", 0), 0u) << e.what();
        } catch (...) {
            ADD_FAILURE() << "an exception other than std::runtime_error for input #" << iter;
        }
    }
    EXPECT_GT(refused, 0);
    EXPECT_GT(accepted, 0);  // mutations inside a number still give a valid file
}

TEST(PtsFile, RefusesHugeAndMissingFiles) {
    testutil::TempDir dir;
    const std::string huge = dir.file("huge.pts");
    {
        std::ofstream out(huge, std::ios::binary);
        out << "version: 1\nn_points: 68\n{\n";
        const std::string line(1023, ' ');
        for (int i = 0; i < 17 * 1024; ++i) out << line << '\n';  // 17 MiB of blank lines
    }
    try {
        io::readPts(huge);
        ADD_FAILURE() << "a 17 MiB .pts was read";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind(huge + ": ", 0), 0u) << e.what();
        EXPECT_NE(std::string(e.what()).find("limit"), std::string::npos) << e.what();
    }
    const std::string missing = dir.file("missing.pts");
    try {
        io::readPts(missing);
        ADD_FAILURE() << "a missing file was read";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind(missing + ": ", 0), 0u) << e.what();
    }
    EXPECT_THROW(io::readPts(dir.path.string()), std::runtime_error);  // a folder
}
