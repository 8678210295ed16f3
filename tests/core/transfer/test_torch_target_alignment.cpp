// Framing unaligned photos like our renders: "photos" are renders of
// another seed moved by known similarities onto a larger canvas; the
// committed Stage I network predicts their landmarks and each photo is
// warped onto the source dataset's mean landmarks. The alignment found is
// compared with the one the exact landmarks would give, a second call reuses
// the first's work, and a transfer run trains on the aligned photos.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <random>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/dataset/sample_paths.h"
#include "core/dataset/stored_sample.h"
#include "core/io/file_util.h"
#include "core/transfer/target_alignment.h"
#include "core/transfer/transfer.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::transfer {
namespace {

namespace fs = std::filesystem;

const std::string kRun = (fs::path(SYNTHFORGE_TEST_DATA_DIR) / "cascade_net").string();

struct Photo {
    std::string path;
    camera::Points2d landmarks;  ///< exact, in the photo's pixels
};

/// Renders of `seed` placed on 96 x 80 canvases by random similarities.
std::vector<Photo> writePhotos(const fs::path& dir, const fs::path& renders) {
    fs::create_directories(dir);
    std::mt19937 rng(17);
    std::uniform_real_distribution<double> scale(0.85, 1.2), angle(-0.25, 0.25), shift(-6, 6);
    std::vector<Photo> out;
    for (const std::string& name : dataset::listCompleteSamples(renders.string())) {
        dataset::StoredSampleRead what;
        what.segmentation = what.depth = what.normals = false;
        const dataset::StoredSample s = dataset::readStoredSample(renders.string(), name, what);
        const double k = scale(rng), t = angle(rng);
        camera::Similarity2d m{k * std::cos(t), k * std::sin(t), 0, 0};
        // Centre of the render to the canvas centre, then a shift.
        const Eigen::Vector2d c = m.apply(Eigen::Vector2d(32, 32));
        m.tx = 48 - c.x() + shift(rng);
        m.ty = 40 - c.y() + shift(rng);
        const cv::Mat affine = (cv::Mat_<double>(2, 3) << m.a, -m.b, m.tx + 0.5 * (m.a - m.b) - 0.5, m.b, m.a,
                                m.ty + 0.5 * (m.a + m.b) - 0.5);
        cv::Mat photo;
        cv::warpAffine(s.image, photo, affine, cv::Size(96, 80), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        Photo p{(dir / ("p" + name + ".png")).string(), m.apply(camera::Points2d(s.landmarks.cast<double>()))};
        cv::imwrite(p.path, photo);
        out.push_back(p);
    }
    return out;
}

TEST(TargetAlignment, PhotosLandOnTheRendersMeanLandmarks) {
    torch::set_num_threads(2);
    testutil::TempDir dir;
    testutil::writeTinyDataset(dir.path / "ds", 12, 3);
    testutil::writeTinyDataset(dir.path / "other", 6, 8);
    const std::vector<Photo> photos = writePhotos(dir.path / "photos", dir.path / "other");
    const LandmarkFrame frame = meanLandmarkFrame((dir.path / "ds").string());
    EXPECT_EQ(frame.width, 64);
    std::vector<std::string> paths;
    for (const Photo& p : photos) paths.push_back(p.path);

    const fs::path out = dir.path / "aligned";
    const std::vector<std::string> aligned = alignTargetPhotos(paths, kRun, frame, out.string(), "cpu", nullptr);
    ASSERT_EQ(aligned.size(), photos.size());
    const nlohmann::json record = nlohmann::json::parse(io::readFileText((out / "alignment.json").string()));
    double found = 0, unaligned = 0;
    for (std::size_t i = 0; i < photos.size(); ++i) {
        const cv::Mat img = cv::imread(aligned[i]);
        ASSERT_EQ(img.size(), cv::Size(64, 64));
        const auto& v = record["aligned"][i]["similarity"];
        const camera::Similarity2d s{v[0].get<double>(), v[1].get<double>(), v[2].get<double>(), v[3].get<double>()};
        // What the exact landmarks would have given, over the same 51 points.
        const camera::Similarity2d oracle = alignmentToFrame(photos[i].landmarks, frame);
        const camera::Points2d ours = s.apply(photos[i].landmarks), best = oracle.apply(photos[i].landmarks);
        found += (ours - best).rowwise().norm().mean();
        unaligned += (photos[i].landmarks - best).rowwise().norm().mean();
    }
    found /= static_cast<double>(photos.size());
    unaligned /= static_cast<double>(photos.size());
    std::cout << "aligned landmarks from the exact alignment: " << found << " px (unaligned " << unaligned << " px)\n";
    EXPECT_LT(found, 2.5);  // a 64-pixel frame: 4 % of its side
    EXPECT_GT(unaligned, 10.0);

    // The same photos by the same run: kept, not aligned again.
    const auto before = fs::last_write_time(out / "alignment.json");
    EXPECT_EQ(alignTargetPhotos(paths, kRun, frame, out.string(), "cpu", nullptr), aligned);
    EXPECT_EQ(fs::last_write_time(out / "alignment.json"), before);
    // A damaged record is not trusted: the photos are aligned again.
    io::writeFileAtomic((out / "alignment.json").string(), "{\"format\": \"synthforge-target-al");
    EXPECT_EQ(alignTargetPhotos(paths, kRun, frame, out.string(), "cpu", nullptr), aligned);
    EXPECT_EQ(nlohmann::json::parse(io::readFileText((out / "alignment.json").string()))["aligned"].size(), photos.size());

    // A transfer run on the photos, aligned inside its folder.
    TransferTrainConfig c;
    c.data = (dir.path / "ds").string();
    c.target = (dir.path / "photos").string();
    c.targetAlign = kRun;
    c.out = (dir.path / "run").string();
    c.size = 64;
    c.generatorFilters = c.discriminatorFilters = 8;
    c.residualBlocks = 1;
    c.batch = 2;
    c.epochs = 1;
    c.threads = 1;
    c.device = "cpu";
    const TransferTrainResult r = trainTransfer(c, nullptr, nullptr);
    EXPECT_EQ(r.targetImages, 6);
    EXPECT_TRUE(fs::exists(dir.path / "run" / "aligned_target" / "alignment.json"));
    EXPECT_NE(io::readFileText((dir.path / "run" / "config.json").string()).find("\"target_align\""), std::string::npos);
}

TEST(TargetAlignment, BadInputIsRefused) {
    LandmarkFrame frame;
    frame.mean = camera::Points2d::Zero(68, 2);
    EXPECT_THROW(alignmentToFrame(camera::Points2d::Zero(5, 2), frame), std::invalid_argument);
    EXPECT_THROW(meanLandmarkFrame("/no/such/dataset"), std::runtime_error);
    testutil::TempDir dir;
    fs::create_directories(dir.path / "empty_run");
    EXPECT_THROW(alignTargetPhotos({(dir.path / "x.png").string()}, (dir.path / "empty_run").string(), frame,
                                   (dir.path / "out").string(), "cpu", nullptr),
                 std::runtime_error);
}

}  // namespace
}  // namespace synthforge::transfer
