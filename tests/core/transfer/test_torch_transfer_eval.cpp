// `transfer eval` on a planted translation: a copy of a dataset in which two
// samples' images are mirrored (their faces move away from the annotations,
// as a translator that "dislocates parts of the images" would do) and the
// rest are untouched. Structure drift, measured with the committed trained
// Stage I net (tests/data/cascade_net), must flag exactly the two; identity
// preservation must be 1 for the untouched samples; KID must come out for
// photos close to and far from the renders.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/dataset/image_files.h"
#include "core/dataset/sample_paths.h"
#include "core/fr/torch_fr_model.h"
#include "core/transfer/transfer.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::transfer {
namespace {

namespace fs = std::filesystem;

TEST(TransferEval, FlagsThePlantedDriftKeepsIdentityAndMeasuresKid) {
    torch::set_num_threads(2);
    testutil::TempDir dir;
    const fs::path src = dir.path / "src", moved = dir.path / "moved", photos = dir.path / "photos";
    testutil::writeTinyDataset(src, 8, 41);
    fs::copy(src, moved, fs::copy_options::recursive);
    const std::vector<std::string> names = dataset::listCompleteSamples(src.string());
    for (int i : {1, 3}) {
        const std::string path = dataset::samplePaths(moved.string(), names[static_cast<std::size_t>(i)]).image;
        cv::Mat img = dataset::readBgrImage(path);
        cv::flip(img, img, 1);
        cv::imwrite(path, img);
    }
    // Photos: the renders of another seed, darkened (another domain).
    testutil::writeTinyDataset(dir.path / "other", 8, 42);
    fs::create_directories(photos);
    for (const std::string& n : dataset::listCompleteSamples((dir.path / "other").string()))
        cv::imwrite((photos / (n + ".png")).string(),
                    dataset::readBgrImage(dataset::samplePaths((dir.path / "other").string(), n).image) * 0.4);
    // A face-recognition run: a fresh tiny backbone is enough to compare embeddings.
    torch::manual_seed(7);
    fs::create_directories(dir.path / "fr");
    fr::saveBackbone(fr::FrModel("tiny", "adaface", 0, 64, -1), (dir.path / "fr" / "final.safetensors").string());

    TransferEvalConfig c;
    c.source = src.string();
    c.translated = moved.string();
    c.stage1 = (fs::path(SYNTHFORGE_TEST_DATA_DIR) / "cascade_net").string();
    c.fr = (dir.path / "fr").string();
    c.target = photos.string();
    c.kidSubsets = 5;
    const TransferEvalResult r = evaluateTransfer(c, nullptr);

    ASSERT_TRUE(r.hasStructure && r.hasIdentity && r.hasRealism);
    EXPECT_EQ(r.structure.samples, 8);
    EXPECT_EQ(r.structure.drifted, (std::vector<std::string>{names[1], names[3]}));
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i == 1 || i == 3)
            EXPECT_GT(r.structure.nmeIncrease[i], 0.05) << names[i];
        else
            EXPECT_EQ(r.structure.nmeIncrease[i], 0.0) << names[i] << ": same pixels, same prediction";
    }
    EXPECT_GT(r.structure.translatedNme, r.structure.sourceNme);
    EXPECT_LT(r.structure.translatedMiou, r.structure.sourceMiou);
    // Six untouched samples at cosine 1, two mirrored ones below.
    EXPECT_LT(r.identity.sourceToTranslated, 1.0);
    EXPECT_GT(r.identity.sourceToTranslated, 0.5);  // (6 + two cosines) / 8
    ASSERT_EQ(r.identity.perSample.size(), 8u);
    for (std::size_t i = 0; i < 8; ++i)
        if (i != 1 && i != 3) EXPECT_NEAR(r.identity.perSample[i], 1.0, 1e-5) << names[i] << ": same pixels";
    EXPECT_LT(r.identity.perSample[1], 1.0 - 1e-4);
    EXPECT_TRUE(std::isnan(r.identity.sameIdentity)) << "no identities in an i.i.d. dataset";
    EXPECT_TRUE(std::isfinite(r.identity.differentIdentity));
    EXPECT_TRUE(std::isfinite(r.kidTranslated) && std::isfinite(r.kidSource));
    // 8 renders and 8 darkened photos: 4 + 4 held out of each.
    EXPECT_EQ(r.domainTestRows, 8);
    EXPECT_GE(r.domainTranslated, 0.0);
    EXPECT_LE(r.domainTranslated, 1.0);
    EXPECT_NE(r.features.find("fr "), std::string::npos);

    const nlohmann::json j = nlohmann::json::parse(transferEvalToJson(c, r));
    EXPECT_EQ(j["format"], "synthforge-transfer-eval");
    EXPECT_EQ(j["structure"]["drifted"].size(), 2u);
    EXPECT_EQ(j["structure"]["per_sample"].size(), 8u);
    EXPECT_TRUE(j["identity"]["same_identity"].is_null());
    EXPECT_EQ(j["identity"]["per_sample"].size(), 8u);
    EXPECT_TRUE(j["realism"]["kid_translated"]["mean"].is_number());
    EXPECT_EQ(j["realism"]["domain_classifier"]["test_rows"], 8);

    // Bad input is named.
    TransferEvalConfig bad = c;
    const fs::path partial = dir.path / "partial";
    fs::copy(moved, partial, fs::copy_options::recursive);
    fs::remove(dataset::samplePaths(partial.string(), names[5]).annotation);
    bad.translated = partial.string();
    try {
        evaluateTransfer(bad, nullptr);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("same samples"), std::string::npos) << e.what();
    }
    bad = c;
    bad.fr.clear();
    EXPECT_THROW(evaluateTransfer(bad, nullptr), std::invalid_argument);  // target without fr
    bad.target.clear();
    bad.stage1.clear();
    EXPECT_THROW(evaluateTransfer(bad, nullptr), std::invalid_argument);  // nothing to measure with
}

}  // namespace
}  // namespace synthforge::transfer
