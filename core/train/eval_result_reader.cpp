#include "core/train/eval_result_reader.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/file_util.h"

namespace synthforge::train {

namespace {

using Json = nlohmann::json;

/// Typed access to one JSON object's keys; errors name the file and the
/// key's dotted path.
class Fields {
public:
    Fields(const Json& object, const std::string& source, std::string path)
        : j_(object), source_(source), path_(std::move(path)) {
        if (!j_.is_object()) fail("", "expected an object");
    }

    [[noreturn]] void fail(const std::string& key, const std::string& why) const {
        std::string where = path_;
        if (!key.empty()) where += (where.empty() ? "" : ".") + key;
        throw std::runtime_error(source_ + ": " + (where.empty() ? std::string("top level") : where) + ": " + why);
    }

    bool has(const std::string& key) const { return j_.contains(key) && !j_.at(key).is_null(); }

    const Json& at(const std::string& key) const {
        if (!j_.contains(key)) fail(key, "missing");
        return j_.at(key);
    }

    /// A number, or NaN for null (the writer's NaN); absent keys give `fallback`
    /// unless required.
    double number(const std::string& key, bool required = true, double fallback = 0.0) const {
        if (!j_.contains(key)) {
            if (required) fail(key, "missing");
            return fallback;
        }
        return numberValue(j_.at(key), key);
    }

    double numberValue(const Json& v, const std::string& key) const {
        if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
        if (!v.is_number()) fail(key, "expected a number or null");
        return v.get<double>();
    }

    std::int64_t integer(const std::string& key, bool required = true, std::int64_t fallback = 0) const {
        if (!j_.contains(key)) {
            if (required) fail(key, "missing");
            return fallback;
        }
        const Json& v = j_.at(key);
        if (!v.is_number_integer()) fail(key, "expected an integer");
        return v.get<std::int64_t>();
    }

    std::uint64_t count(const std::string& key, bool required = true) const {
        const std::int64_t v = integer(key, required);
        if (v < 0) fail(key, "must not be negative");
        return static_cast<std::uint64_t>(v);
    }

    std::string text(const std::string& key, bool required = true) const {
        if (!j_.contains(key)) {
            if (required) fail(key, "missing");
            return {};
        }
        const Json& v = j_.at(key);
        if (v.is_null() && !required) return {};
        if (!v.is_string()) fail(key, "expected a string");
        return v.get<std::string>();
    }

    bool boolean(const std::string& key, bool required = true) const {
        if (!j_.contains(key)) {
            if (required) fail(key, "missing");
            return false;
        }
        const Json& v = j_.at(key);
        if (!v.is_boolean()) fail(key, "expected true or false");
        return v.get<bool>();
    }

    const Json& array(const std::string& key) const {
        const Json& v = at(key);
        if (!v.is_array()) fail(key, "expected an array");
        return v;
    }

    Fields object(const std::string& key) const { return Fields(at(key), source_, join(key)); }
    Fields element(const std::string& key, std::size_t i, const Json& v) const {
        return Fields(v, source_, join(key) + "[" + std::to_string(i) + "]");
    }

