// The landmark template (core/train/landmark_template.h): the mean of a
// generated dataset's normalised landmarks, the file's round trip, and
// truncated, corrupt and hostile files.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/dataset/sample_paths.h"
#include "core/dataset/stored_sample.h"
#include "core/io/file_util.h"
#include "core/train/landmark_template.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::train {
namespace {

namespace fs = std::filesystem;

TEST(LandmarkTemplate, MeanOfADatasetsNormalisedLandmarks) {
    testutil::TempDir dir;
    const fs::path ds = dir.path / "ds";
    testutil::writeTinyDataset(ds, 5, 3);
    const LandmarkTemplate t = computeLandmarkTemplate(ds.string());
    ASSERT_EQ(t.points.rows(), 68);
    EXPECT_EQ(t.samples, 5);
    EXPECT_EQ(t.source, ds.string());
    // By hand: 2p/64 - 1 averaged over the five annotations.
    Points2d sum = Points2d::Zero(68, 2);
    for (const std::string& name : dataset::listCompleteSamples(ds.string()))
        sum += (dataset::readStoredSample(ds.string(), name).landmarks.cast<double>().array() * (2.0 / 64) - 1.0).matrix();
    EXPECT_LT((t.points - sum / 5.0).cwiseAbs().maxCoeff(), 1e-12);
    // A face sits inside the crop.
    EXPECT_LT(t.points.cwiseAbs().maxCoeff(), 1.0);

    // Round trip through RUN/landmark_template.json.
    const fs::path run = dir.path / "run";
    fs::create_directories(run);
    writeLandmarkTemplate(run.string(), t);
    const LandmarkTemplate back = readLandmarkTemplate(run.string());
    EXPECT_LT((back.points - t.points).cwiseAbs().maxCoeff(), 1e-15);
    EXPECT_EQ(back.samples, 5);
    EXPECT_EQ(back.source, t.source);

    // A folder without a dataset, or one with a corrupt annotation, is an error naming it.
    fs::create_directories(dir.path / "empty");
    EXPECT_THROW(computeLandmarkTemplate((dir.path / "empty").string()), std::runtime_error);
    io::writeFileAtomic(dataset::samplePaths(ds.string(), "000002").annotation, std::string("{\"2d_kps\": [[1, 2], [3"));
    try {
        computeLandmarkTemplate(ds.string());
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("000002"), std::string::npos) << e.what();
    }
}

TEST(LandmarkTemplate, MeanOfSamplesAndWriteChecks) {
    Points2d a(2, 2), b(2, 2);
    a << 0, 0, 1, 1;
    b << 0.5, -0.5, 0, 0;
    const LandmarkTemplate t = meanLandmarkTemplate({a, b}, "here");
    EXPECT_DOUBLE_EQ(t.points(0, 0), 0.25);
    EXPECT_DOUBLE_EQ(t.points(0, 1), -0.25);
    EXPECT_DOUBLE_EQ(t.points(1, 0), 0.5);
    EXPECT_EQ(t.samples, 2);
    EXPECT_THROW(meanLandmarkTemplate({}, ""), std::invalid_argument);
    EXPECT_THROW(meanLandmarkTemplate({a, Points2d::Zero(3, 2)}, ""), std::invalid_argument);

    testutil::TempDir dir;
    LandmarkTemplate bad = t;
    bad.points(1, 1) = NAN;
    EXPECT_THROW(writeLandmarkTemplate(dir.path.string(), bad), std::invalid_argument);
    bad.points = Points2d::Zero(1, 2);
    EXPECT_THROW(writeLandmarkTemplate(dir.path.string(), bad), std::invalid_argument);
    EXPECT_FALSE(fs::exists(landmarkTemplatePath(dir.path.string())));
}

/// parseLandmarkTemplate's error for `text`, or "" when it parses.
std::string parseError(const std::string& text) {
    try {
        parseLandmarkTemplate(text, "t.json");
        return "";
    } catch (const std::runtime_error& e) {
        return e.what();
    }
}

