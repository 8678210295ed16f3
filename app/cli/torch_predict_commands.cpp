// `synthforge predict`: a trained run on the user's own images
// (core/train/predictor.h, docs/predict.md). Every image gets a line on
// stdout (ok, or its error); OUT/predictions.json lists them all. Exit code
// 0 when at least one image succeeded, 1 when none did (or the run, box
// file or template is bad), 2 for bad usage.

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "app/cli/app_main.h"
#include "app/cli/check_option.h"
#include "app/cli/commands.h"
#include "app/cli/run_recording.h"
#include "core/jobs/terminal_progress.h"
#include "core/train/predictor.h"

namespace synthforge::cli {

namespace {

struct PredictArgs;
void predictInto(const PredictArgs& a, jobs::RunRecorder& recorder);

struct PredictArgs {
    train::PredictConfig config;
    std::string progress = "auto";
    bool check = false;
};

int runPredict(const PredictArgs& a) {
    if (a.check) {
        train::validatePredictConfig(a.config);
        if (!std::filesystem::is_directory(a.config.model)) throw std::runtime_error(a.config.model + ": no such folder");
        if (train::listInputImages(a.config.images).empty()) throw std::invalid_argument("images: no image files found");
        printCheckOk();
        return 0;
    }
    return recordRun(a.config.out, "predict", true, [&](jobs::RunRecorder& recorder) {
        predictInto(a, recorder);
        return 0;
    });
}

void predictInto(const PredictArgs& a, jobs::RunRecorder& recorder) {
    std::unique_ptr<jobs::ProgressSink> inner = jobs::makeCliProgress(a.progress, stderr);
    const train::PredictResult r = train::predictImages(a.config, recorder.heartbeatSink(inner.get()));
    for (const std::string& note : r.notes) std::cerr << "note: " << note << "\n";
    for (const train::ImagePrediction& p : r.images) {
        if (p.ok)
            std::cout << "ok     " << p.input << " (" << p.framing
                      << (p.framing == "cascade" ? ", " + std::to_string(p.iterations) + " re-crops" +
                                                       (p.converged ? ", converged" : "")
                                                 : std::string())
                      << ")\n";
        else
            std::cout << "error  " << p.error << "\n";
    }
    const auto out = (std::filesystem::path(a.config.out) / "predictions.json").string();
    std::cout << r.succeeded() << " of " << r.images.size() << " images predicted; wrote " << out << "\n";
    if (r.succeeded() == 0) throw std::runtime_error("no image could be predicted (see the errors above and " + out + ")");
}

}  // namespace

void registerPredictCommands(CLI::App& app) {
    auto args = std::make_shared<PredictArgs>();
    train::PredictConfig& c = args->config;
    CLI::App* cmd = app.add_subcommand("predict", torchCommandDescription("predict"));
    cmd->add_option("--model", c.model, "Run directory of train or finetune (holds final.safetensors)")->required()->type_name("DIR");
    cmd->add_option("--images", c.images, "Image files and/or folders of images")->required()->type_name("FILE");
    cmd->add_option("--out", c.out, "Output folder (created)")->required()->type_name("DIR");
    cmd->add_option("--boxes", c.boxes, "JSON face boxes {\"file name\": [x, y, w, h]} (docs/predict.md)")->type_name("FILE");
    cmd->add_option("--size", c.size, "Square network input (0: the run's training size)")
        ->capture_default_str()->check(CLI::Range(int64_t{0}, int64_t{4096}));
    cmd->add_option("--cascade", c.cascade, "Re-crops aligned to the run's landmark template (0: centred crop only)")
        ->capture_default_str()->check(CLI::Range(0, 100));
    cmd->add_option("--cascade-tolerance", c.tolerance, "Stop when the crop moves less than this fraction of its side")
        ->capture_default_str()->check(CLI::Range(0.0, 0.99));
    cmd->add_option("--weights", c.weights,
                    "Which weights: final (final.safetensors), best (best.safetensors: the best validation score) "
                    "or a .safetensors file")
        ->capture_default_str();
    cmd->add_option("--batch", c.batch, "Images per forward pass")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{4096}));
    cmd->add_option("--device", c.device, "auto (CUDA when available), cpu or cuda")->capture_default_str()->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->add_option("--threads", c.threads, "Torch CPU threads (0: torch's default)")->capture_default_str()->check(CLI::Range(0, 1024));
    cmd->add_option("--progress", args->progress, "auto (bar on a terminal), bar, json (JSON lines on stderr) or none")->capture_default_str();
    addCheckFlag(cmd, args->check);
    cmd->callback([args] {
        const int rc = runPredict(*args);
        if (rc != 0) std::exit(rc);
    });
}

}  // namespace synthforge::cli
