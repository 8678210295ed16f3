// Stage I trainer (core/train/trainer.h): AdamW with the backbone and the
// heads as two parameter groups, the configured warm-up and schedule,
// gradient accumulation, validation metrics, checkpoints that make a stopped
// run continue bit for bit.
//
// Exact continuation rests on three choices:
// - every random draw of step s comes from torch's global generator reseeded
//   with (seed, s) at the start of the step, so the RNG state is a function
//   of the step and needs no separate saving;
// - the sample order of epoch e is a function of (seed, e)
//   (SynthForgeDataset::epochOrder), so the data position is a function of
//   the step too;
// - a checkpoint holds the weights, the BN buffers and AdamW's moments and
//   step counts; the schedule's state is the step.
// metrics.csv rows past the checkpoint a resumed run starts from are
// dropped, and rewritten identically by the resumed run. The set-up and the
// passes of a step are torch_stage_one.h's; the loop (schedule, reseeding,
// clipping, validation, early stopping, checkpoints, metrics, TensorBoard,
// progress) is torch_run_loop.h's, shared with Stage II.

#include "core/train/trainer.h"

#include <torch/torch.h>

#include <filesystem>

#include "core/dataset/dataset_manifest.h"
#include "core/train/landmark_template.h"
#include "core/train/torch_data_parallel.h"
#include "core/train/torch_run_directory.h"
#include "core/train/torch_run_loop.h"
#include "core/train/torch_stage_one.h"
#include "core/train/torch_weights.h"

namespace synthforge::train {

TrainResult trainStageOne(const TrainConfig& c, jobs::ProgressSink* progress, const jobs::CancelToken* cancel) {
    // Data-parallel when launched by torchrun, srun or `synthforge launch`.
    const std::unique_ptr<DataParallel> dp = joinDataParallel(c);
    StageOneSession session(c, dp->rank(), dp->worldSize());

    // The run directory refuses a foreign run or a changed config before
    // anything is written (by rank 0: the others write nothing).
    const RunDirectory run(c.out, c.toJson(), c.resume, c.keepCheckpoints, dp->writes());
    // The mean training landmarks, which `synthforge predict` frames faces
    // with (its cascade and --boxes); reading the annotations takes seconds.
    if (dp->writes() && dataset::hasDatasetManifest(c.data) &&
        !std::filesystem::exists(run.path() / "landmark_template.json"))
        writeLandmarkTemplate(c.out, computeLandmarkTemplate(c.data));

    RunLoopHooks hooks;
    hooks.step = [&](int64_t step, double lrHeads) { return session.step(step, lrHeads); };
    hooks.validate = [&] { return session.validate(); };
    hooks.preview = [&] { return session.preview(); };
    hooks.saveFinal = [&](const std::string& path) {
        MultiTaskNet& net = session.net();
        net->to(torch::kCPU);
        saveMultiTaskNet(net, path);
    };

    RunLoopSpec spec;
    spec.job = "train";
    spec.totalSteps = session.totalSteps();
    spec.metrics = StageOneSession::trainMetrics();
    spec.valMetrics = StageOneSession::validationMetrics();
    spec.bestMetric = session.bestMetricIndex();
    spec.bestHigherIsBetter = session.bestHigherIsBetter();
    // The backbone (parameter group 0) learns at backboneLrScale times the heads' rate.
    spec.lrScales = {c.backboneLrScale, 1.0};
    spec.parallel = dp.get();
    const RunLoopResult done =
        runTrainingLoop(run, c, spec, *session.net(), session.optimizer(), hooks, progress, cancel);

    TrainResult result;
    result.steps = done.steps;
    result.resumedFrom = done.resumedFrom;
    result.lastLoss = done.lastLoss;
    result.bestValLoss = done.bestValLoss;
    result.bestScore = done.bestScore;
    result.bestStep = done.bestStep;
    result.stoppedEarly = done.stoppedEarly;
    result.finalWeights = done.finalWeights;
    result.bestWeights = done.bestWeights;
    return result;
}

}  // namespace synthforge::train
