// `synthforge fr train|eval|embed`: face recognition (core/fr/face_recognition.h).
// train is a run like `train`'s (config.json, checkpoints, metrics.csv,
// events, run record; Ctrl+C checkpoints and exits 130; --resume continues).

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "app/cli/app_main.h"
#include "app/cli/check_option.h"
#include "app/cli/commands.h"
#include "app/cli/run_recording.h"
#include "app/cli/training_command.h"
#include "core/dataset/verification_pairs.h"
#include "core/eval/roc_plot.h"
#include "core/fr/face_recognition.h"
#include "core/fr/fr_results_table.h"
#include "core/io/file_util.h"
#include "core/io/png_writer.h"
#include "core/jobs/terminal_progress.h"
#include "core/train/run_weights.h"

namespace synthforge::cli {

namespace {

struct FrTrainArgs {
    fr::FrTrainConfig config;
    std::string progress = "auto";
    bool check = false;
};

int runFrTrain(const FrTrainArgs& a) {
    const fr::FrTrainConfig& c = a.config;
    if (a.check) {
        fr::validateFrTrainConfig(c);
        dataset::listIdentityFolders(c.data);
        printCheckOk();
        return 0;
    }
    const auto done = runTrainingJob(a.progress, c.out, "fr-train", c.resume,
                                     [&](jobs::ProgressSink* sink, const jobs::CancelToken* cancel) {
                                         return fr::trainFaceRecognition(c, sink, cancel);
                                     });
    if (!done) return 130;
    std::cout << "trained " << done->steps << " steps on " << done->trainImages << " images of " << done->identities
              << " identities";
    if (done->resumedFrom > 0) std::cout << " (resumed from step " << done->resumedFrom << ")";
    std::cout << ", last loss " << done->lastLoss << "; weights: " << done->finalWeights << "\n";
    if (done->bestStep >= 0)
        std::cout << "best validation accuracy " << done->bestScore << " at step " << done->bestStep << " on "
                  << done->valPairs << " pairs of held-out identities\n";
    return 0;
}

struct FrEvalArgs {
    fr::FrEvalConfig config;
    std::string json, runDir, progress = "auto";
    bool check = false;
};

int runFrEval(const FrEvalArgs& a) {
    if (a.check) {
        train::validateWeightsChoice(a.config.weights);
        train::runWeightsFile(a.config.model, a.config.weights, "the run has not finished training");
        printCheckOk();
        return 0;
    }
    return recordRun(a.runDir, "fr-eval", true, [&](jobs::RunRecorder& recorder) {
        std::unique_ptr<jobs::ProgressSink> inner = jobs::makeCliProgress(a.progress, stderr);
        const auto results = fr::evaluateFaceRecognition(a.config, recorder.heartbeatSink(inner.get()));
        const std::filesystem::path base = a.runDir.empty() ? std::filesystem::path(a.config.model) : std::filesystem::path(a.runDir);
        const std::string out = a.json.empty() ? (base / "fr_eval.json").string() : a.json;
        io::writeFileAtomic(out, fr::frEvalToJson(a.config, results));
        // The ROC beside the JSON: a CSV per benchmark and one plot of all.
        const std::filesystem::path dir = std::filesystem::path(out).parent_path();
        std::vector<std::pair<std::string, std::vector<eval::RocPoint>>> curves;
        for (const auto& r : results) {
            io::writeFileAtomic((dir / ("roc_" + r.name + ".csv")).string(), eval::rocCsv(r.roc));
            curves.emplace_back(r.name, r.roc);
        }
        io::writePngFile((dir / "roc.png").string(), eval::rocPlot(curves));
        std::printf("%-16s %7s %16s %10s %10s %8s\n", "benchmark", "pairs", "accuracy", "TAR@1e-3", "TAR@1e-2", "EER");
        for (const auto& r : results)
            std::printf("%-16s %7lld %8.4f+-%-6.4f %10.4f %10.4f %8.4f\n", r.name.c_str(), static_cast<long long>(r.pairs),
                        r.accuracy.mean, r.accuracy.std, r.tarAtFar.at(1e-3), r.tarAtFar.at(1e-2), r.eer);
        std::cout << "wrote " << out << ", roc.png and roc_<benchmark>.csv beside it\n";
        return 0;
    });
}

struct FrTableArgs {
    std::vector<std::string> entries;  ///< LABEL=PATH
    std::string out, csv;
};

int runFrTable(const FrTableArgs& a) {
    std::vector<std::string> labels;
    std::vector<fr::FrEvalSummary> evals;
    for (const std::string& e : a.entries) {
        const std::size_t eq = e.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == e.size())
            throw std::invalid_argument("EVAL: '" + e + "' is not LABEL=PATH (PATH an fr_eval.json or its folder)");
        labels.push_back(e.substr(0, eq));
        evals.push_back(fr::loadFrEval(e.substr(eq + 1)));
    }
    const fr::FrResultsTable t = fr::frResultsTable(labels, evals);
    const std::string md = fr::frTableMarkdown(t);
    std::cout << md;
    if (!a.out.empty()) io::writeFileAtomic(a.out, md);
    if (!a.csv.empty()) io::writeFileAtomic(a.csv, fr::frTableCsv(t));
    return 0;
}

struct FrEmbedArgs {
    std::string model, weights = "final", images, out, device = "auto", progress = "auto";
    int threads = 0;
};

}  // namespace

