#include "core/generate/samplers/sampling_config.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace synthforge::generate {

using nlohmann::json;

namespace {

constexpr const char* kKindNames[] = {"iid", "sobol", "stratified", "diverse", "identity", "guided"};
constexpr int kKinds = 6;

[[noreturn]] void fail(const std::string& source, const std::string& key, const std::string& what) {
    throw std::runtime_error(source + ": sampler." + key + ": " + what);
}

std::int64_t integer(const json& v, const std::string& source, const std::string& key, std::int64_t lo,
                     std::int64_t hi) {
    if (!v.is_number_integer()) fail(source, key, "must be an integer");
    const auto i = v.get<std::int64_t>();
    if (i < lo || i > hi) fail(source, key, "out of range " + std::to_string(lo) + ".." + std::to_string(hi));
    return i;
}

/// The keys each sampler reads besides "name".
std::set<std::string> keysOf(SamplerKind k) {
    switch (k) {
        case SamplerKind::Iid: return {};
        case SamplerKind::Sobol: return {"axes", "ranges"};
        case SamplerKind::Stratified: return {"axes", "bins", "ranges"};
        case SamplerKind::Diverse: return {"features", "pool", "block", "window", "run"};
        case SamplerKind::Identity: return {"identities", "per_identity"};
        case SamplerKind::Guided: return {"run", "score", "temperature", "pool", "block"};
    }
    return {};
}

}  // namespace

std::string samplerKindName(SamplerKind k) { return kKindNames[static_cast<int>(k)]; }

SamplerKind parseSamplerKind(const std::string& name, const std::string& field) {
    for (int i = 0; i < kKinds; ++i)
        if (name == kKindNames[i]) return static_cast<SamplerKind>(i);
    throw std::invalid_argument(field + ": unknown sampler \"" + name +
                                "\" (known: iid, sobol, stratified, diverse, identity, guided)");
}

std::string SamplingAxis::name() const {
    switch (kind) {
        case Kind::Yaw: return "yaw";
        case Kind::Pitch: return "pitch";
        case Kind::Fov: return "fov";
        case Kind::Jaw: return "jaw";
        case Kind::Shape: return "shape:" + std::to_string(component);
        case Kind::Expr: return "expr:" + std::to_string(component);
    }
    return "";
}

SamplingAxis SamplingAxis::parse(const std::string& text, const std::string& field) {
    SamplingAxis a;
    if (text == "yaw") a.kind = Kind::Yaw;
    else if (text == "pitch") a.kind = Kind::Pitch;
    else if (text == "fov") a.kind = Kind::Fov;
    else if (text == "jaw") a.kind = Kind::Jaw;
    else {
        const auto colon = text.find(':');
        const std::string head = text.substr(0, colon), k = colon == std::string::npos ? "" : text.substr(colon + 1);
        if ((head != "shape" && head != "expr") || k.empty() || k.size() > 6 ||
            k.find_first_not_of("0123456789") != std::string::npos)
            throw std::invalid_argument(field + ": unknown axis \"" + text +
                                        "\" (known: yaw, pitch, fov, jaw, shape:K, expr:K with K a component index)");
        a.kind = head == "shape" ? Kind::Shape : Kind::Expr;
        a.component = std::stoi(k);
    }
    return a;
}

bool SamplingConfig::operator==(const SamplingConfig& o) const {
    return kind == o.kind && axes == o.axes && bins == o.bins && ranges == o.ranges && features == o.features && pool == o.pool &&
           block == o.block && window == o.window && identities == o.identities && perIdentity == o.perIdentity &&
           run == o.run && score == o.score && temperature == o.temperature;
}

std::vector<SamplingAxis> SamplingConfig::effectiveAxes() const {
    if (!axes.empty()) return axes;
    return {SamplingAxis{SamplingAxis::Kind::Yaw, 0}, SamplingAxis{SamplingAxis::Kind::Pitch, 0}};
}

std::vector<int> SamplingConfig::effectiveBins() const {
    if (!bins.empty()) return bins;
    std::vector<int> b;
    for (const SamplingAxis& a : effectiveAxes()) b.push_back(a.kind == SamplingAxis::Kind::Yaw ? 5 : 3);
    return b;
}