TEST(LandmarkTemplate, RefusesTruncatedCorruptAndHostileFiles) {
    const std::string good = R"({"format": "synthforge-landmark-template", "version": 1, "convention": "normalised",
        "num_landmarks": 3, "samples": 4, "source": "x", "points": [[0, 0], [0.5, -0.25], [-1, 1]]})";
    EXPECT_EQ(parseError(good), "");
    const LandmarkTemplate t = parseLandmarkTemplate(good, "t.json");
    EXPECT_DOUBLE_EQ(t.points(1, 1), -0.25);

    // Every prefix of the file (a truncated write) is refused with the file named.
    for (std::size_t n = 0; n < good.size() - 1; n += 7) {
        const std::string e = parseError(good.substr(0, n));
        EXPECT_EQ(e.rfind("t.json: ", 0), 0u) << n << ": " << e;
    }
    const std::pair<const char*, const char*> cases[] = {
        {"[1, 2]", "not a JSON object"},
        {R"({"version": 1, "num_landmarks": 2, "points": [[0,0],[1,1]]})", "format: missing"},
        {R"({"format": "other", "version": 1, "num_landmarks": 2, "points": [[0,0],[1,1]]})", "format"},
        {R"({"format": "synthforge-landmark-template", "version": 2, "num_landmarks": 2, "points": [[0,0],[1,1]]})", "newer"},
        {R"({"format": "synthforge-landmark-template", "version": "1", "num_landmarks": 2, "points": [[0,0],[1,1]]})", "version"},
        {R"({"format": "synthforge-landmark-template", "version": 1, "convention": "pixels", "num_landmarks": 2, "points": [[0,0],[1,1]]})", "convention"},
        {R"({"format": "synthforge-landmark-template", "version": 1, "num_landmarks": 3, "points": [[0,0],[1,1]]})", "points"},
        {R"({"format": "synthforge-landmark-template", "version": 1, "num_landmarks": 1, "points": [[0,0]]})", "num_landmarks"},
        {R"({"format": "synthforge-landmark-template", "version": 1, "num_landmarks": 99999999999, "points": []})", "num_landmarks"},
        {R"({"format": "synthforge-landmark-template", "version": 1, "num_landmarks": 2, "points": [[0,0],[1]]})", "points[1]"},
        {R"({"format": "synthforge-landmark-template", "version": 1, "num_landmarks": 2, "points": [[0,0],["1", 2]]})", "points[1]"},
        {R"({"format": "synthforge-landmark-template", "version": 1, "num_landmarks": 2, "points": [[0,0],[1e300, 2]]})", "points[1]"},
        {R"({"format": "synthforge-landmark-template", "version": 1, "num_landmarks": 2, "points": [[0,0],[1e999, 2]]})", "t.json"},
        {R"({"format": "synthforge-landmark-template", "version": 1, "num_landmarks": 2, "points": [[0.5,0.5],[0.5,0.5]]})", "coincide"},
        {R"({"format": "synthforge-landmark-template", "version": 1, "num_landmarks": 2, "samples": -1, "points": [[0,0],[1,1]]})", "samples"},
        {R"({"format": "synthforge-landmark-template", "version": 1, "num_landmarks": 2, "source": 5, "points": [[0,0],[1,1]]})", "source"},
        {"\xff\xfe garbage", "not valid JSON"},
    };
    for (const auto& [text, expect] : cases) {
        const std::string e = parseError(text);
        EXPECT_NE(e.find(expect), std::string::npos) << text << " -> " << e;
        EXPECT_EQ(e.rfind("t.json", 0), 0u) << e;
    }

    testutil::TempDir dir;
    EXPECT_THROW(readLandmarkTemplate(dir.path.string()), std::runtime_error);  // missing
    {
        // Oversized: refused before reading.
        std::ofstream f(landmarkTemplatePath(dir.path.string()), std::ios::binary);
        f.seekp(static_cast<std::streamoff>(kMaxLandmarkTemplateBytes) + 10);
        f.put('x');
    }
    try {
        readLandmarkTemplate(dir.path.string());
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("too large"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace synthforge::train
