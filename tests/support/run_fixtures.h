#pragma once
// Helpers for tests of training runs (Stage I and Stage II): a fresh Stage I
// weights file, a column of metrics.csv, the images of a run's TensorBoard
// event files, and a progress sink that cancels the run after its first step.
// Torch appears here, so only test_torch_*.cpp files include it.

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/io/tensorboard_reader.h"
#include "core/jobs/progress.h"
#include "core/train/torch_multitask_net.h"
#include "core/train/torch_weights.h"
#include "tests/support/child_process.h"  // readTextFile

namespace synthforge::testutil {

/// A fresh `small` Stage I net (19 classes) with BN statistics from one
/// batch, so that its eval-mode outputs carry signal, saved to `path`.
inline void writeFreshStageOne(const std::filesystem::path& path) {
    torch::manual_seed(1);
    train::MultiTaskNet net(train::MultiTaskNetOptions(19).preset("small"));
    for (const auto& m : net->modules(false))
        if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) bn->options.momentum(1.0);
    net->train();
    {
        torch::NoGradGuard noGrad;
        net->forward(torch::rand({4, 3, 64, 64}) * 2 - 1);
    }
    train::saveMultiTaskNet(net, path.string());
}

/// Column `col` (0-based) of a metrics.csv, header skipped, as numbers.
inline std::vector<double> metricsColumn(const std::filesystem::path& csv, int col) {
    std::istringstream in(readTextFile(csv));
    std::string line;
    std::getline(in, line);
    std::vector<double> v;
    while (std::getline(in, line)) {
        std::istringstream row(line);
        std::string cell;
        for (int i = 0; i <= col; ++i) std::getline(row, cell, ',');
        v.push_back(std::stod(cell));
    }
    return v;
}

/// The images of every TensorBoard event file in `runDir`.
inline std::vector<io::TbImage> eventImages(const std::filesystem::path& runDir) {
    std::vector<io::TbImage> images;
    for (const auto& f : std::filesystem::directory_iterator(runDir))
        if (f.path().filename().string().find("tfevents") != std::string::npos) {
            const auto file = io::readTensorBoardFile(f.path().string());
            images.insert(images.end(), file.images.begin(), file.images.end());
        }
    return images;
}

/// Cancels its token at the first progress update (sent after step 1), so a
/// trainer stops after step 2 with a checkpoint of it.
struct CancelAtFirstUpdate : jobs::ProgressSink {
    jobs::CancelToken* token;
    explicit CancelAtFirstUpdate(jobs::CancelToken* t) : token(t) {}
    void update(const jobs::ProgressUpdate&) override { token->cancel(); }
};

}  // namespace synthforge::testutil
