#include "core/runs/run_scalars.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>
#include <system_error>

namespace fs = std::filesystem;

namespace synthforge::runs {

namespace {

constexpr const char* kEventPrefix = "events.out.tfevents.";

ScalarPoint toPoint(const io::TbScalar& s) { return {s.step, s.wallTime, static_cast<double>(s.value)}; }

}  // namespace

void appendScalar(std::vector<ScalarPoint>& curve, const ScalarPoint& p) {
    if (!curve.empty() && p.step < curve.back().step) {
        const auto from = std::lower_bound(curve.begin(), curve.end(), p.step,
                                           [](const ScalarPoint& q, std::int64_t step) { return q.step < step; });
        curve.erase(from, curve.end());
    }
    curve.push_back(p);
}

RunScalarSource::RunScalarSource(std::string runDir) : runDir_(std::move(runDir)) {}
RunScalarSource::~RunScalarSource() = default;
RunScalarSource::RunScalarSource(RunScalarSource&&) noexcept = default;
RunScalarSource& RunScalarSource::operator=(RunScalarSource&&) noexcept = default;

std::vector<std::string> RunScalarSource::eventFiles() const {
    std::vector<std::string> out;
    for (const auto& f : events_) out.push_back(f->path());
    return out;
}

std::vector<std::string> RunScalarSource::warnings() const {
    std::vector<std::string> out;
    for (const auto& f : events_) out.insert(out.end(), f->warnings().begin(), f->warnings().end());
    if (csv_) {
        out.insert(out.end(), csv_->warnings().begin(), csv_->warnings().end());
        if (csv_->suppressedWarnings() > 0)
            out.push_back(csv_->path() + ": " + std::to_string(csv_->suppressedWarnings()) + " more warnings not shown");
    }
    out.insert(out.end(), ownWarnings_.begin(), ownWarnings_.end());
    return out;
}

void RunScalarSource::rebuildFromEvents() {
    scalars_.clear();
    for (const auto& f : events_)
        for (const io::TbScalar& s : f->scalars()) appendScalar(scalars_[s.tag], toPoint(s));
}

void RunScalarSource::rebuildFromCsv() {
    scalars_.clear();
    const auto& columns = csv_->columns();
    for (std::size_t c = 1; c < columns.size(); ++c) {
        std::vector<ScalarPoint> points = csv_->series(columns[c]);
        // A rewritten file is read from scratch, so its steps only go back
        // through a bad file; the same rule as for event files keeps curves sorted.
        std::vector<ScalarPoint>& curve = scalars_["csv/" + columns[c]];
        for (const ScalarPoint& p : points) appendScalar(curve, p);
    }
}

bool RunScalarSource::poll() {
    ownWarnings_.clear();
    std::set<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(runDir_, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        std::error_code typeEc;
        if (name.rfind(kEventPrefix, 0) == 0 && it->is_regular_file(typeEc)) names.insert(name);
    }
    if (ec && fs::exists(runDir_)) ownWarnings_.push_back(runDir_ + ": cannot list the directory: " + ec.message());

    bool rebuild = false;
    bool changed = false;
    // Followers of files that are gone go; new files join in name order.
    const std::size_t before = events_.size();
    events_.erase(std::remove_if(events_.begin(), events_.end(),
                                 [&](const auto& f) { return !names.count(fs::path(f->path()).filename().string()); }),
                  events_.end());
    rebuild = events_.size() != before;
    for (const std::string& name : names) {
        const std::string path = (fs::path(runDir_) / name).string();
        const auto pos = std::lower_bound(events_.begin(), events_.end(), path,
                                          [](const auto& f, const std::string& p) { return f->path() < p; });
        if (pos != events_.end() && (*pos)->path() == path) continue;
        // A file that sorts before one already read changes the reading order.
        if (pos != events_.end()) rebuild = true;
        events_.insert(pos, std::make_unique<EventFileFollower>(path));
    }

    if (!events_.empty()) {
        if (csv_) {  // the run started writing event files: they replace the CSV's curves
            csv_.reset();
            rebuild = true;
        }
        std::vector<EventFileFollower::Update> updates;
        updates.reserve(events_.size());
        std::size_t lastWithData = 0;
        for (std::size_t i = 0; i < events_.size(); ++i) {
            updates.push_back(events_[i]->poll());
            if (updates.back().restarted) rebuild = true;
            if (!events_[i]->scalars().empty()) lastWithData = i;
        }
        // Values appended to a file older than one that already has values
        // belong before those: only a full merge puts them there.
        for (std::size_t i = 0; i < lastWithData; ++i)
            if (!updates[i].scalars.empty()) rebuild = true;
        if (rebuild) {
            rebuildFromEvents();
            return true;
        }
        for (const auto& up : updates) {
            for (const io::TbScalar& s : up.scalars) appendScalar(scalars_[s.tag], toPoint(s));
            changed = changed || !up.scalars.empty();
        }
        return changed;
    }

    if (!csv_) {
        csv_ = std::make_unique<MetricsCsvFollower>((fs::path(runDir_) / "metrics.csv").string());
        rebuild = rebuild || !scalars_.empty();
    }
    const std::size_t restartsBefore = csv_->restarts();
    const std::size_t rowsBefore = csv_->rowCount();
    const std::size_t columnsBefore = csv_->columns().size();
    if (!csv_->poll() && !rebuild) return false;
    if (rebuild || csv_->restarts() != restartsBefore || csv_->columns().size() != columnsBefore) {
        rebuildFromCsv();
        return true;
    }
    // Only rows were added: append them to each column's curve.
    const auto& columns = csv_->columns();
    for (std::size_t c = 1; c < columns.size(); ++c) {
        std::vector<ScalarPoint>& curve = scalars_["csv/" + columns[c]];
        for (std::size_t r = rowsBefore; r < csv_->rowCount(); ++r) {
            const double v = csv_->cell(r, c);
            if (!std::isnan(v)) appendScalar(curve, {csv_->steps()[r], std::numeric_limits<double>::quiet_NaN(), v});
        }
    }
    return true;
}

}  // namespace synthforge::runs
