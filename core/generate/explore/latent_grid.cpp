#include "core/generate/explore/latent_grid.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "core/annotate/overlays.h"

namespace synthforge::generate {

GridAxis GridAxis::parse(const std::string& text, const std::string& field) {
    const std::string form = " (expected AXIS:FROM:TO:N, AXIS one of yaw, pitch, fov, jaw, shape:K, expr:K, seed)";
    // The last three ':'-separated fields are numbers; the axis may hold a ':'.
    std::vector<std::size_t> colons;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == ':') colons.push_back(i);
    if (colons.size() < 3) throw std::invalid_argument(field + ": \"" + text + "\"" + form);
    const std::size_t c3 = colons[colons.size() - 3], c2 = colons[colons.size() - 2], c1 = colons.back();
    GridAxis g;
    const std::string name = text.substr(0, c3);
    const auto number = [&](std::size_t a, std::size_t b) {
        const std::string v = text.substr(a + 1, b - a - 1);
        char* end = nullptr;
        const double d = std::strtod(v.c_str(), &end);
        if (v.empty() || *end != '\0' || !std::isfinite(d))
            throw std::invalid_argument(field + ": \"" + v + "\" is not a number" + form);
        return d;
    };
    g.from = number(c3, c2);
    g.to = number(c2, c1);
    const double n = number(c1, text.size());
    if (n < 1 || n > 64 || n != std::floor(n))
        throw std::invalid_argument(field + ": N must be a whole number from 1 to 64, got " + text.substr(c1 + 1));
    g.steps = static_cast<int>(n);
    if (name == "seed") {
        g.seed = true;
        if (g.from < 0 || g.to < 0) throw std::invalid_argument(field + ": seeds are not negative");
    } else {
        g.axis = SamplingAxis::parse(name, field);
    }
    return g;
}

double GridAxis::value(int i) const { return steps == 1 ? from : from + (to - from) * i / (steps - 1); }

std::string GridAxis::name() const { return seed ? std::string("seed") : axis.name(); }

namespace {

void apply(SampleSpec& spec, const GridAxis& a, double v, const SamplePipeline& p, std::uint64_t index) {
    if (a.seed) {
        spec.z = drawSample(p.sampler, *p.model, static_cast<std::uint64_t>(std::llround(v)), index).z;
    } else {
        setAxisValue(spec, a.axis, v);
    }
}

std::string caption(const GridAxis& a, double v) {
    char buf[64];
    if (a.seed)
        std::snprintf(buf, sizeof buf, "seed %lld", static_cast<long long>(std::llround(v)));
    else
        std::snprintf(buf, sizeof buf, "%s %.2f", a.name().c_str(), v);
    return buf;
}

}  // namespace

SampleSpec gridCellSpec(const SamplePipeline& p, const GridRequest& g, int row, int col) {
    if (!p.model) throw std::invalid_argument("gridCellSpec: no head model");
    if (row < 0 || row >= g.rows.steps || col < 0 || col >= g.cols.steps)
        throw std::invalid_argument("gridCellSpec: cell outside the grid");
    SampleSpec spec = g.base ? *g.base : drawSample(p.sampler, *p.model, g.seed, g.index);
    apply(spec, g.rows, g.rows.value(row), p, g.index);
    apply(spec, g.cols, g.cols.value(col), p, g.index);
    return spec;
}

std::string gridCellCaption(const GridRequest& g, int row, int col) {
    return caption(g.rows, g.rows.value(row)) + ", " + caption(g.cols, g.cols.value(col));
}

GridCells renderGrid(const SamplePipeline& p, const GridRequest& g, int workers, jobs::ProgressSink* progress) {
    if (g.overlay != "none" && g.overlay != "landmarks" && g.overlay != "segmentation")
        throw std::invalid_argument("overlay: \"" + g.overlay + "\" is not none, landmarks or segmentation");
    if (g.overlay == "segmentation" && !p.labels)
        throw std::invalid_argument("overlay: segmentation needs a label map");
    GridCells out;
    out.rows = g.rows.steps;
    out.cols = g.cols.steps;
    const int n = out.rows * out.cols;
    std::vector<SampleSpec> specs;
    for (int r = 0; r < out.rows; ++r)
        for (int c = 0; c < out.cols; ++c) {
            specs.push_back(gridCellSpec(p, g, r, c));
            out.captions.push_back(gridCellCaption(g, r, c));
        }
    out.cells.resize(static_cast<std::size_t>(n));
    SamplePipeline lean = p;
    lean.annotation.segmentation = g.overlay == "segmentation";
    lean.annotation.normals = false;
    const int threads = std::clamp(workers > 0 ? workers : static_cast<int>(std::thread::hardware_concurrency()), 1, n);
    jobs::ProgressTracker tracker(progress, "grid", static_cast<std::uint64_t>(n));
    std::atomic<int> next{0};
    std::mutex mu;
    std::exception_ptr error;
    const auto work = [&] {
        for (int i; (i = next++) < n;) {
            try {
                out.cells[static_cast<std::size_t>(i)] = lean.render(specs[static_cast<std::size_t>(i)]);
            } catch (...) {
                std::lock_guard<std::mutex> lock(mu);
                if (!error) error = std::current_exception();
                next = n;
                return;
            }
            std::lock_guard<std::mutex> lock(mu);
            tracker.advance();
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
    tracker.finish();
    return out;
}

cv::Mat gridSheet(const SamplePipeline& p, const GridRequest& g, const GridCells& cells) {
    std::vector<cv::Mat> tiles;
    for (const RenderedSample& s : cells.cells) {
        const annotate::Annotations& a = s.annotations;
        if (g.overlay == "landmarks")
            tiles.push_back(annotate::drawLandmarks(s.image.image, a.landmarks2d, a.landmarkVisible));
        else if (g.overlay == "segmentation" && !a.segmentation.empty())
            tiles.push_back(annotate::blendSegmentation(s.image.image, a.segmentation, *p.outputClasses(), 0.5f));
        else
            tiles.push_back(s.image.image);
    }
    return annotate::contactSheet(tiles, cells.cols, std::max(8, p.width), cells.captions);
}

}  // namespace synthforge::generate
