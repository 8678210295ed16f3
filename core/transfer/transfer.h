#pragma once
// Realism transfer (docs/transfer.md): unpaired image-to-image translation
// of our rendered faces towards real photos, trained as a run like
// `train`'s, and applied to a dataset without touching its annotations.
// Torch-free API; the work is in torch_*.cpp.

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/jobs/progress.h"
#include "core/train/run_config_common.h"

namespace synthforge::transfer {

/// The translators `transfer train --method` knows: cyclegan, cut, fastcut, vsait.
bool isKnownTransferMethod(const std::string& method);
/// cut and fastcut (one generator, PatchNCE).
bool isCutMethod(const std::string& method);
/// The methods whose translator is CUT's anti-aliased generator: cut,
/// fastcut and vsait (VSAIT's own generator also blurs around its stride-2
/// steps; ours is CUT's, docs/transfer.md).
bool usesCutGenerator(const std::string& method);

struct TransferTrainConfig : train::RunConfigCommon {
    TransferTrainConfig();
    std::string method = "cyclegan";
    std::string target;             ///< folder of real face images (the "B" domain); `data` is our dataset ("A")
    /// A landmark run (`train`, or `finetune` on 300W) that frames the
    /// photos like our renders first (target_alignment.h); "" = the photos
    /// are already aligned and cropped like the renders.
    std::string targetAlign;
    int64_t generatorFilters = 64;  ///< ngf
    int64_t discriminatorFilters = 64;  ///< ndf
    int64_t residualBlocks = 0;     ///< 0: CycleGAN's choice (9 at a crop of 256 or more, else 6); CUT's 9
    double lambdaCycle = 10;        ///< weight of each cycle-consistency L1
    double lambdaIdentity = 0.5;    ///< identity L1 weight, as a fraction of lambdaCycle
    int64_t poolSize = 50;          ///< history of generated images the discriminators see (0: none)
    /// Images are resized so that their side is size * loadScale, then a
    /// random size x size crop is taken (CycleGAN's 286 -> 256).
    double loadScale = 286.0 / 256.0;
    double discriminatorLrScale = 1;  ///< the discriminators' rate over the generators'
    // CUT and FastCUT (Park et al. 2020; the authors' defaults).
    double lambdaGan = 1;                      ///< weight of the generator's GAN loss
    double lambdaNce = -1;                     ///< PatchNCE weight; < 0: CUT 1, FastCUT 10
    int nceIdentity = -1;                      ///< PatchNCE on real B -> G(B) too; -1: CUT yes, FastCUT no
    int flipEquivariance = -1;                 ///< flip the input half the time; -1: CUT no, FastCUT yes
    std::vector<int64_t> nceLayers{0, 4, 8, 12, 16};  ///< generator layers PatchNCE taps
    int64_t ncePatches = 256;                  ///< sampled positions per layer
    double nceTemperature = 0.07;              ///< tau
    int64_t nceFeatures = 256;                 ///< the projection MLPs' width

    /// The label-aware structure term (ours, off by default): a frozen Stage I
    /// run predicts segmentation and landmarks on the translations of the
    /// (unaugmented) source batch, and their cross-entropy and landmark L2
    /// against the source's exact annotations, times this weight, join the
    /// generator's loss. 0 = off, as the anchors' recipes.
    double lambdaStructure = 0;
    std::string structureRun;  ///< the Stage I run directory (its final.safetensors)
    // VSAIT (Theiss et al. 2022; the authors' configs/vsait.yaml).
    std::string vgg19;         ///< VGG19 weights (tools/export_vgg19.py); required by vsait
    int64_t vsaDims = 4096;    ///< hypervector dimensions (LSH rows)
    double lambdaVsa = 10;     ///< weight of the VSA loss

    double nceWeight() const;
    bool usesNceIdentity() const;
    bool usesFlipEquivariance() const;