void SamplingConfig::validate(int shapeComponents, int exprComponents) const {
    const std::vector<SamplingAxis> ax = effectiveAxes();
    for (std::size_t i = 0; i < ax.size(); ++i) {
        const std::string field = "sampler.axes[" + std::to_string(i) + "]";
        const auto before = ax.begin() + static_cast<std::ptrdiff_t>(i);
        if (std::find(ax.begin(), before, ax[i]) != before)
            throw std::invalid_argument(field + ": axis \"" + ax[i].name() + "\" given twice");
        if (ax[i].kind == SamplingAxis::Kind::Shape && ax[i].component >= shapeComponents)
            throw std::invalid_argument(field + ": \"" + ax[i].name() + "\" is not sampled (head.shape_components is " +
                                        std::to_string(shapeComponents) + ")");
        if (ax[i].kind == SamplingAxis::Kind::Expr && ax[i].component >= exprComponents)
            throw std::invalid_argument(field + ": \"" + ax[i].name() + "\" is not sampled (head.expr_components is " +
                                        std::to_string(exprComponents) + ")");
    }
    if (!ranges.empty()) {
        if (ranges.size() != ax.size())
            throw std::invalid_argument("sampler.ranges: " + std::to_string(ranges.size()) + " ranges for " +
                                        std::to_string(ax.size()) + " axes (one per axis)");
        for (std::size_t i = 0; i < ranges.size(); ++i)
            if (!std::isfinite(ranges[i].lo) || !std::isfinite(ranges[i].hi) || ranges[i].lo > ranges[i].hi)
                throw std::invalid_argument("sampler.ranges[" + std::to_string(i) + "]: must be [lo, hi] with lo <= hi");
    }
    if (kind == SamplerKind::Sobol && static_cast<int>(ax.size()) > kMaxSobolAxes)
        throw std::invalid_argument("sampler.axes: at most " + std::to_string(kMaxSobolAxes) + " Sobol axes");
    if (kind == SamplerKind::Stratified) {
        const std::vector<int> b = effectiveBins();
        if (b.size() != ax.size())
            throw std::invalid_argument("sampler.bins: " + std::to_string(b.size()) + " values for " +
                                        std::to_string(ax.size()) + " axes (one per axis)");
        std::int64_t cells = 1;
        for (std::size_t i = 0; i < b.size(); ++i) {
            if (b[i] < 1)
                throw std::invalid_argument("sampler.bins[" + std::to_string(i) + "]: must be at least 1, got " +
                                            std::to_string(b[i]));
            cells *= b[i];
            if (cells > (1 << 24)) throw std::invalid_argument("sampler.bins: more than 16777216 cells");
        }
    }
    if (kind == SamplerKind::Diverse || kind == SamplerKind::Guided) {
        if (block < 1) throw std::invalid_argument("sampler.block: must be at least 1");
        if (pool < block)
            throw std::invalid_argument("sampler.pool: " + std::to_string(pool) + " candidates cannot yield a block of " +
                                        std::to_string(block) + " (pool must be >= block)");
        if (window < 0) throw std::invalid_argument("sampler.window: must be >= 0");
    }
    if (kind == SamplerKind::Diverse) {
        if (features == DiverseFeatures::Backbone && run.empty())
            throw std::invalid_argument("sampler.run: \"backbone\" features need a trained Stage I run");
        if (features != DiverseFeatures::Backbone && !run.empty())
            throw std::invalid_argument("sampler.run: only with \"features\": \"backbone\"");
    }
    if (kind == SamplerKind::Guided) {
        if (run.empty())
            throw std::invalid_argument("sampler.run (--guide-run): the guided sampler needs a trained Stage I run "
                                        "to score candidates");
        if (score != "nme" && score != "loss")
            throw std::invalid_argument("sampler.score: \"" + score + "\" is not nme or loss");
        if (!(temperature > 0) || !std::isfinite(temperature))
            throw std::invalid_argument("sampler.temperature: must be a positive number");
    }
    if (kind == SamplerKind::Identity) {
        if (identities < 1) throw std::invalid_argument("sampler.identities (--identities): must be at least 1");
        if (perIdentity < 1) throw std::invalid_argument("sampler.per_identity (--per-identity): must be at least 1");
    }
}

