// CycleGAN's pieces: the networks' layout against the authors' code, the
// image history, and the translator file.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <set>

#include "core/io/safetensors.h"
#include "core/transfer/torch_translator_file.h"
#include "core/transfer/torch_cyclegan_nets.h"
#include "core/transfer/torch_image_pool.h"
#include "core/transfer/transfer.h"
#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/python_twin.h"

namespace synthforge::transfer {
namespace {

using testutil::twin::parameterCount;

TEST(CycleGanNets, ParameterCountsAreTheAuthorsCodes) {
    // The authors' code prints "Total number of parameters : 11.378 M" for
    // the default generator (ngf 64, 9 blocks) and 2.765 M for the PatchGAN.
    ResnetGenerator g(ResnetGeneratorOptions{64, 9});
    PatchDiscriminator d(64);
    EXPECT_NEAR(static_cast<double>(parameterCount(*g)) / 1e6, 11.378, 0.0005);
    EXPECT_NEAR(static_cast<double>(parameterCount(*d)) / 1e6, 2.765, 0.0005);
}

TEST(CycleGanNets, StateDictNamesAndShapesMatchTheAuthorsCode) {
    ResnetGenerator g(ResnetGeneratorOptions{64, 9});
    const auto p = g->named_parameters();
    ASSERT_TRUE(p.contains("model.1.weight"));
    EXPECT_EQ(p["model.1.weight"].sizes(), torch::IntArrayRef({64, 3, 7, 7}));
    ASSERT_TRUE(p.contains("model.10.conv_block.1.weight"));
    EXPECT_EQ(p["model.10.conv_block.5.weight"].sizes(), torch::IntArrayRef({256, 256, 3, 3}));
    ASSERT_TRUE(p.contains("model.19.weight"));  // the first transposed conv: in x out x k x k
    EXPECT_EQ(p["model.19.weight"].sizes(), torch::IntArrayRef({256, 128, 3, 3}));
    ASSERT_TRUE(p.contains("model.26.weight"));
    EXPECT_EQ(p["model.26.weight"].sizes(), torch::IntArrayRef({3, 64, 7, 7}));
    EXPECT_TRUE(g->named_buffers().is_empty());  // instance norm keeps no statistics
    PatchDiscriminator d(64);
    const auto q = d->named_parameters();
    ASSERT_TRUE(q.contains("model.11.weight"));
    EXPECT_EQ(q["model.11.weight"].sizes(), torch::IntArrayRef({1, 512, 4, 4}));
}

TEST(CycleGanNets, ShapesAndRanges) {
    torch::manual_seed(1);
    ResnetGenerator g(ResnetGeneratorOptions{8, 2});
    initCycleGanWeights(*g);
    const torch::Tensor x = torch::rand({2, 3, 64, 64}) * 2 - 1;
    const torch::Tensor y = g->forward(x);
    EXPECT_EQ(y.sizes(), x.sizes());
    EXPECT_LE(y.abs().max().item<double>(), 1.0);
    // 70 x 70 PatchGAN: a 256 x 256 image gives 30 x 30 scores.
    PatchDiscriminator d(8);
    EXPECT_EQ(d->forward(torch::zeros({1, 3, 256, 256})).sizes(), torch::IntArrayRef({1, 1, 30, 30}));
}

TEST(CycleGanNets, InitialisationIsNormalWithStd002AndZeroBias) {
    torch::manual_seed(3);
    ResnetGenerator g(ResnetGeneratorOptions{64, 9});
    initCycleGanWeights(*g);
    const auto p = g->named_parameters();
    const torch::Tensor w = p["model.10.conv_block.1.weight"];
    EXPECT_NEAR(w.std().item<double>(), 0.02, 0.0005);
    EXPECT_NEAR(w.mean().item<double>(), 0.0, 0.0005);
    EXPECT_EQ(p["model.10.conv_block.1.bias"].abs().max().item<double>(), 0.0);
}

TEST(ImagePool, FillsThenSwapsHalfTheTime) {
    torch::manual_seed(5);
    ImagePool pool(3, 2);
    const auto image = [](float v) { return torch::full({1, 3, 2, 2}, v); };
    for (float v : {1.f, 2.f, 3.f}) EXPECT_EQ(pool->query(image(v))[0][0][0][0].item<float>(), v);
    EXPECT_EQ(pool->stored(), 3);
    int own = 0, older = 0;
    std::set<float> seen{1.f, 2.f, 3.f};
    for (int k = 0; k < 200; ++k) {
        const float v = 10.f + static_cast<float>(k);
        const float got = pool->query(image(v))[0][0][0][0].item<float>();
        if (got == v)
            ++own;
        else {
            EXPECT_TRUE(seen.count(got)) << got << " was never stored";
            ++older;
        }
        seen.insert(v);
    }
    EXPECT_EQ(pool->stored(), 3);
    EXPECT_GT(own, 70);
    EXPECT_GT(older, 70);
    // Capacity 0 passes images through.
    ImagePool none(0, 2);
    EXPECT_EQ(none->query(image(7.f))[0][1][1][1].item<float>(), 7.f);
}

TEST(ImagePool, ItsHistoryIsPartOfTheModulesState) {
    ImagePool pool(4, 2);
    pool->query(torch::full({2, 3, 2, 2}, 0.5f));
    const auto buffers = pool->named_buffers();
    ASSERT_TRUE(buffers.contains("images") && buffers.contains("count"));
    EXPECT_EQ(buffers["count"].item<int64_t>(), 2);
    EXPECT_EQ(buffers["images"][1][0][0][0].item<float>(), 0.5f);
}

TransferTrainConfig smallConfig() {
    TransferTrainConfig c;
    c.size = 64;
    c.generatorFilters = 8;
    c.residualBlocks = 2;
    return c;
}

TEST(TranslatorFile, RoundTripsAndNamesBadMetadata) {
    testutil::TempDir dir;
    const TransferTrainConfig c = smallConfig();
    torch::manual_seed(2);
    ResnetGenerator g(ResnetGeneratorOptions{c.generatorFilters, c.blocks()});
    initCycleGanWeights(*g);
    const std::string path = dir.file("g.safetensors");
    saveTranslator(*g, c, path);
    LoadedTranslator t = loadTranslator(path);
    EXPECT_EQ(t.size, 64);
    EXPECT_EQ(t.loadSize, 72);
    g->eval();
    const torch::Tensor x = torch::rand({1, 3, 32, 32});
    EXPECT_TRUE(torch::equal(g->forward(x), t.forward(x)));

    io::SafetensorsFile f = io::loadSafetensorsFile(path);
    const auto broken = [&](const std::string& key, const std::string& value) {
        io::SafetensorsFile copy = f;
        if (value.empty())
            copy.metadata.erase(key);
        else
            copy.metadata[key] = value;
        const std::string p = dir.file(key + ".safetensors");
        io::saveSafetensorsFile(p, copy);
        try {
            loadTranslator(p);
        } catch (const std::runtime_error& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(broken("format", "synthforge-fr").find("__metadata__.format"), std::string::npos);
    EXPECT_NE(broken("method", "unsb").find("__metadata__.method"), std::string::npos);
    EXPECT_NE(broken("residual_blocks", "").find("__metadata__.residual_blocks: missing"), std::string::npos);
    EXPECT_NE(broken("generator_filters", "8x").find("__metadata__.generator_filters"), std::string::npos);
    EXPECT_NE(broken("load_size", "32").find("__metadata__.load_size"), std::string::npos);  // below size
    // A generator of another shape than its metadata says: the tensor is named.
    EXPECT_NE(broken("residual_blocks", "3").find("model."), std::string::npos);
    {
        std::ofstream cut(dir.file("cut.safetensors"), std::ios::binary);
        const std::string bytes = testutil::readTextFile(path);
        cut << bytes.substr(0, bytes.size() / 2);
    }
    EXPECT_THROW(loadTranslator(dir.file("cut.safetensors")), std::runtime_error);
}

}  // namespace
}  // namespace synthforge::transfer
