// Stage II's landmark template (landmark_template.h,
// computeBenchmarkLandmarkTemplate): the mean landmarks of the benchmark's
// training crops, cut exactly as fine-tuning cut them.

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "core/train/landmark_template.h"
#include "core/train/torch_benchmark_data.h"

namespace synthforge::train {

LandmarkTemplate computeBenchmarkLandmarkTemplate(const std::string& dataDir, const std::string& format, int64_t size,
                                                  double margin, double valFraction) {
    const BenchmarkDataset data(dataDir, format, size, margin, valFraction);
    if (data.numLandmarks() == 0) throw std::runtime_error(dataDir + ": " + format + " has no landmarks to average");
    const std::vector<int64_t>& ids = data.trainIds();
    if (ids.empty()) throw std::runtime_error(dataDir + ": no training sample to average landmarks over");
    std::vector<Points2d> samples;
    constexpr std::size_t kChunk = 16;
    for (std::size_t b = 0; b < ids.size(); b += kChunk) {
        const std::vector<int64_t> chunk(ids.begin() + static_cast<std::ptrdiff_t>(b),
                                         ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), b + kChunk)));
        const torch::Tensor lm = data.load(chunk).landmarks.to(torch::kFloat64).contiguous();
        const auto a = lm.accessor<double, 3>();
        for (int64_t k = 0; k < lm.size(0); ++k) {
            Points2d p(lm.size(1), 2);
            for (int64_t i = 0; i < lm.size(1); ++i) p.row(i) << a[k][i][0], a[k][i][1];
            samples.push_back(std::move(p));
        }
    }
    return meanLandmarkTemplate(samples, dataDir);
}

}  // namespace synthforge::train
