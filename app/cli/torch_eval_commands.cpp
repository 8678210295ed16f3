// `synthforge eval`: metrics of a finished Stage I run on a dataset
// (core/train/evaluator.h) or, zero-shot, on a real benchmark (300-W, LaPa,
// CelebAMask-HQ; core/train/zero_shot.h), or of a Stage II run (`synthforge finetune`) on
// a benchmark folder in its format (evaluateRun dispatches on config.json). Prints a table and writes JSON (default
// RUN/eval.json); a missing run, weights file or dataset is exit code 1 with
// the file named (app/cli/app_main.h turns the exception into that).

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "app/cli/app_main.h"
#include "app/cli/check_option.h"
#include "app/cli/commands.h"
#include "app/cli/run_recording.h"
#include "core/io/file_util.h"
#include "core/jobs/terminal_progress.h"
#include "core/train/evaluator.h"

namespace synthforge::cli {

namespace {

struct EvalArgs {
    train::EvalConfig config;
    std::string json;
    std::string runDir;
    std::string progress = "auto";
    bool check = false;
};

int runEval(const EvalArgs& a) {
    if (a.check) {
        train::validateEvalConfig(a.config);
        for (const std::string& dir : {a.config.model, a.config.data})
            if (!std::filesystem::is_directory(dir)) throw std::runtime_error(dir + ": no such folder");
        printCheckOk();
        return 0;
    }
    // With --run-dir the evaluation is a run of its own (run.json, heartbeats,
    // eval.json there), which the studio's run centre lists and compares.
    return recordRun(a.runDir, "eval", true, [&](jobs::RunRecorder& recorder) {
        std::unique_ptr<jobs::ProgressSink> inner = jobs::makeCliProgress(a.progress, stderr);
        const train::EvalResult r = train::evaluateRun(a.config, recorder.heartbeatSink(inner.get()));
        const std::filesystem::path base = a.runDir.empty() ? std::filesystem::path(a.config.model) : std::filesystem::path(a.runDir);
        const std::string out = a.json.empty() ? (base / "eval.json").string() : a.json;
        io::writeFileAtomic(out, train::evalResultToJson(r));
        std::cout << train::evalResultTable(r) << "\nwrote " << out << "\n";
        return 0;
    });
}

}  // namespace

void registerEvalCommands(CLI::App& app) {
    auto args = std::make_shared<EvalArgs>();
    train::EvalConfig& c = args->config;
    CLI::App* cmd = app.add_subcommand("eval", torchCommandDescription("eval"));
    cmd->add_option("--model", c.model, "Run directory of train or finetune (holds final.safetensors)")->required()->type_name("DIR");
    cmd->add_option("--data", c.data,
                    "Dataset folder (synthforge generate), or a benchmark folder (300-W, LaPa, CelebAMask-HQ): a "
                    "Stage I run is then scored zero-shot, a Stage II run on its own format")
        ->required()
        ->type_name("DIR");
    cmd->add_option("--format", c.format,
                    "Format of --data: auto (detected from what the folder holds), synthforge (ours or "
                    "FaceSynthetics), 300w, lapa or celebamask-hq")
        ->capture_default_str()
        ->check(CLI::IsMember({"auto", "synthforge", "300w", "lapa", "celebamask-hq"}));
    cmd->add_option("--size", c.size, "Square evaluation resolution (0: the run's training size)")
        ->capture_default_str()->check(CLI::Range(int64_t{0}, int64_t{4096}));
    cmd->add_option("--split", c.split,
                    "Samples to score: val (the run's held-out samples), train, all, test (a benchmark's test "
                    "samples), or auto (val on the run's own dataset; a benchmark's test samples for a Stage I run "
                    "scored zero-shot; else all)")
        ->capture_default_str()->check(CLI::IsMember({"auto", "all", "train", "val", "test"}));
    cmd->add_option("--json", args->json, "JSON output (default: eval.json in --run-dir, else in --model)")->type_name("FILE");
    cmd->add_option("--run-dir", args->runDir,
                    "Record this evaluation as a run in this folder (run.json, progress, eval.json), for the run "
                    "centre and `synthforge runs`")
        ->type_name("DIR");
    cmd->add_option("--weights", c.weights,
                    "Which weights: final (final.safetensors), best (best.safetensors: the best validation score) "
                    "or a .safetensors file")
        ->capture_default_str();
    cmd->add_option("--batch", c.batch, "Samples per forward pass")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{4096}));
    cmd->add_option("--device", c.device, "auto (CUDA when available), cpu or cuda")->capture_default_str()->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->add_option("--threads", c.threads, "Torch CPU threads (0: torch's default)")->capture_default_str()->check(CLI::Range(0, 1024));
    cmd->add_option("--progress", args->progress, "auto (bar on a terminal), bar, json (JSON lines on stderr) or none")->capture_default_str();
    addCheckFlag(cmd, args->check);
    cmd->callback([args] {
        const int rc = runEval(*args);
        if (rc != 0) std::exit(rc);
    });
}

}  // namespace synthforge::cli
