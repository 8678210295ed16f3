// The framing cascade (see landmark_cascade.h).

#include "core/train/landmark_cascade.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace synthforge::train {

namespace {

/// Normalised crop coordinates -> pixels of the input image.
Points2d toImage(const Points2d& normalised, const Similarity2d& crop, int size) {
    return crop.inverse().apply(normalisedToCropPixels(normalised, size));
}

}  // namespace

std::vector<CascadeTrace> runLandmarkCascade(const std::vector<Similarity2d>& initial, const Points2d& tmpl, int size,
                                             const CascadeOptions& o, const CropPredictor& predict) {
    if (tmpl.rows() < 2) throw std::invalid_argument("runLandmarkCascade: the template needs at least two points");
    if (size < 1) throw std::invalid_argument("runLandmarkCascade: size must be positive");
    if (o.maxIterations < 0) throw std::invalid_argument("cascade: iterations must be >= 0");
    if (!(o.tolerance >= 0)) throw std::invalid_argument("cascade tolerance: must be >= 0");
    std::vector<CascadeTrace> traces(initial.size());
    std::vector<CropRequest> pending;
    for (std::size_t i = 0; i < initial.size(); ++i) {
        traces[i].crop = initial[i];
        pending.push_back({i, initial[i]});
    }
    for (int iteration = 0; !pending.empty(); ++iteration) {
        const std::vector<Points2d> answers = predict(pending);
        if (answers.size() != pending.size())
            throw std::invalid_argument("runLandmarkCascade: the predictor answered " + std::to_string(answers.size()) +
                                        " of " + std::to_string(pending.size()) + " crops");
        std::vector<CropRequest> next;
        for (std::size_t k = 0; k < pending.size(); ++k) {
            CascadeTrace& t = traces[pending[k].item];
            if (answers[k].rows() != tmpl.rows())
                throw std::invalid_argument("runLandmarkCascade: the predictor gave " +
                                            std::to_string(answers[k].rows()) + " landmarks, the template has " +
                                            std::to_string(tmpl.rows()));
            t.crop = pending[k].crop;
            t.iterations = iteration;
            t.landmarks = toImage(answers[k], t.crop, size);
            if (iteration >= o.maxIterations) continue;
            Similarity2d fitted;
            try {
                fitted = alignToTemplate(t.landmarks, tmpl, size);
            } catch (const std::invalid_argument&) {
                continue;  // nothing to align: keep this prediction
            }
            if (!std::isfinite(fitted.a) || !std::isfinite(fitted.b) || !(fitted.scale() > 0)) continue;
            const double motion = cropMotion(t.crop, fitted, size);
            t.motion.push_back(motion);
            if (motion < o.tolerance) {
                t.converged = true;
                continue;
            }
            next.push_back({pending[k].item, fitted});
        }
        pending = std::move(next);
    }
    return traces;
}

}  // namespace synthforge::train
