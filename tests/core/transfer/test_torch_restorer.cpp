// The TorchScript restorer contract through small scripted modules made by
// Debian's python3-torch: forward(image, w) -> image (or a tuple starting
// with it). w = 1 keeps a face, w = 0 turns it grey; a module of another
// signature, or a file that is not TorchScript, is refused by name; apply
// with a restorer changes only the faces and keeps the annotations' bytes.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/dataset/image_files.h"
#include "core/dataset/sample_paths.h"
#include "core/dataset/stored_sample.h"
#include "core/transfer/face_paste.h"
#include "core/transfer/torch_restorer.h"
#include "core/transfer/transfer.h"
#include "tests/support/child_process.h"
#include "tests/support/ci.h"
#include "tests/support/fixtures.h"
#include "tests/support/python_twin.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::transfer {
namespace {

namespace fs = std::filesystem;
using testutil::twin::python;

/// Scripts three modules into `dir`: scale.pt (x * w), tuple.pt ((x * w, x))
/// and one_input.pt (forward(x) only).
bool scriptModules(const fs::path& dir) {
    std::ofstream(dir / "make.py") << R"(import sys, torch
class Scale(torch.nn.Module):
    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return x * w
class Tup(torch.nn.Module):
    def forward(self, x: torch.Tensor, w: torch.Tensor):
        return (x * w, x)
class One(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x
d = sys.argv[1]
torch.jit.script(Scale()).save(d + "/scale.pt")
torch.jit.script(Tup()).save(d + "/tuple.pt")
torch.jit.script(One()).save(d + "/one_input.pt")
)";
    const std::string cmd = python() + " '" + (dir / "make.py").string() + "' '" + dir.string() + "'";
    return std::system(cmd.c_str()) == 0;
}

std::string errorOf(const std::string& path) {
    try {
        TorchScriptRestorer r(path, torch::kCPU);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "accepted";
}

TEST(Restorer, TheContractThroughScriptedModules) {
    if (std::system((python() + " -c 'import torch' >/dev/null 2>&1").c_str()) != 0)
        SYNTHFORGE_SKIP_OR_FAIL_IN_CI("python3 cannot import torch (install python3-torch)");
    testutil::TempDir dir;
    ASSERT_TRUE(scriptModules(dir.path));
    cv::Mat face(512, 512, CV_8UC3);
    cv::randu(face, 0, 256);
    TorchScriptRestorer scale(dir.file("scale.pt"), torch::kCPU);
    EXPECT_EQ(cv::norm(scale.restore(face, 1.0), face, cv::NORM_INF), 0.0);  // w = 1 keeps every byte
    EXPECT_EQ(cv::norm(scale.restore(face, 0.0), cv::Mat(512, 512, CV_8UC3, cv::Scalar(128, 128, 128)), cv::NORM_INF), 0.0);
    TorchScriptRestorer tuple(dir.file("tuple.pt"), torch::kCPU);
    EXPECT_EQ(cv::norm(tuple.restore(face, 1.0), face, cv::NORM_INF), 0.0);
    EXPECT_THROW(scale.restore(cv::Mat(256, 256, CV_8UC3), 1.0), std::invalid_argument);

    const std::string one = errorOf(dir.file("one_input.pt"));
    EXPECT_NE(one.find("one_input.pt"), std::string::npos) << one;
    EXPECT_NE(one.find("fidelity weight"), std::string::npos) << one;
    std::ofstream(dir.path / "not_a_module.pt") << "PK nonsense";
    EXPECT_NE(errorOf(dir.file("not_a_module.pt")).find("not a TorchScript module"), std::string::npos);
    EXPECT_NE(errorOf(dir.file("missing.pt")).find("not a TorchScript module"), std::string::npos);
}

TEST(Restorer, ApplyChangesTheFacesOnlyAndKeepsTheAnnotations) {
    if (std::system((python() + " -c 'import torch' >/dev/null 2>&1").c_str()) != 0)
        SYNTHFORGE_SKIP_OR_FAIL_IN_CI("python3 cannot import torch (install python3-torch)");
    torch::set_num_threads(2);
    testutil::TempDir dir;
    ASSERT_TRUE(scriptModules(dir.path));
    testutil::writeTinyDataset(dir.path / "ds", 3, 17);
    TransferApplyConfig c;
    c.restorer = dir.file("scale.pt");
    c.fidelity = 0.0;  // a "restorer" that paints every face grey
    c.data = (dir.path / "ds").string();
    c.out = (dir.path / "restored").string();
    const TransferApplyResult r = applyTransfer(c, nullptr, nullptr);
    EXPECT_EQ(r.written, 3);
    EXPECT_TRUE(r.complete);
    for (const std::string& n : dataset::listCompleteSamples(c.data)) {
        const auto src = dataset::samplePaths(c.data, n), dst = dataset::samplePaths(c.out, n);
        EXPECT_EQ(testutil::readTextFile(src.annotation), testutil::readTextFile(dst.annotation));
        const cv::Mat before = dataset::readBgrImage(src.image), after = dataset::readBgrImage(dst.image);
        // The nose tip is grey now; what lies outside the FFHQ square (our
        // renders are framed tightly, so often nothing) is not touched.
        const dataset::StoredSample ann = dataset::readStoredAnnotation(c.data, n, before.size());
        const cv::Point nose(static_cast<int>(ann.landmarks(30, 0)), static_cast<int>(ann.landmarks(30, 1)));
        EXPECT_EQ(after.at<cv::Vec3b>(nose), cv::Vec3b(128, 128, 128)) << n;
        const camera::Similarity2d s = ffhqAlignTransform(ann.landmarks, 512);
        for (int y = 0; y < before.rows; ++y)
            for (int x = 0; x < before.cols; ++x) {
                const Eigen::Vector2d q = s.apply(Eigen::Vector2d(x + 0.5, y + 0.5));
                if (q.x() < -16 || q.y() < -16 || q.x() > 528 || q.y() > 528)
                    ASSERT_EQ(after.at<cv::Vec3b>(y, x), before.at<cv::Vec3b>(y, x)) << n << " at " << x << ", " << y;
            }
    }
    const nlohmann::json m = nlohmann::json::parse(testutil::readTextFile(fs::path(c.out) / "manifest.json"));
    EXPECT_EQ(m["transfer"]["method"], "restorer");
    EXPECT_EQ(m["transfer"]["restorer_hash"].get<std::string>().size(), 16u);
    // A run and a restorer at once, or neither, is refused.
    c.model = c.data;
    c.out = (dir.path / "other").string();
    EXPECT_THROW(applyTransfer(c, nullptr, nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace synthforge::transfer
