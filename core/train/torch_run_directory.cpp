// Run directories shared by `train` and `finetune` (see torch_run_directory.h).

#include "core/train/torch_run_directory.h"

#include <torch/cuda.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/io/file_util.h"

namespace synthforge::train {

namespace fs = std::filesystem;

std::string formatMetric(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

torch::Device pickDevice(const std::string& name) {
    if (name == "cuda") {
        if (!torch::cuda::is_available()) throw std::invalid_argument("device: cuda requested but not available");
        return torch::kCUDA;
    }
    if (name == "auto" && torch::cuda::is_available()) return torch::kCUDA;
    return torch::kCPU;
}

RunDirectory::RunDirectory(const std::string& out, const std::string& configText, bool resume, int64_t keep,
                           bool writer)
    : out_(out), store_((fs::path(out) / "checkpoints").string(), keep) {
    const fs::path configPath = out_ / "config.json";
    if (resume) {
        if (!fs::exists(configPath)) throw std::runtime_error(configPath.string() + ": missing; nothing to resume");
        nlohmann::json stored;
        try {
            stored = nlohmann::json::parse(io::readFileText(configPath.string()));
        } catch (const nlohmann::json::exception& e) {
            throw std::runtime_error(configPath.string() + ": not valid JSON (" + e.what() + ")");
        }
        const auto now = nlohmann::json::parse(configText);
        std::string differ;
        for (const auto& [k, v] : now.items())
            if (!stored.is_object() || !stored.contains(k) || stored[k] != v) differ += (differ.empty() ? "" : ", ") + k;
        if (!differ.empty())
            throw std::runtime_error(configPath.string() + ": the run was started with other settings (" + differ + ")");
    } else if (writer) {
        if (fs::exists(configPath) || store_.latestStep() >= 0)
            throw std::runtime_error(out_.string() + ": already holds a run; pass --resume to continue it");
        fs::create_directories(out_);
        io::writeFileAtomic(configPath.string(), configText);
    }
}

void RunDirectory::restartMetrics(const std::string& header, int64_t lastStep) const {
    const fs::path path = metricsPath();
    std::string kept = header;
    if (fs::exists(path)) {
        const std::string text = io::readFileText(path.string());
        size_t pos = text.find('\n');  // skip the header
        while (pos != std::string::npos && pos + 1 < text.size()) {
            const size_t end = text.find('\n', pos + 1);
            if (end == std::string::npos) break;  // a partial last row from a killed process
            const std::string row = text.substr(pos + 1, end - pos);
            long long step = 0;
            if (std::sscanf(row.c_str(), "%lld", &step) == 1 && step <= lastStep) kept += row;
            pos = end;
        }
    }
    io::writeFileAtomic(path.string(), kept);
}

void RunDirectory::appendMetrics(const std::string& row) const {
    std::ofstream csv(metricsPath(), std::ios::app);
    csv << row << '\n';
    csv.flush();
    if (!csv) throw std::runtime_error(metricsPath().string() + ": write failed");
}

}  // namespace synthforge::train
