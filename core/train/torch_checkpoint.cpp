// Training checkpoints (see torch_checkpoint.h).

#include "core/train/torch_checkpoint.h"

#include <torch/serialize.h>
#include <torch/serialize/archive.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace synthforge::train {

namespace {

namespace fs = std::filesystem;

/// Steps of the step_*.pt files in `dir`, ascending.
std::vector<int64_t> listSteps(const std::string& dir) {
    std::vector<int64_t> steps;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return steps;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (name.size() > 8 && name.rfind("step_", 0) == 0 && name.substr(name.size() - 3) == ".pt") {
            const std::string digits = name.substr(5, name.size() - 8);
            if (!digits.empty() && std::all_of(digits.begin(), digits.end(), ::isdigit)) steps.push_back(std::stoll(digits));
        }
    }
    std::sort(steps.begin(), steps.end());
    return steps;
}

}  // namespace

CheckpointStore::CheckpointStore(std::string dir, int64_t keep) : dir_(std::move(dir)), keep_(std::max<int64_t>(1, keep)) {}

int64_t CheckpointStore::latestStep() const {
    const auto steps = listSteps(dir_);
    return steps.empty() ? -1 : steps.back();
}

std::string CheckpointStore::pathOf(int64_t step) const {
    char name[40];
    std::snprintf(name, sizeof name, "step_%08lld.pt", static_cast<long long>(step));
    return (fs::path(dir_) / name).string();
}

std::string CheckpointStore::bestPath() const { return (fs::path(dir_) / "best.pt").string(); }

void CheckpointStore::save(const TrainState& state, torch::nn::Module& net, torch::optim::Optimizer& optimizer) const {
    fs::create_directories(dir_);
    torch::serialize::OutputArchive archive, model, optim;
    net.save(model);
    optimizer.save(optim);
    archive.write("model", model);
    archive.write("optimizer", optim);
    archive.write("step", torch::tensor(static_cast<int64_t>(state.step)));
    archive.write("best_step", torch::tensor(static_cast<int64_t>(state.bestStep)));
    archive.write("best_val_loss", torch::tensor(state.bestScore, torch::kFloat64));
    const std::string path = pathOf(state.step), tmp = path + ".tmp";
    try {
        archive.save_to(tmp);
        fs::rename(tmp, path);
        if (state.bestStep == state.step) {
            fs::copy_file(path, bestPath() + ".tmp", fs::copy_options::overwrite_existing);
            fs::rename(bestPath() + ".tmp", bestPath());
        }
    } catch (const std::exception& e) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw std::runtime_error(path + ": cannot write checkpoint (" + e.what() + ")");
    }
    const auto steps = listSteps(dir_);
    for (size_t i = 0; i + static_cast<size_t>(keep_) < steps.size(); ++i) fs::remove(pathOf(steps[i]));
}

TrainState CheckpointStore::load(int64_t step, torch::nn::Module& net, torch::optim::Optimizer& optimizer) const {
    const std::string path = pathOf(step);
    const TrainState s = loadFile(path, net, optimizer);
    if (s.step != step) throw std::runtime_error(path + ": step: holds step " + std::to_string(s.step));
    return s;
}

TrainState CheckpointStore::loadBest(torch::nn::Module& net, torch::optim::Optimizer& optimizer) const {
    return loadFile(bestPath(), net, optimizer);
}

TrainState CheckpointStore::loadFile(const std::string& path, torch::nn::Module& net,
                                     torch::optim::Optimizer& optimizer) const {
    TrainState s;
    try {
        torch::serialize::InputArchive archive, model, optim;
        archive.load_from(path);
        archive.read("model", model);
        archive.read("optimizer", optim);
        net.load(model);
        optimizer.load(optim);
        // A fresh tensor per key: read() into a defined tensor keeps that
        // tensor's dtype, which would turn the double score into int64 bits.
        const auto scalar = [&](const char* key) {
            torch::Tensor t;
            archive.read(key, t);
            return t;
        };
        s.step = scalar("step").item<int64_t>();
        s.bestStep = scalar("best_step").item<int64_t>();
        s.bestScore = scalar("best_val_loss").item<double>();
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": cannot read checkpoint (" + e.what() + ")");
    }
    return s;
}

}  // namespace synthforge::train
