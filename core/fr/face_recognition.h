#pragma once
// Face recognition (docs/face_recognition.md): training an IResNet with a
// margin head on a folder-per-identity dataset, and scoring it on
// verification benchmarks. Torch-free API; the work is in torch_*.cpp.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/eval/verification.h"
#include "core/jobs/progress.h"
#include "core/train/run_config_common.h"

namespace synthforge::fr {

/// The input side of every face-recognition network here (ArcFace's 112 x 112 crops).
constexpr int64_t kFaceSize = 112;

struct FrTrainConfig : train::RunConfigCommon {
    FrTrainConfig();
    std::string preset = "tiny";    ///< tiny, ir18, ir50, ir100 (core/fr/torch_iresnet.h)
    std::string head = "adaface";   ///< adaface, arcface, cosface
    double momentum = 0.9;          ///< SGD's
    double scale = 64;              ///< the heads' s
    double margin = -1;             ///< the heads' m; < 0: the head's default (AdaFace 0.4, ArcFace 0.5, CosFace 0.35)
    /// The identity of the run as JSON (config.json), stage "fr".
    std::string toJson() const;
};

/// std::invalid_argument naming the field.
void validateFrTrainConfig(const FrTrainConfig& c);

struct FrTrainResult {
    int64_t steps = 0, resumedFrom = 0;
    int64_t identities = 0, trainImages = 0, valPairs = 0;
    double lastLoss = 0;
    double bestScore = 0;  ///< best validation accuracy (NaN without held-out identities)
    int64_t bestStep = -1;
    std::string finalWeights, bestWeights;
};

/// Trains in `c.out` (a run directory like `train`'s: config.json,
/// checkpoints, metrics.csv, events, final.safetensors; resumable). The last
/// ceil(n * valFraction) identities are held out and validate by verification
/// accuracy on pairs built from them.
FrTrainResult trainFaceRecognition(const FrTrainConfig& c, jobs::ProgressSink* progress,
                                   const jobs::CancelToken* cancel);

struct FrEvalConfig {
    std::string model;                ///< run directory of `fr train`
    std::string weights = "final";    ///< final, best or a .safetensors file
    std::vector<std::string> bins;    ///< InsightFace verification .bin files
    std::string lfwPairs;             ///< LFW pairs.txt ("" for none)
    std::string lfwImages;            ///< LFW image folder (<name>/<name>_nnnn.jpg)
    std::string identities;           ///< a folder-per-identity set to build pairs from ("" for none)
    int64_t batch = 64;
    std::string device = "auto";
    int threads = 0;
};

struct FrBenchmarkResult {
    std::string name;
    int64_t pairs = 0;
    eval::KFoldAccuracy accuracy;
    std::map<double, double> tarAtFar;  ///< FAR -> TAR at 1e-4, 1e-3, 1e-2, 1e-1
    double eer = 0;
    std::vector<eval::RocPoint> roc;
};

/// Embeds every pair's images (the sum of the image's and its mirror's
/// features, L2-normalised) and scores each benchmark.
std::vector<FrBenchmarkResult> evaluateFaceRecognition(const FrEvalConfig& c, jobs::ProgressSink* progress);
std::string frEvalToJson(const FrEvalConfig& c, const std::vector<FrBenchmarkResult>& results);

/// Verification pairs from a folder-per-identity set, deterministic: per
/// identity, consecutive images form same pairs (0,1), (2,3), ...; as many
/// different pairs join image k of identity i with image k of identity i+1.
/// Indices refer to `images` (identity-major, name order), filled here.
struct IdentityPairs {
    std::vector<std::string> images;
    std::vector<std::pair<int64_t, int64_t>> pairs;
    std::vector<bool> same;
};
IdentityPairs identityPairs(const std::vector<std::vector<std::string>>& imagesPerIdentity);

/// Embeds the images of `folder` (file-name order) with the run's network:
/// one L2-normalised, flip-fused row per image, written as float32 .npy.
int64_t embedImages(const std::string& model, const std::string& weights, const std::string& folder,
                    const std::string& outNpy, const std::string& device, int threads, jobs::ProgressSink* progress);

}  // namespace synthforge::fr