    /// Residual blocks in use (residualBlocks, or CycleGAN's rule).
    int64_t blocks() const;
    /// The side images are resized to before cropping.
    int64_t loadSize() const;
    /// The identity of the run as JSON (config.json), stage "transfer".
    std::string toJson() const;
};

/// std::invalid_argument "<field>: <why>" for the first bad field.
void validateTransferTrainConfig(const TransferTrainConfig& c);

struct TransferTrainResult {
    int64_t steps = 0, resumedFrom = 0;
    int64_t sourceImages = 0, targetImages = 0, validationImages = 0;
    double lastLoss = 0;
    std::string finalWeights;  ///< the A -> B generator, what `transfer apply` runs
};

/// Trains in `c.out` (config.json, checkpoints, metrics.csv, TensorBoard
/// events with source | translated | reconstructed grids, final.safetensors;
/// resumable exactly). The last ceil(n * valFraction) source samples are
/// held out and validate by their cycle-reconstruction L1.
TransferTrainResult trainTransfer(const TransferTrainConfig& c, jobs::ProgressSink* progress,
                                  const jobs::CancelToken* cancel);

struct TransferApplyConfig {
    std::string model;              ///< run directory of `transfer train` (or `restorer` instead)
    /// A TorchScript face restorer (docs/transfer.md, "Restorers") run on
    /// each face aligned to FFHQ 512 from the annotation's landmarks and
    /// pasted back; instead of `model`.
    std::string restorer;
    double fidelity = 0.5;          ///< the restorer's w (CodeFormer: 0 quality .. 1 fidelity)
    /// A `transfer eval` report (transfer_eval.json) of an earlier apply of
    /// the same model to the same data: its drifted samples are left out.
    std::string reject;
    std::string weights = "final";  ///< final, best or a .safetensors file
    std::string data;               ///< source SynthForge dataset
    std::string out;                ///< the translated dataset
    /// The side images are translated at: 0 = the run's load size (the scale
    /// the generator saw in training); the result is resized back to the
    /// dataset's size.
    int64_t size = 0;
    int64_t shardIndex = 0, shardCount = 1;
    bool resume = false;
    int64_t batch = 4;
    std::string device = "auto";
    int threads = 0;
};

struct TransferApplyResult {
    int64_t written = 0;   ///< samples translated by this call
    int64_t skipped = 0;   ///< already complete (resume)
    int64_t rejected = 0;  ///< left out as drifted (TransferApplyConfig::reject), this shard
    int64_t total = 0;     ///< samples of this shard
    bool complete = false; ///< every sample of every shard is in `out`
};

/// Checks `c` without translating (std::invalid_argument naming the field,
/// std::runtime_error naming a missing run file or an unreadable source
/// manifest) and returns the weights file it names.
std::string validateTransferApplyConfig(const TransferApplyConfig& c);

/// Writes `out`: each complete sample of `data` in this shard with its
/// images translated (images/, and facesynthetics/ and 300w/ copies when
/// present; the identity sampler's fr/ crops aligned again on the
/// translation) and every other file byte-identical; the manifest is the
/// source's plus a "transfer" record (source, model, weights hash, method).
/// Resumable like `generate`: complete samples are kept, and a folder that
/// holds another dataset is refused.
TransferApplyResult applyTransfer(const TransferApplyConfig& c, jobs::ProgressSink* progress,
                                  const jobs::CancelToken* cancel);

struct TransferEvalConfig {
    std::string source;      ///< the rendered dataset
    std::string translated;  ///< `transfer apply`'s output for it (same sample names)
    std::string stage1;      ///< a Stage I run: structure drift ("" to skip)
    std::string fr;          ///< an `fr train` run: identity preservation and KID features ("" to skip)
    std::string target;      ///< real photos for KID ("" to skip; needs `fr`)
    /// A sample drifts when its NME on the translated image exceeds the
    /// source's by more than this (a fraction of the inter-ocular distance).
    double maxNmeIncrease = 0.05;
    int kidSubsets = 100;
    int64_t kidSubsetSize = 1000;
    int64_t batch = 16;
    std::string device = "auto";
    int threads = 0;
};

/// Structure drift: a Stage I run's predictions against the (shared) exact
/// annotations, on the source and on the translated images.
struct StructureDrift {
    int64_t samples = 0;
    double sourceNme = 0, translatedNme = 0;
    double sourceMiou = 0, translatedMiou = 0;
    std::vector<std::string> names;                  ///< per sample, dataset order
    std::vector<double> nmeIncrease;                 ///< translated NME - source NME, per sample
    std::vector<std::string> drifted;                ///< names whose increase exceeds maxNmeIncrease
    /// The Stage I run's 68 landmarks on each translated image, in that
    /// image's pixels (x, y, 136 values per sample, names' order): what the
    /// studio draws over the translation so that drift is visible.
    std::vector<std::vector<float>> translatedLandmarks;
};

/// Identity preservation: cosine similarity of face-recognition embeddings
/// (ArcFace-aligned crops from our landmarks) of each sample's source and
/// translated image, against baselines among the source images: pairs of
/// samples of the same identity (identity sampler datasets only; NaN
/// otherwise) and of different identities (consecutive samples).
struct IdentityPreservation {
    int64_t samples = 0;
    double sourceToTranslated = 0;                 ///< the mean of perSample
    std::vector<double> perSample;                 ///< cosine per sample, dataset order
    double sameIdentity = NAN, differentIdentity = NAN;
};

struct TransferEvalResult {
    bool hasStructure = false, hasIdentity = false, hasRealism = false;
    StructureDrift structure;
    IdentityPreservation identity;
    /// KID (x 1000 is customary; stored as is) of translated against target
    /// and of source against target, on `features`.
    double kidTranslated = NAN, kidTranslatedStd = NAN, kidSource = NAN, kidSourceStd = NAN;
    /// A real-versus-rendered classifier (core/eval/domain_probe.h) on the
    /// same features, trained on half of each set and scored on the other
    /// half: translated against photos and source against photos. Nearer
    /// 0.5 is harder to tell apart. NaN with fewer than 4 images a side.
    double domainTranslated = NAN, domainSource = NAN;
    int64_t domainTestRows = 0;
    std::string features;  ///< which network's features KID used
};

/// std::invalid_argument naming the first bad field.
void validateTransferEvalConfig(const TransferEvalConfig& c);

/// std::invalid_argument for bad settings (naming the field), std::runtime_error
/// naming the file for data that does not match (another sample list, a
/// Stage I run with other classes than the dataset's).
TransferEvalResult evaluateTransfer(const TransferEvalConfig& c, jobs::ProgressSink* progress);
/// JSON (format synthforge-transfer-eval, version 1) of a result.
std::string transferEvalToJson(const TransferEvalConfig& c, const TransferEvalResult& r);

/// Image files of a target folder (png, jpg, ... in name order, searched one
/// level deep); std::runtime_error naming the folder when it holds none.
std::vector<std::string> listTargetImages(const std::string& folder);

}  // namespace synthforge::transfer
