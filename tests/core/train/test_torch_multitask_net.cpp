// The Stage I network: output shapes for both presets, the state_dict names
// that the Python twin relies on, the .safetensors round trip, and parity
// with tools/synthforge_nets.py (Debian's python3-torch) within 1e-4.

#include <map>

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/io/npy.h"
#include "core/train/torch_multitask_net.h"
#include "core/train/torch_weights.h"
#include "tests/support/ci.h"
#include "tests/support/python_twin.h"

using namespace synthforge;
using namespace synthforge::train;
using namespace synthforge::testutil::twin;
namespace fs = std::filesystem;

namespace {

fs::path tempDir(const std::string& name) {
    const auto dir = fs::temp_directory_path() / ("synthforge_test_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

/// A small net whose batch-norm statistics are not the defaults (a few
/// training-mode passes), so that eval-mode outputs exercise every buffer.
MultiTaskNet trainedSmallNet(int64_t classes) {
    torch::manual_seed(7);
    MultiTaskNet net(MultiTaskNetOptions(classes).preset("small"));
    net->train();
    torch::NoGradGuard noGrad;
    for (int i = 0; i < 3; ++i) net->forward(torch::randn({2, 3, 64, 64}));
    net->eval();
    return net;
}

}  // namespace

TEST(MultiTaskNet, SmallPresetOutputShapes) {
    torch::manual_seed(0);
    MultiTaskNet net(MultiTaskNetOptions(19).preset("small"));
    const auto out = net->forward(torch::randn({2, 3, 64, 64}));
    EXPECT_EQ(out.features.sizes(), (std::vector<int64_t>{2, 16, 64, 64}));
    EXPECT_EQ(out.segmentation.sizes(), (std::vector<int64_t>{2, 19, 64, 64}));
    EXPECT_EQ(out.depth.sizes(), (std::vector<int64_t>{2, 1, 64, 64}));
    EXPECT_EQ(out.heatmaps.sizes(), (std::vector<int64_t>{2, 2, 68, 16, 16}));
    EXPECT_EQ(out.landmarks.sizes(), (std::vector<int64_t>{2, 68, 2}));
    // Soft-argmax is a convex combination of pixel centres.
    EXPECT_LE(out.landmarks.abs().max().item<double>(), 1.0);
}

TEST(MultiTaskNet, ReferencePresetFollowsThePaper) {
    MultiTaskNetOptions o(11);
    o.preset("reference");
    EXPECT_EQ(o.backboneWidths(), (std::vector<int64_t>{64, 128, 256, 512, 512}));
    EXPECT_EQ(o.featureChannels(), 64);
    EXPECT_EQ(o.keypointStacks(), 2);
    EXPECT_EQ(o.keypointLevels(), 4);
    EXPECT_EQ(o.keypointChannels(), 64);
    MultiTaskNet net(o);
    int64_t count = 0;
    for (const auto& p : net->parameters()) count += p.numel();
    // The count of tools/synthforge_nets.py's MultiTaskNet(11, "reference").
    EXPECT_EQ(count, 52'335'764);
    net->eval();
    torch::NoGradGuard noGrad;
    const auto out = net->forward(torch::randn({1, 3, 64, 64}));
    EXPECT_EQ(out.heatmaps.sizes(), (std::vector<int64_t>{1, 2, 68, 16, 16}));
    EXPECT_EQ(out.segmentation.sizes(), (std::vector<int64_t>{1, 11, 64, 64}));
}

TEST(MultiTaskNet, OptionsValidateAndRoundTripThroughMetadata) {
    EXPECT_THROW(MultiTaskNetOptions(3).preset("huge"), std::invalid_argument);
    EXPECT_THROW(MultiTaskNet(MultiTaskNetOptions(0).preset("small")), std::invalid_argument);
    auto o = MultiTaskNetOptions(5).preset("small").keypointStacks(3);
    const auto back = MultiTaskNetOptions::fromMetadata(o.toMetadata(), "x");
    EXPECT_EQ(back.toMetadata(), o.toMetadata());
    auto m = o.toMetadata();
    m["head_widths"] = "8,x";
    EXPECT_THROW(MultiTaskNetOptions::fromMetadata(m, "x"), std::runtime_error);
}

TEST(MultiTaskNet, StateDictNamesArePyTorchs) {
    MultiTaskNet net(MultiTaskNetOptions(3).preset("small"));
    const auto file = stateDictToSafetensors(*net);
    for (const char* name : {"backbone.stem.0.weight", "backbone.stem.1.running_var", "backbone.down.0.1.weight",
                             "backbone.up.3.4.num_batches_tracked", "backbone.head.bias", "segmentation.head.weight",
                             "depth.head.weight", "keypoints.stem.3.body.2.weight",
                             "keypoints.hourglasses.1.skip.3.body.8.bias", "keypoints.hourglasses.0.bottom.body.0.weight",
                             "keypoints.merge_heatmaps.0.weight", "keypoints.heads.1.bias"})
        EXPECT_TRUE(file.tensors.count(name)) << name;
    EXPECT_EQ(file.tensors.at("backbone.stem.1.num_batches_tracked").dtype, io::DType::I64);
    EXPECT_TRUE(file.tensors.at("backbone.stem.1.num_batches_tracked").shape.empty());
    EXPECT_EQ(file.tensors.at("segmentation.head.weight").shape, (std::vector<int64_t>{3, 8, 1, 1}));
    EXPECT_FALSE(file.tensors.count("keypoints.merge_heatmaps.1.weight"));  // none after the last stack
}

TEST(MultiTaskNet, SafetensorsRoundTripGivesIdenticalOutputs) {
    const auto dir = tempDir("weights");
    auto net = trainedSmallNet(4);
    const auto path = (dir / "net.safetensors").string();
    saveMultiTaskNet(net, path);
    auto loaded = loadMultiTaskNet(path);
    loaded->eval();
    EXPECT_EQ(loaded->options.toMetadata(), net->options.toMetadata());
    torch::NoGradGuard noGrad;
    const auto x = torch::randn({1, 3, 64, 64});
    const auto a = net->forward(x), b = loaded->forward(x);
    EXPECT_TRUE(torch::equal(a.segmentation, b.segmentation));
    EXPECT_TRUE(torch::equal(a.depth, b.depth));
    EXPECT_TRUE(torch::equal(a.heatmaps, b.heatmaps));
    EXPECT_TRUE(torch::equal(a.landmarks, b.landmarks));

    // A network of another shape refuses the file, naming it and the tensor.
    MultiTaskNet other(MultiTaskNetOptions(5).preset("small"));
    const auto before = other->segmentation->head->weight.clone();
    try {
        loadStateDict(*other, io::loadSafetensorsFile(path), path);
        FAIL() << "expected a shape mismatch";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("segmentation.head"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(torch::equal(before, other->segmentation->head->weight));  // untouched
    fs::remove_all(dir);
}

TEST(MultiTaskNet, HalfPrecisionWeightsLoadConvertedOtherTypesAreRefused) {
    MultiTaskNet net(MultiTaskNetOptions(3).preset("small"));
    auto file = stateDictToSafetensors(*net);
    // Every floating tensor rewritten as F16, as `model.half().state_dict()` saves it.
    std::map<std::string, torch::Tensor> halves;
    for (auto& [name, a] : file.tensors) {
        if (a.dtype != io::DType::F32) continue;
        const auto h = torch::from_blob(a.data.data(), std::vector<int64_t>(a.shape.begin(), a.shape.end()),
                                        torch::kFloat32).to(torch::kFloat16).contiguous();
        halves[name] = h.to(torch::kFloat32);
        a.dtype = io::DType::F16;
        a.data.assign(static_cast<const std::uint8_t*>(h.data_ptr()),
                      static_cast<const std::uint8_t*>(h.data_ptr()) + h.numel() * 2);
    }
    ASSERT_FALSE(halves.empty());
    MultiTaskNet loaded(MultiTaskNetOptions(3).preset("small"));
    loadStateDict(*loaded, file, "half.safetensors");
    for (const auto& p : loaded->named_parameters(true)) {
        ASSERT_TRUE(halves.count(p.key())) << p.key();
        EXPECT_EQ(p.value().scalar_type(), torch::kFloat32) << p.key();
        EXPECT_TRUE(torch::equal(p.value(), halves.at(p.key()))) << p.key();
    }
    // A changed weight really arrived (not a coincidence of fresh init).
    EXPECT_FALSE(torch::equal(loaded->segmentation->head->weight,
                              MultiTaskNet(MultiTaskNetOptions(3).preset("small"))->segmentation->head->weight));

    // Integer storage for a float tensor, and F16 for an integer buffer, are refused by name.
    auto bad = file;
    bad.tensors.at("segmentation.head.bias").dtype = io::DType::I16;
    try {
        loadStateDict(*loaded, bad, "bad.safetensors");
        FAIL() << "expected a dtype error";
    } catch (const std::runtime_error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("bad.safetensors"), std::string::npos) << m;
        EXPECT_NE(m.find("segmentation.head.bias"), std::string::npos) << m;
        EXPECT_NE(m.find("I16"), std::string::npos) << m;
    }
    bad = file;
    auto& counter = bad.tensors.at("backbone.stem.1.num_batches_tracked");
    counter.dtype = io::DType::F16;
    counter.data.resize(2);
    EXPECT_THROW(loadStateDict(*loaded, bad, "bad.safetensors"), std::runtime_error);
}

TEST(MultiTaskNet, PythonTwinAgreesWithin1e4) {
    if (std::system((python() + " -c 'import torch' >/dev/null 2>&1").c_str()) != 0)
        SYNTHFORGE_SKIP_OR_FAIL_IN_CI("python3 cannot import torch (install python3-torch)");
    const auto dir = tempDir("parity");
    auto net = trainedSmallNet(7);
    saveMultiTaskNet(net, (dir / "net.safetensors").string());
    torch::manual_seed(3);
    auto x = torch::randn({2, 3, 64, 64}).contiguous();
    std::vector<float> xs(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
    io::saveNpyFile((dir / "input.npy").string(), io::NdArray::fromFloat(xs, {2, 3, 64, 64}));

    const auto script = toolScript("synthforge_nets.py");
    const std::string cmd = python() + " '" + script.string() + "' run --weights '" +
                            (dir / "net.safetensors").string() + "' --input '" + (dir / "input.npy").string() +
                            "' --out '" + (dir / "py").string() + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

    torch::NoGradGuard noGrad;
    const auto out = net->forward(x);
    const std::pair<const char*, torch::Tensor> outputs[] = {{"features", out.features},
                                                             {"segmentation", out.segmentation},
                                                             {"depth", out.depth},
                                                             {"heatmaps", out.heatmaps},
                                                             {"landmarks", out.landmarks}};
    for (const auto& [name, cpp] : outputs) {
        const auto py = npyToTensor(dir / "py" / (std::string(name) + ".npy"));
        ASSERT_EQ(py.sizes(), cpp.sizes()) << name;
        EXPECT_LT(maxAbsDiff(py, cpp), 1e-4) << name;
    }
    fs::remove_all(dir);
}
