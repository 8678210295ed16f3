// fr train from InsightFace's RecordIO: the same faces as a folder per
// identity and as train.rec/.idx train to the same weights (same labels,
// same order, same pixels), so a .rec set is a drop-in for a folder.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "core/fr/face_recognition.h"
#include "core/io/safetensors.h"
#include "tests/support/fixtures.h"
#include "tests/support/recordio_writer.h"

namespace synthforge::fr {
namespace {

namespace fs = std::filesystem;
using namespace testutil::recordio;

TEST(FrTrainRecords, ARecFileTrainsExactlyAsTheSameFolderPerIdentity) {
    testutil::TempDir dir;
    const fs::path folder = dir.path / "folder";
    Bytes rec;
    std::ofstream idx(dir.path / "train.idx");
    std::uint64_t key = 0;
    cv::RNG rng(5);
    for (int id = 0; id < 5; ++id) {
        fs::create_directories(folder / ("id" + std::to_string(id)));
        for (int k = 0; k < 4; ++k) {
            cv::Mat img(112, 112, CV_8UC3);
            rng.fill(img, cv::RNG::UNIFORM, cv::Scalar::all(0), cv::Scalar::all(255));
            img += cv::Scalar(40 * id, 0, 0);  // a per-identity tint to learn from
            std::vector<std::uint8_t> bytes;
            cv::imencode(".png", img, bytes);
            cv::imwrite((folder / ("id" + std::to_string(id)) / (std::to_string(k) + ".png")).string(), img);
            idx << key++ << '\t' << rec.size() << '\n';
            putPart(rec, imageRecord(0, {static_cast<float>(id)}, key, std::string(bytes.begin(), bytes.end())), 0);
        }
    }
    idx.close();
    writeBytes(dir.path / "train.rec", rec);

    auto train = [&](const std::string& data, const std::string& out) {
        FrTrainConfig c;
        c.data = data;
        c.out = (dir.path / out).string();
        c.preset = "tiny";
        c.epochs = 2;
        c.batch = 4;
        c.valFraction = 0.2;  // one of five identities held out
        c.checkpointEvery = 1000;
        c.device = "cpu";
        c.threads = 1;
        c.seed = 7;
        return trainFaceRecognition(c, nullptr, nullptr);
    };
    const FrTrainResult a = train(folder.string(), "run_folder");
    const FrTrainResult b = train((dir.path / "train.rec").string(), "run_rec");
    EXPECT_EQ(a.identities, 4);
    EXPECT_EQ(b.identities, 4);
    EXPECT_EQ(a.trainImages, 16);
    EXPECT_EQ(b.trainImages, 16);
    EXPECT_EQ(a.valPairs, b.valPairs);
    EXPECT_EQ(a.steps, b.steps);
    EXPECT_EQ(a.lastLoss, b.lastLoss);
    const io::SafetensorsFile wa = io::loadSafetensorsFile(a.finalWeights), wb = io::loadSafetensorsFile(b.finalWeights);
    ASSERT_EQ(wa.tensors.size(), wb.tensors.size());
    for (const auto& [name, t] : wa.tensors) EXPECT_EQ(t.data, wb.tensors.at(name).data) << name;
}

}  // namespace
}  // namespace synthforge::fr
