// `synthforge generate`: a dataset (core/generate/dataset_writer.h), sharded,
// resumable, with a progress bar or JSON-lines progress; Ctrl+C stops after
// the samples in flight, leaving only complete samples.

#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>

#include "app/cli/check_option.h"
#include "app/cli/commands.h"
#include "app/cli/guided_sampler_hook.h"
#include "app/cli/pipeline_options.h"
#include "app/cli/run_recording.h"
#include "app/cli/sampler_options.h"
#include "core/generate/dataset_writer.h"
#include "core/jobs/interrupt.h"
#include "core/jobs/terminal_progress.h"

namespace synthforge::cli {

namespace {

struct GenerateArgs {
    PipelineOptions pipeline;
    SamplerOptions sampler;
    std::uint64_t count = 0, seed = 0;
    std::string out, shard, formats = "synthforge", progress = "auto";
    bool resume = false, force = false, normals = false, check = false;
    int workers = 0, pngCompression = 1;
    double rejectPx = 0.0;  ///< 0: no rejection
};

int generateDataset(const GenerateArgs& a, const generate::DatasetOptions& o, generate::SamplePipeline p,
                    jobs::RunRecorder& recorder);

/// Samplers whose draws run a trained network (synthforge-torch's part).
bool needsNetwork(const generate::SamplingConfig& s) {
    return s.kind == generate::SamplerKind::Guided ||
           (s.kind == generate::SamplerKind::Diverse && s.features == generate::DiverseFeatures::Backbone);
}

int runGenerate(const GenerateArgs& a) {
    std::string notes;
    generate::SamplePipeline p = a.pipeline.build(&notes);
    a.sampler.apply(p.sampler, a.count);
    if (needsNetwork(p.sampler.sampling) && !guidedSamplerFactory()) {
        // The network lives in synthforge-torch: run this command there.
        if (!guidedSamplerFallback())
            throw std::runtime_error("--sampler " + generate::samplerKindName(p.sampler.sampling.kind) +
                                     ": this executable cannot run a trained network");
        guidedSamplerFallback()();
    }
    std::cerr << notes;
    generate::DatasetOptions o;
    o.outDir = a.out;
    o.count = a.count;
    o.seed = a.seed;
    o.resume = a.resume;
    o.force = a.force;
    o.normals = a.normals;
    o.workers = a.workers;
    o.pngCompression = a.pngCompression;
    o.formats = generate::DatasetFormats::parse(a.formats);
    o.headSource = a.pipeline.head;
    if (a.rejectPx > 0.0) {
        if (!sampleCheckFactory()) {
            // The check runs the alignment solver: LibTorch's half.
            if (!guidedSamplerFallback()) throw std::runtime_error("--reject-landmark-px: this executable has no LibTorch");
            guidedSamplerFallback()();
        }
        if (!p.generator->capabilities().density)
            throw std::invalid_argument("--reject-landmark-px: the generator has no density to check samples against");
        o.check = sampleCheckFactory()(p, a.rejectPx);
    }
    if (!a.shard.empty()) o.shard = generate::Shard::parse(a.shard);
    else if (auto env = generate::Shard::fromEnvironment()) o.shard = *env;
    // Shards of one dataset run as separate processes writing one folder;
    // one run record per folder cannot describe them, so sharded runs keep
    // none. --check runs no job, so it records none either.
    const std::string recordIn = o.shard.count > 1 || a.check ? std::string() : a.out;
    return recordRun(recordIn, "generate", a.resume || a.force, [&](jobs::RunRecorder& recorder) {
        return generateDataset(a, o, std::move(p), recorder);
    });
}

int generateDataset(const GenerateArgs& a, const generate::DatasetOptions& o, generate::SamplePipeline p,
                    jobs::RunRecorder& recorder) {
    std::unique_ptr<jobs::ProgressSink> inner = jobs::makeCliProgress(a.progress, stderr);
    jobs::ProgressSink* sink = recorder.heartbeatSink(inner.get());
    // The guided sampler (and the diverse one on backbone features) loads
    // its run here, so --check also checks the run.
    if (needsNetwork(p.sampler.sampling)) p.drawer = guidedSamplerFactory()(p, a.sampler.guideDevice);
    if (a.check) {
        printCheckOk();
        return 0;
    }
    jobs::CancelToken cancel;
    jobs::ScopedInterruptHandler interrupt(cancel);
    generate::DatasetRunResult r;
    try {
        r = generate::writeDataset(p, o, sink, &cancel);
    } catch (const jobs::Cancelled&) {
        std::cerr << "stopped: complete samples are kept; run again with --resume to finish\n";
        return 130;
    }
    const double n = static_cast<double>(std::max<std::uint64_t>(1, r.written));
    std::cout << "wrote " << r.written << " samples to " << a.out;
    if (o.shard.count > 1) std::cout << " (shard " << o.shard.toString() << ")";
    if (r.skipped) std::cout << ", " << r.skipped << " already complete";
    if (o.check) std::cout << ", " << r.rejected << " draws rejected and redrawn";
    std::cout << " in " << std::fixed << std::setprecision(1) << r.seconds << " s ("
              << std::setprecision(1) << r.written / std::max(1e-9, r.seconds) << " samples/s)\n";
    std::cout << std::setprecision(2) << "per sample (one worker's time): forward " << 1e3 * r.stageTotals.forward / n
              << " ms, rasterise " << 1e3 * r.stageTotals.rasterize / n << " ms, annotate "
              << 1e3 * r.stageTotals.annotate / n << " ms, shade " << 1e3 * r.stageTotals.generate / n
              << " ms, encode " << 1e3 * r.encodeSeconds / n << " ms, write " << 1e3 * r.writeSeconds / n << " ms\n";
    std::cout << (r.datasetComplete ? "dataset complete\n" : "dataset not complete yet (other shards pending)\n");
    return 0;
}

}  // namespace

GuidedSamplerFactory& guidedSamplerFactory() {
    static GuidedSamplerFactory factory;
    return factory;
}

std::function<void()>& guidedSamplerFallback() {
    static std::function<void()> fallback;
    return fallback;
}

void registerGenerateCommands(CLI::App& app) {
    auto args = std::make_shared<GenerateArgs>();
    CLI::App* cmd = app.add_subcommand("generate", "Generate a dataset of images with annotations");
    cmd->add_option("--count", args->count, "Number of samples in the dataset")->required()->check(CLI::Range(1ull, 100000000ull));
    cmd->add_option("--out", args->out, "Output folder")->required()->type_name("DIR");
    cmd->add_option("--seed", args->seed, "Seed: sample i depends only on (seed, i)")->capture_default_str();
    cmd->add_option("--shard", args->shard, "This process's shard i/n (default: RANK/WORLD_SIZE or SLURM_PROCID/SLURM_NTASKS, else 0/1)");
    cmd->add_flag("--resume", args->resume, "Continue a stopped run: keep complete samples, write the rest");
    cmd->add_flag("--force", args->force, "Write into a folder holding something else (rewrites this shard's samples; deletes nothing else)");
    cmd->add_option("--formats", args->formats, "Comma list: synthforge, facesynthetics, 300w")->capture_default_str();
    cmd->add_flag("--normals", args->normals, "Also write camera-space normal maps");
    cmd->add_option("--reject-landmark-px", args->rejectPx,
                    "Redraw samples whose own alignment refinement moves the landmarks more than this many pixels "
                    "(needs a generator with a density; counted in the manifest)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--workers", args->workers, "Worker threads (0: all cores)")->capture_default_str()->check(CLI::Range(0, 256));
    cmd->add_option("--png-compression", args->pngCompression, "PNG zlib level 0-9")->capture_default_str()->check(CLI::Range(0, 9));
    cmd->add_option("--progress", args->progress, "auto (bar on a terminal), bar, json (JSON lines on stderr) or none")->capture_default_str();
    args->pipeline.addTo(*cmd);
    args->sampler.addTo(*cmd);
    addCheckFlag(cmd, args->check);
    cmd->callback([args] {
        const int rc = runGenerate(*args);
        if (rc != 0) std::exit(rc);
    });
}

}  // namespace synthforge::cli