SamplingConfig parseSamplingSection(const json& s, const std::string& source) {
    if (!s.is_object()) fail(source, "", "must be an object");
    SamplingConfig c;
    if (s.contains("name")) {
        if (!s["name"].is_string()) fail(source, "name", "must be a string");
        try {
            c.kind = parseSamplerKind(s["name"].get<std::string>(), source + ": sampler.name");
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(e.what());
        }
    }
    if (c.kind == SamplerKind::Guided) c.pool = kGuidedPool, c.block = kGuidedBlock;
    const std::set<std::string> known = keysOf(c.kind);
    for (auto it = s.begin(); it != s.end(); ++it) {
        if (it.key() == "name" || known.count(it.key())) continue;
        const std::set<std::string> all{"axes",         "bins", "ranges", "features", "pool",       "block", "window",
                                        "identities", "per_identity", "run",  "score",  "temperature"};
        fail(source, it.key(),
             all.count(it.key()) ? "not read by the " + samplerKindName(c.kind) + " sampler" : "unknown key");
    }
    if (s.contains("axes")) {
        const json& a = s["axes"];
        if (!a.is_array() || a.empty()) fail(source, "axes", "must be a non-empty list of axis names");
        for (std::size_t i = 0; i < a.size(); ++i) {
            const std::string key = "axes[" + std::to_string(i) + "]";
            if (!a[i].is_string()) fail(source, key, "must be a string");
            try {
                c.axes.push_back(SamplingAxis::parse(a[i].get<std::string>(), source + ": sampler." + key));
            } catch (const std::invalid_argument& e) {
                throw std::runtime_error(e.what());
            }
        }
    }
    if (s.contains("bins")) {
        const json& b = s["bins"];
        if (!b.is_array() || b.empty()) fail(source, "bins", "must be a non-empty list of whole numbers");
        for (std::size_t i = 0; i < b.size(); ++i)
            c.bins.push_back(static_cast<int>(integer(b[i], source, "bins[" + std::to_string(i) + "]", 1, 1 << 24)));
    }
    if (s.contains("ranges")) {
        const json& r = s["ranges"];
        if (!r.is_array() || r.empty()) fail(source, "ranges", "must be a non-empty list of [lo, hi] pairs");
        for (std::size_t i = 0; i < r.size(); ++i) {
            const std::string key = "ranges[" + std::to_string(i) + "]";
            if (!r[i].is_array() || r[i].size() != 2 || !r[i][0].is_number() || !r[i][1].is_number())
                fail(source, key, "must be [lo, hi] (two numbers)");
            const Range range{r[i][0].get<double>(), r[i][1].get<double>()};
            if (!std::isfinite(range.lo) || !std::isfinite(range.hi) || range.lo > range.hi)
                fail(source, key, "must have lo <= hi");
            c.ranges.push_back(range);
        }
    }
    if (s.contains("features")) {
        const json& f = s["features"];
        if (f == "params") c.features = DiverseFeatures::Params;
        else if (f == "landmarks") c.features = DiverseFeatures::Landmarks;
        else if (f == "backbone") c.features = DiverseFeatures::Backbone;
        else fail(source, "features", "must be \"params\", \"landmarks\" or \"backbone\"");
    }
    if (s.contains("pool")) c.pool = static_cast<int>(integer(s["pool"], source, "pool", 1, 1 << 20));
    if (s.contains("block")) c.block = static_cast<int>(integer(s["block"], source, "block", 1, 1 << 16));
    if (s.contains("window")) c.window = static_cast<int>(integer(s["window"], source, "window", 0, 1 << 16));
    if (s.contains("identities"))
        c.identities = static_cast<std::uint64_t>(integer(s["identities"], source, "identities", 1, 100000000));
    if (s.contains("run")) {
        if (!s["run"].is_string() || s["run"].get<std::string>().empty())
            fail(source, "run", "must be the path of a Stage I run folder");
        c.run = s["run"].get<std::string>();
    }
    if (s.contains("score")) {
        if (s["score"] != "nme" && s["score"] != "loss") fail(source, "score", "must be \"nme\" or \"loss\"");
        c.score = s["score"].get<std::string>();
    }
    if (s.contains("temperature")) {
        if (!s["temperature"].is_number() || !(s["temperature"].get<double>() > 0))
            fail(source, "temperature", "must be a positive number");
        c.temperature = s["temperature"].get<double>();
    }
    if (s.contains("per_identity"))
        c.perIdentity = static_cast<std::uint64_t>(integer(s["per_identity"], source, "per_identity", 1, 100000000));
    return c;
}

std::string samplingSectionJson(const SamplingConfig& c) {
    json j;
    j["name"] = samplerKindName(c.kind);
    switch (c.kind) {
        case SamplerKind::Iid: break;
        case SamplerKind::Sobol:
        case SamplerKind::Stratified: {
            json axes = json::array();
            for (const SamplingAxis& a : c.effectiveAxes()) axes.push_back(a.name());
            j["axes"] = axes;
            if (c.kind == SamplerKind::Stratified) j["bins"] = c.effectiveBins();
            if (!c.ranges.empty()) {
                json ranges = json::array();
                for (const Range& r : c.ranges) ranges.push_back(json::array({r.lo, r.hi}));
                j["ranges"] = ranges;
            }
            break;
        }
        case SamplerKind::Diverse:
            j["features"] = c.features == DiverseFeatures::Params      ? "params"
                            : c.features == DiverseFeatures::Landmarks ? "landmarks"
                                                                       : "backbone";
            if (c.features == DiverseFeatures::Backbone) j["run"] = c.run;
            j["pool"] = c.pool;
            j["block"] = c.block;
            j["window"] = c.window;
            break;
        case SamplerKind::Identity:
            j["identities"] = c.identities;
            j["per_identity"] = c.perIdentity;
            break;
        case SamplerKind::Guided:
            j["run"] = c.run;
            j["score"] = c.score;
            j["temperature"] = c.temperature;
            j["pool"] = c.pool;
            j["block"] = c.block;
            break;
    }
    return j.dump();
}

}  // namespace synthforge::generate