void registerFrCommands(CLI::App& app) {
    CLI::App* group = app.add_subcommand("fr", torchCommandDescription("fr"));
    group->require_subcommand(1);

    auto t = std::make_shared<FrTrainArgs>();
    fr::FrTrainConfig& c = t->config;
    CLI::App* train = group->add_subcommand("train", "Train an IResNet with a margin head on a folder-per-identity set");
    train->add_option("--data", c.data,
                      "Folder per identity (DATA/<identity>/<image>), or InsightFace's train.rec (its .idx beside it) "
                      "or a folder holding it")
        ->required()->check(CLI::ExistingPath);
    train->add_option("--out", c.out, "Run directory")->required()->type_name("DIR");
    train->add_option("--preset", c.preset, "Network: tiny (CPU tests), ir18, ir50 or ir100")
        ->capture_default_str()->check(CLI::IsMember({"tiny", "ir18", "ir50", "ir100"}));
    train->add_option("--head", c.head, "Margin head: adaface, arcface or cosface")
        ->capture_default_str()->check(CLI::IsMember({"adaface", "arcface", "cosface"}));
    train->add_option("--scale", c.scale, "The head's scale s")->capture_default_str()->check(CLI::PositiveNumber);
    train->add_option("--margin", c.margin, "The head's margin m (negative: the head's default)")->capture_default_str();
    train->add_option("--epochs", c.epochs, "Epochs")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{100000}));
    train->add_option("--batch", c.batch, "Images per step")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{4096}));
    train->add_option("--lr", c.lr, "Peak learning rate (SGD)")->capture_default_str()->check(CLI::PositiveNumber);
    train->add_option("--momentum", c.momentum, "SGD momentum")->capture_default_str();
    train->add_option("--weight-decay", c.weightDecay, "Weight decay")->capture_default_str();
    train->add_option("--schedule", c.schedule,
                      "Decay after warm-up: cosine, linear, constant or step (AdaFace's: x gamma at each milestone)")
        ->capture_default_str()->check(CLI::IsMember({"cosine", "linear", "constant", "step"}));
    train->add_option("--milestones", c.milestones, "Step schedule: where the rate drops, as fractions of the run")
        ->capture_default_str();
    train->add_option("--gamma", c.gamma, "Step schedule: the factor at each milestone")->capture_default_str();
    train->add_option("--min-lr", c.minLr, "Rate the decay ends at")->capture_default_str();
    train->add_option("--warmup", c.warmupSteps, "Warm-up steps")->capture_default_str()->check(CLI::NonNegativeNumber);
    train->add_option("--grad-clip", c.gradClip, "Clip the gradients' global L2 norm (0: off)")->capture_default_str();
    train->add_option("--val-fraction", c.valFraction, "Held-out fraction of the identities (the last ones)")->capture_default_str();
    train->add_option("--val-every", c.valEvery, "Steps between validations (0: at checkpoints)")->capture_default_str();
    train->add_option("--best-metric", c.bestMetric, "What picks best.safetensors: accuracy or loss")
        ->capture_default_str()->check(CLI::IsMember({"accuracy", "loss"}));
    addRunOptions(train, c, t->progress);
    addCheckFlag(train, t->check);
    train->callback([t] {
        const int rc = runFrTrain(*t);
        if (rc != 0) std::exit(rc);
    });

    auto e = std::make_shared<FrEvalArgs>();
    CLI::App* ev = group->add_subcommand("eval", "Verification accuracy (10-fold), TAR@FAR and EER of an fr run");
    ev->add_option("--model", e->config.model, "Run directory of fr train")->required()->check(CLI::ExistingDirectory);
    ev->add_option("--weights", e->config.weights, "final, best or a .safetensors file")->capture_default_str();
    ev->add_option("--bin", e->config.bins, "InsightFace verification .bin (repeatable)")->check(CLI::ExistingFile);
    ev->add_option("--pairs", e->config.lfwPairs, "LFW pairs.txt")->check(CLI::ExistingFile);
    ev->add_option("--pairs-images", e->config.lfwImages, "LFW image folder for --pairs")->type_name("DIR");
    ev->add_option("--identities", e->config.identities, "A folder-per-identity set to build pairs from")
        ->check(CLI::ExistingDirectory);
    ev->add_option("--json", e->json, "JSON output (default fr_eval.json in --run-dir, else in --model)")->type_name("FILE");
    ev->add_option("--run-dir", e->runDir, "Record this evaluation as a run in this folder")->type_name("DIR");
    ev->add_option("--batch", e->config.batch, "Images per forward pass")->capture_default_str();
    ev->add_option("--device", e->config.device, "auto, cpu or cuda")->capture_default_str()->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    ev->add_option("--threads", e->config.threads, "Torch CPU threads")->capture_default_str();
    ev->add_option("--progress", e->progress, "auto, bar, json or none")->capture_default_str();
    addCheckFlag(ev, e->check);
    ev->callback([e] {
        const int rc = runFrEval(*e);
        if (rc != 0) std::exit(rc);
    });

    auto m = std::make_shared<FrEmbedArgs>();
    CLI::App* em = group->add_subcommand("embed", "Embeddings of a folder of face images, one row each, as .npy");
    em->add_option("--model", m->model, "Run directory of fr train")->required()->check(CLI::ExistingDirectory);
    em->add_option("--weights", m->weights, "final, best or a .safetensors file")->capture_default_str();
    em->add_option("--images", m->images, "Folder of aligned 112 x 112 faces (file-name order)")->required()->check(CLI::ExistingDirectory);
    em->add_option("--out", m->out, "Output .npy (float32, images x embedding)")->required()->type_name("FILE");
    em->add_option("--device", m->device, "auto, cpu or cuda")->capture_default_str()->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    em->add_option("--threads", m->threads, "Torch CPU threads")->capture_default_str();
    em->add_option("--progress", m->progress, "auto, bar, json or none")->capture_default_str();
    em->callback([m] {
        std::unique_ptr<jobs::ProgressSink> sink = jobs::makeCliProgress(m->progress, stderr);
        const int64_t n = fr::embedImages(m->model, m->weights, m->images, m->out, m->device, m->threads, sink.get());
        std::cout << "embedded " << n << " images into " << m->out << "\n";
    });

    auto tab = std::make_shared<FrTableArgs>();
    CLI::App* tb = group->add_subcommand(
        "table", "Results table from fr eval outputs: rows training sets (repeated runs: mean +- std), columns benchmarks");
    tb->add_option("EVAL", tab->entries, "LABEL=PATH, PATH an fr_eval.json or the folder holding it; a label given twice is a repeated training")
        ->required();
    tb->add_option("--out", tab->out, "Also write the Markdown table here")->type_name("FILE");
    tb->add_option("--csv", tab->csv, "Write the table as CSV here")->type_name("FILE");
    tb->callback([tab] {
        const int rc = runFrTable(*tab);
        if (rc != 0) std::exit(rc);
    });
}

}  // namespace synthforge::cli