    std::vector<double> numbers(const std::string& key) const {
        std::vector<double> out;
        const Json& a = array(key);
        out.reserve(a.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            out.push_back(numberValue(a[i], key + "[" + std::to_string(i) + "]"));
        return out;
    }

    /// A two-integer array such as "points": [first, last].
    std::pair<int, int> intPair(const std::string& key) const {
        const Json& a = array(key);
        if (a.size() != 2 || !a[0].is_number_integer() || !a[1].is_number_integer()) fail(key, "expected two integers");
        return {a[0].get<int>(), a[1].get<int>()};
    }

private:
    std::string join(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

    const Json& j_;
    const std::string& source_;
    std::string path_;
};

std::vector<SubsetNme> readSubsets(const Fields& f, const std::string& key) {
    std::vector<SubsetNme> out;
    if (!f.has(key)) return out;
    const Json& a = f.array(key);
    for (std::size_t i = 0; i < a.size(); ++i) {
        const Fields s = f.element(key, i, a[i]);
        SubsetNme sub;
        sub.name = s.text("name");
        sub.samples = s.integer("samples");
        sub.nmeMean = s.number("nme_mean");
        sub.failureRate = s.number("failure_rate");
        sub.auc = s.number("auc");
        out.push_back(sub);
    }
    return out;
}

void readZeroShot(const Fields& f, EvalResult& r) {
    ZeroShotReport& z = r.zeroShotReport;
    if (f.has("framing")) {
        const Fields fr = f.object("framing");
        z.framing.box = fr.text("box", false);
        z.framing.source = fr.text("source", false);
        z.framing.trainingData = fr.text("training_data", false);
        z.framing.samplesMeasured = fr.integer("samples_measured", false);
        z.framing.faceFraction = fr.number("face_fraction", false, z.framing.faceFraction);
        if (fr.has("centre_offset")) {
            const Json& c = fr.array("centre_offset");
            if (c.size() != 2) fr.fail("centre_offset", "expected two numbers");
            z.framing.offsetX = fr.numberValue(c[0], "centre_offset[0]");
            z.framing.offsetY = fr.numberValue(c[1], "centre_offset[1]");
        }
    }
    if (f.has("landmark_mapping")) {
        const Fields l = f.object("landmark_mapping");
        LandmarkMapping& lm = z.landmarks;
        lm.scored = l.boolean("scored");
        lm.from = l.text("from", false);
        lm.to = l.text("to", false);
        lm.note = l.text("note", false);
        if (l.has("indices")) {
            const Json& idx = l.at("indices");
            if (idx.is_array()) {
                for (std::size_t k = 0; k < idx.size(); ++k) {
                    if (!idx[k].is_number_integer())
                        l.fail("indices[" + std::to_string(k) + "]", "expected an integer");
                    lm.ourIndex.push_back(idx[k].get<int>());
                }
            } else if (!(idx.is_string() && idx.get<std::string>() == "identity")) {
                l.fail("indices", "expected \"identity\" or an array of integers");
            }
            // "identity" needs the benchmark's point count, which is num_landmarks.
            if (idx.is_string())
                for (int k = 0; k < static_cast<int>(r.numLandmarks); ++k) lm.ourIndex.push_back(k);
        }
        if (l.has("groups")) {
            const Json& g = l.array("groups");
            for (std::size_t i = 0; i < g.size(); ++i) {
                const Fields e = l.element("groups", i, g[i]);
                LandmarkGroupNote n;
                n.name = e.text("name");
                std::tie(n.first, n.last) = e.intPair("points");
                n.agrees = e.boolean("agrees");
                n.note = e.text("note", false);
                lm.groups.push_back(n);
            }
        }
    }
    if (f.has("nme_without_contour")) {
        const Fields a = f.object("nme_without_contour");
        z.landmarks.agreeingLabel = a.text("label", false);
        std::tie(z.landmarks.agreeingFirst, z.landmarks.agreeingLast) = a.intPair("points");
        z.agreeingNmeMean = a.number("nme_mean");
        z.agreeingFailureRate = a.number("failure_rate");
        z.agreeingAuc = a.number("auc");
        z.agreeingSubsets = readSubsets(a, "nme_subsets");
        z.agreeingNmePerImage = a.numbers("nme_per_image");
    }
    if (f.has("class_mapping")) {
        const Fields c = f.object("class_mapping");
        ClassMapping& cm = z.classes;
        cm.scored = c.boolean("scored");
        cm.from = c.text("from", false);
        cm.to = c.text("to", false);
        cm.note = c.text("note", false);
        if (c.has("map")) {
            const Json& m = c.array("map");
            for (std::size_t i = 0; i < m.size(); ++i) {
                const Fields e = c.element("map", i, m[i]);
                ClassMapEntry entry;
                entry.ours = static_cast<int>(e.integer("ours"));
                entry.oursName = e.text("ours_name", false);
                entry.target = static_cast<int>(e.integer("to"));
                entry.targetName = e.text("to_name", false);
                entry.note = e.text("note", false);
                cm.entries.push_back(entry);
            }
        }
        if (c.has("unmapped")) {
            const Json& u = c.array("unmapped");
            for (std::size_t i = 0; i < u.size(); ++i) {
                const Fields e = c.element("unmapped", i, u[i]);
                cm.unmapped.push_back({static_cast<int>(e.integer("id")), e.text("name"), e.text("reason", false)});
            }
        }
    }
}

}  // namespace

EvalResult evalResultFromJson(const std::string& text, const std::string& source) {
    Json j;
    try {
        j = Json::parse(text);
    } catch (const std::exception& e) {
        throw std::runtime_error(source + ": not valid JSON (" + e.what() + ")");
    }
    const Fields f(j, source, "");
    const std::string format = f.text("format");
    if (format != "synthforge-eval") f.fail("format", "'" + format + "' is not synthforge-eval");
    const std::int64_t version = f.integer("version");
    if (version > kEvalJsonVersion)
        f.fail("version", std::to_string(version) + " is newer than this build reads (" +
                              std::to_string(kEvalJsonVersion) + "); a newer SynthForge wrote it");
    if (version < 1) f.fail("version", std::to_string(version) + " is not a valid version");

    EvalResult r;
    r.weights = f.text("weights");
    r.data = f.text("data");
    r.preset = f.text("preset", false);
    r.stage = f.text("stage", false);
    if (r.stage.empty()) r.stage = "I";
    r.datasetFormat = f.text("dataset_format", false);
    r.size = f.integer("size", false);
    r.split = f.text("split", false);
    r.splitRule = f.text("split_rule", false);
    r.firstSample = f.integer("first_sample", false);
    r.samples = f.integer("samples");
    r.numLandmarks = f.integer("num_landmarks", false, r.numLandmarks);
    r.nmeNormalizer = f.text("nme_normalizer", false);
    r.nmeMean = f.number("nme_mean");
    r.failureThreshold = f.number("failure_threshold");
    if (!(r.failureThreshold > 0.0) || !std::isfinite(r.failureThreshold))
        f.fail("failure_threshold", "must be a finite number > 0");
    r.failureRate = f.number("failure_rate");
    r.auc = f.number("auc");
    r.nmeSubsets = readSubsets(f, "nme_subsets");
    r.nmePerImage = f.numbers("nme_per_image");

    const Json& classes = f.array("classes");
    for (std::size_t i = 0; i < classes.size(); ++i) {
        const Fields c = f.element("classes", i, classes[i]);
        ClassEval e;
        e.id = static_cast<int>(c.integer("id"));
        e.name = c.text("name");
        e.f1 = c.number("f1");
        e.iou = c.number("iou");
        e.precision = c.number("precision", false, std::numeric_limits<double>::quiet_NaN());
        e.recall = c.number("recall", false, std::numeric_limits<double>::quiet_NaN());
        e.gtPixels = c.count("gt_pixels", false);
        e.predPixels = c.count("pred_pixels", false);
        r.classes.push_back(e);
    }
    const Fields mean = f.object("mean_foreground");
    r.meanF1 = mean.number("f1");
    r.meanIoU = mean.number("iou");
    r.foregroundCounted = static_cast<int>(mean.integer("classes_counted", false));
    r.depthL1 = f.number("depth_l1_face", false, std::numeric_limits<double>::quiet_NaN());
    r.facePixels = f.count("face_pixels", false);
    r.zeroShot = f.has("zero_shot") && f.boolean("zero_shot");
    if (r.zeroShot) readZeroShot(f, r);
    return r;
}

EvalResult readEvalResultFile(const std::string& path) {
    // eval.json holds one number per image: 64 MiB is far above any benchmark's.
    return evalResultFromJson(io::readFileText(path, 64ull << 20), path);
}

}  // namespace synthforge::train
