// `synthforge transfer train|apply|eval`: realism transfer (core/transfer/transfer.h).
// train is a run like `train`'s (config.json, checkpoints, metrics.csv,
// events, run record; Ctrl+C checkpoints and exits 130; --resume continues);
// apply writes a translated dataset, sharded and resumable like generate.

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "app/cli/app_main.h"
#include "app/cli/check_option.h"
#include "app/cli/commands.h"
#include "app/cli/run_recording.h"
#include "app/cli/training_command.h"
#include "core/generate/shard.h"
#include "core/io/file_util.h"
#include "core/jobs/interrupt.h"
#include "core/jobs/terminal_progress.h"
#include "core/transfer/transfer.h"

namespace synthforge::cli {

namespace {

struct TransferTrainArgs {
    transfer::TransferTrainConfig config;
    std::string progress = "auto";
    bool check = false;
};

int runTransferTrain(const TransferTrainArgs& a) {
    const transfer::TransferTrainConfig& c = a.config;
    if (a.check) {
        transfer::validateTransferTrainConfig(c);
        transfer::listTargetImages(c.target);
        printCheckOk();
        return 0;
    }
    const auto done = runTrainingJob(a.progress, c.out, "transfer-train", c.resume,
                                     [&](jobs::ProgressSink* sink, const jobs::CancelToken* cancel) {
                                         return transfer::trainTransfer(c, sink, cancel);
                                     });
    if (!done) return 130;
    std::cout << "trained " << done->steps << " steps on " << done->sourceImages << " rendered and "
              << done->targetImages << " real images";
    if (done->resumedFrom > 0) std::cout << " (resumed from step " << done->resumedFrom << ")";
    std::cout << ", last loss " << done->lastLoss << "; translator: " << done->finalWeights << "\n";
    return 0;
}

struct TransferApplyArgs {
    transfer::TransferApplyConfig config;
    std::string shard, progress = "auto";
    bool check = false;
};

int runTransferApply(const TransferApplyArgs& a) {
    transfer::TransferApplyConfig c = a.config;
    std::optional<generate::Shard> shard;
    if (!a.shard.empty())
        shard = generate::Shard::parse(a.shard);
    else
        shard = generate::Shard::fromEnvironment();
    if (shard) {
        c.shardIndex = static_cast<int64_t>(shard->index);
        c.shardCount = static_cast<int64_t>(shard->count);
    }
    // Checked before the run record is written into --out (which may be the
    // source dataset by mistake).
    transfer::validateTransferApplyConfig(c);
    if (a.check) {
        printCheckOk();
        return 0;
    }
    // One run record per folder cannot describe shards that share it (as generate).
    const std::string recordIn = c.shardCount > 1 ? std::string() : c.out;
    return recordRun(recordIn, "transfer-apply", c.resume, [&](jobs::RunRecorder& recorder) {
        std::unique_ptr<jobs::ProgressSink> sink = jobs::makeCliProgress(a.progress, stderr);
        jobs::CancelToken cancel;
        jobs::ScopedInterruptHandler interrupt(cancel);
        try {
            const transfer::TransferApplyResult r = transfer::applyTransfer(c, recorder.heartbeatSink(sink.get()), &cancel);
            std::cout << "translated " << r.written << " samples";
            if (r.skipped > 0) std::cout << " (" << r.skipped << " already complete)";
            if (r.rejected > 0) std::cout << ", left out " << r.rejected << " drifted";
            std::cout << " of " << r.total << " into " << c.out << (r.complete ? "; the dataset is complete\n" : "\n");
            return 0;
        } catch (const jobs::Cancelled&) {
            std::cerr << "stopped: complete samples are kept; run again with --resume to continue\n";
            return 130;
        }
    });
}

struct TransferEvalArgs {
    transfer::TransferEvalConfig config;
    std::string json, progress = "auto";
    bool check = false;
};

int runTransferEval(const TransferEvalArgs& a) {
    const transfer::TransferEvalConfig& c = a.config;
    if (a.check) {
        transfer::validateTransferEvalConfig(c);
        printCheckOk();
        return 0;
    }
    std::unique_ptr<jobs::ProgressSink> sink = jobs::makeCliProgress(a.progress, stderr);
    const transfer::TransferEvalResult r = transfer::evaluateTransfer(c, sink.get());
    const std::string out = a.json.empty() ? (std::filesystem::path(c.translated) / "transfer_eval.json").string() : a.json;
    io::writeFileAtomic(out, transfer::transferEvalToJson(c, r));
    if (r.hasStructure) {
        const auto& s = r.structure;
        std::printf("structure (%lld samples): NME %.4f -> %.4f, mIoU %.4f -> %.4f; %zu samples drift by more than %.3f NME\n",
                    static_cast<long long>(s.samples), s.sourceNme, s.translatedNme, s.sourceMiou, s.translatedMiou,
                    s.drifted.size(), c.maxNmeIncrease);
    }
    if (r.hasIdentity)
        std::printf("identity: cosine source-translated %.4f (same identity %.4f, different identities %.4f)\n",
                    r.identity.sourceToTranslated, r.identity.sameIdentity, r.identity.differentIdentity);
    if (r.hasRealism)
        std::printf("realism: KID to the photos %.5f +- %.5f translated, %.5f +- %.5f source; a real-vs-rendered "
                    "classifier tells them apart at %.3f translated, %.3f source (0.5: not at all)\n",
                    r.kidTranslated, r.kidTranslatedStd, r.kidSource, r.kidSourceStd, r.domainTranslated, r.domainSource);
    std::cout << "wrote " << out << "\n";
    return 0;
}

}  // namespace

void registerTransferCommands(CLI::App& app) {
    CLI::App* group = app.add_subcommand("transfer", torchCommandDescription("transfer"));
    group->require_subcommand(1);

    auto t = std::make_shared<TransferTrainArgs>();
    transfer::TransferTrainConfig& c = t->config;
    CLI::App* train = group->add_subcommand("train", "Train an unpaired translator from our renders to real photos");
    train->add_option("--method", c.method, "Translator: cyclegan, cut, fastcut or vsait")
        ->capture_default_str()
        ->check(CLI::IsMember({"cyclegan", "cut", "fastcut", "vsait"}));
    train->add_option("--source", c.data, "SynthForge dataset (the rendered domain)")->required()->check(CLI::ExistingDirectory);
    train->add_option("--target", c.target,
                      "Folder of real face photos, aligned and cropped like our renders (searched two levels deep)")
        ->required()->check(CLI::ExistingDirectory);
    train->add_option("--target-align", c.targetAlign,
                      "A landmark run (train, or finetune on 300W) that frames unaligned photos like the renders "
                      "first; without it the photos must already be aligned and cropped like them")
        ->check(CLI::ExistingDirectory);
    train->add_option("--out", c.out, "Run directory")->required()->type_name("DIR");
    train->add_option("--size", c.size, "Training crop side (a multiple of 4)")->capture_default_str()->check(CLI::Range(int64_t{64}, int64_t{4096}));
    train->add_option("--load-scale", c.loadScale, "Images are resized to size x this before the random crop (CycleGAN: 286/256)")
        ->capture_default_str();
    train->add_option("--ngf", c.generatorFilters, "Generator filters")->capture_default_str();
    train->add_option("--ndf", c.discriminatorFilters, "Discriminator filters")->capture_default_str();
    train->add_option("--blocks", c.residualBlocks, "Residual blocks (0: 9 at size 256 or more, else 6)")->capture_default_str();
    train->add_option("--lambda-cycle", c.lambdaCycle, "Cycle-consistency weight")->capture_default_str();
    train->add_option("--lambda-identity", c.lambdaIdentity, "Identity loss weight, as a fraction of --lambda-cycle")->capture_default_str();
    train->add_option("--pool", c.poolSize, "History of generated images shown to the discriminators (0: none)")->capture_default_str();
    train->add_option("--lambda-gan", c.lambdaGan, "CUT: weight of the generator's GAN loss")->capture_default_str();
    train->add_option("--lambda-nce", c.lambdaNce, "CUT: PatchNCE weight (negative: CUT 1, FastCUT 10)")->capture_default_str();
    train->add_option("--nce-idt", c.nceIdentity, "CUT: PatchNCE on real B -> G(B) too: 1, 0, or -1 for the method's (CUT yes, FastCUT no)")
        ->capture_default_str()->check(CLI::Range(-1, 1));
    train->add_option("--flip-equivariance", c.flipEquivariance, "CUT: mirror the input half the time: 1, 0, or -1 for the method's (FastCUT yes)")
        ->capture_default_str()->check(CLI::Range(-1, 1));
    train->add_option("--nce-layers", c.nceLayers, "CUT: generator layers PatchNCE taps")->capture_default_str()->delimiter(',');
    train->add_option("--num-patches", c.ncePatches, "CUT: sampled positions per layer")->capture_default_str();
    train->add_option("--nce-t", c.nceTemperature, "CUT: PatchNCE temperature")->capture_default_str();
    train->add_option("--netf-nc", c.nceFeatures, "CUT: width of the projection MLPs")->capture_default_str();
    train->add_option("--vgg19", c.vgg19, "VSAIT: VGG19 weights (tools/export_vgg19.py converts torchvision's)")
        ->check(CLI::ExistingFile);
    train->add_option("--vsa-dims", c.vsaDims, "VSAIT: hypervector dimensions")->capture_default_str();
    train->add_option("--lambda-vsa", c.lambdaVsa, "VSAIT: weight of the VSA loss")->capture_default_str();
    train->add_option("--structure-run", c.structureRun,
                      "A Stage I run for the label-aware structure term (its predictions on the translations must "
                      "match the source annotations)")
        ->check(CLI::ExistingDirectory);
    train->add_option("--lambda-structure", c.lambdaStructure, "Weight of the structure term (0: off)")->capture_default_str();
    train->add_option("--epochs", c.epochs, "Epochs (passes over the larger domain)")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{100000}));
    train->add_option("--batch", c.batch, "Images of each domain per step")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1024}));
    train->add_option("--lr", c.lr, "Peak learning rate (Adam)")->capture_default_str()->check(CLI::PositiveNumber);
    train->add_option("--d-lr-scale", c.discriminatorLrScale, "Discriminators' rate over the generators'")->capture_default_str();
    train->add_option("--schedule", c.schedule,
                      "Rate over the run: hold-linear (CycleGAN's: held until the milestone, then linear to --min-lr), "
                      "linear, cosine or constant")
        ->capture_default_str()->check(CLI::IsMember({"hold-linear", "linear", "cosine", "constant"}));
    train->add_option("--milestones", c.milestones, "hold-linear: the fraction of the run where the decay starts")->capture_default_str();
    train->add_option("--min-lr", c.minLr, "Rate the decay ends at")->capture_default_str();
    train->add_option("--warmup", c.warmupSteps, "Warm-up steps")->capture_default_str()->check(CLI::NonNegativeNumber);
    train->add_option("--val-fraction", c.valFraction, "Held-out fraction of the source samples (the last ones)")->capture_default_str();
    train->add_option("--val-every", c.valEvery, "Steps between validations (0: at checkpoints)")->capture_default_str();
    train->add_option("--image-every", c.imageEvery, "Steps between TensorBoard grids (source | translated | reconstructed)")->capture_default_str();
    addRunOptions(train, c, t->progress);
    addCheckFlag(train, t->check);
    train->callback([t, train] {
        // VSAIT's optimiser (configs/vsait.yaml): Adam (0, 0.9), weight decay
        // 1e-4, generator 1e-4 and discriminator 4e-4; its step decay (halved
        // every 100k steps) is a constant rate at our runs' lengths. Options
        // given on the command line win.
        transfer::TransferTrainConfig& c = t->config;
        if (c.method == "vsait") {
            c.beta1 = 0;
            c.beta2 = 0.9;
            c.weightDecay = 1e-4;
            if (train->count("--lr") == 0) c.lr = 1e-4;
            if (train->count("--d-lr-scale") == 0) c.discriminatorLrScale = 4;
            if (train->count("--schedule") == 0) c.schedule = "constant";
        }
        const int rc = runTransferTrain(*t);
        if (rc != 0) std::exit(rc);
    });

    auto a = std::make_shared<TransferApplyArgs>();
    transfer::TransferApplyConfig& ac = a->config;
    CLI::App* apply = group->add_subcommand("apply", "Write a translated copy of a dataset (annotations byte-identical)");
    CLI::Option* model = apply->add_option("--model", ac.model, "Run directory of transfer train")->check(CLI::ExistingDirectory);
    CLI::Option* restorer = apply->add_option("--restorer", ac.restorer,
                                              "A TorchScript face restorer (forward(image [B,3,512,512], w) -> image) "
                                              "instead of --model; faces are aligned from the annotations")
                                ->check(CLI::ExistingFile);
    model->excludes(restorer);
    apply->add_option("--reject", ac.reject,
                      "transfer_eval.json of an earlier translation: leave its drifted samples out")
        ->check(CLI::ExistingFile);
    apply->add_option("--fidelity", ac.fidelity, "The restorer's fidelity weight w (CodeFormer: 0 quality .. 1 fidelity)")
        ->capture_default_str();
    apply->add_option("--weights", ac.weights, "final, best or a .safetensors file")->capture_default_str();
    apply->add_option("--data", ac.data, "Source SynthForge dataset")->required()->check(CLI::ExistingDirectory);
    apply->add_option("--out", ac.out, "The translated dataset (a new folder, or this one with --resume)")->required()->type_name("DIR");
    apply->add_option("--size", ac.size, "Side the images are translated at (0: the run's load size); written back at the dataset's size")
        ->capture_default_str();
    apply->add_option("--shard", a->shard, "i/n: this process's share (default RANK/WORLD_SIZE or SLURM_PROCID/SLURM_NTASKS)");
    apply->add_flag("--resume", ac.resume, "Keep complete samples in --out and write the rest");
    apply->add_option("--batch", ac.batch, "Images per forward pass")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1024}));
    apply->add_option("--device", ac.device, "auto, cpu or cuda")->capture_default_str()->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    apply->add_option("--threads", ac.threads, "Torch CPU threads (0: torch's default)")->capture_default_str();
    apply->add_option("--progress", a->progress, "auto, bar, json or none")->capture_default_str();
    addCheckFlag(apply, a->check);
    apply->callback([a] {
        const int rc = runTransferApply(*a);
        if (rc != 0) std::exit(rc);
    });

    auto e = std::make_shared<TransferEvalArgs>();
    transfer::TransferEvalConfig& ec = e->config;
    CLI::App* ev = group->add_subcommand(
        "eval", "Measure a translated dataset: structure drift, identity preservation, KID to real photos");
    ev->add_option("--source", ec.source, "The rendered dataset")->required()->check(CLI::ExistingDirectory);
    ev->add_option("--translated", ec.translated, "Its translation (transfer apply's --out)")->required()->check(CLI::ExistingDirectory);
    ev->add_option("--stage1", ec.stage1, "A Stage I run: NME and mIoU on both against the annotations")->check(CLI::ExistingDirectory);
    ev->add_option("--fr", ec.fr, "An fr train run: identity cosine, and the features of KID")->check(CLI::ExistingDirectory);
    ev->add_option("--target", ec.target, "Real photos to measure KID against (needs --fr)")->check(CLI::ExistingDirectory);
    ev->add_option("--max-nme-increase", ec.maxNmeIncrease, "A sample drifts when its NME grows by more than this")
        ->capture_default_str();
    ev->add_option("--kid-subsets", ec.kidSubsets, "KID: random subsets averaged")->capture_default_str();
    ev->add_option("--kid-subset-size", ec.kidSubsetSize, "KID: rows per subset (capped by the smaller set)")->capture_default_str();
    ev->add_option("--json", e->json, "Output (default transfer_eval.json in --translated)")->type_name("FILE");
    ev->add_option("--batch", ec.batch, "Images per forward pass")->capture_default_str();
    ev->add_option("--device", ec.device, "auto, cpu or cuda")->capture_default_str()->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    ev->add_option("--threads", ec.threads, "Torch CPU threads (0: torch's default)")->capture_default_str();
    ev->add_option("--progress", e->progress, "auto, bar, json or none")->capture_default_str();
    addCheckFlag(ev, e->check);
    ev->callback([e] {
        const int rc = runTransferEval(*e);
        if (rc != 0) std::exit(rc);
    });
}

}  // namespace synthforge::cli
