// synthforge-torch's half of `--generator FILE.pt`: the TorchScript loader
// behind PipelineOptions (pipeline_options.h).

#include "app/cli/commands.h"
#include "app/cli/pipeline_options.h"
#include "core/align/alignment_solver.h"
#include "core/generate/torchscript_generator.h"

namespace synthforge::cli {

void installTorchGenerators() {
    torchGeneratorFactory() = [](const std::string& path, std::shared_ptr<const head::HeadModel> model,
                                 const std::string& device, float psi) {
        generate::TorchScriptGeneratorOptions o;
        o.device = device;
        o.psi = psi;
        return generate::loadTorchScriptGenerator(path, std::move(model), o);
    };
    sampleCheckFactory() = [](const generate::SamplePipeline& pipeline, double thresholdPx) {
        generate::SampleCheck check;
        check.kind = "landmark_residual_px";
        check.threshold = thresholdPx;
        // A copy without the drawer: the check re-poses the drawn spec itself.
        auto p = std::make_shared<generate::SamplePipeline>(pipeline);
        check.judge = [p, thresholdPx](const generate::RenderedSample& s) {
            const align::SampleResidual r = align::checkSample(*p, s.spec, s.spec.index, align::SampleCheckOptions{});
            return generate::SampleVerdict{r.residualPx > thresholdPx, r.residualPx};
        };
        return check;
    };
}

}  // namespace synthforge::cli
