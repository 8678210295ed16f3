// AugmentConfig: validation, JSON, and the flip relabelling tables (augment.h).

#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/annotate/class_table.h"
#include "core/io/file_util.h"
#include "core/io/json_fields.h"
#include "core/train/augment.h"

namespace synthforge::train {

namespace {

using nlohmann::ordered_json;

void checkProbability(double p, const char* field) {
    if (!(p >= 0.0 && p <= 1.0))
        throw std::invalid_argument(std::string(field) + ": probability " + std::to_string(p) + " is outside [0, 1]");
}

void checkRange(const AugmentRange& r, const char* field, double minLo = -HUGE_VAL, bool positive = false) {
    if (!std::isfinite(r.lo) || !std::isfinite(r.hi))
        throw std::invalid_argument(std::string(field) + ": not finite");
    if (r.lo > r.hi)
        throw std::invalid_argument(std::string(field) + ": inverted range [" + std::to_string(r.lo) + ", " +
                                    std::to_string(r.hi) + "]");
    if (positive ? !(r.lo > 0.0) : r.lo < minLo)
        throw std::invalid_argument(std::string(field) + ": " + std::to_string(r.lo) +
                                    (positive ? " must be positive" : " is below " + std::to_string(minLo)));
}

// The JSON layout: section -> key -> member. One table drives reading,
// writing and the field names in error messages.
struct RangeKey {
    const char* section;
    const char* key;
    AugmentRange AugmentConfig::*member;
};
struct ProbKey {
    const char* section;
    double AugmentConfig::*member;
};

const RangeKey kRanges[] = {
    {"affine", "scale", &AugmentConfig::scale},         {"affine", "rotation_deg", &AugmentConfig::rotationDeg},
    {"affine", "shift", &AugmentConfig::shift},         {"color", "brightness", &AugmentConfig::brightness},
    {"color", "contrast", &AugmentConfig::contrast},    {"color", "gamma", &AugmentConfig::gamma},
    {"blur", "sigma", &AugmentConfig::blurSigma},       {"noise", "sigma", &AugmentConfig::noiseSigma},
    {"erase", "area", &AugmentConfig::eraseArea},       {"erase", "aspect", &AugmentConfig::eraseAspect},
};
const ProbKey kProbabilities[] = {
    {"affine", &AugmentConfig::affineProbability},       {"perspective", &AugmentConfig::perspectiveProbability},
    {"flip", &AugmentConfig::flipProbability},           {"color", &AugmentConfig::colorProbability},
    {"grayscale", &AugmentConfig::grayscaleProbability}, {"blur", &AugmentConfig::blurProbability},
    {"noise", &AugmentConfig::noiseProbability},         {"erase", &AugmentConfig::eraseProbability},
};
const char* const kSections[] = {"affine", "perspective", "flip", "color", "grayscale", "blur", "noise", "erase"};

}  // namespace

AugmentConfig AugmentConfig::none() {
    AugmentConfig c;
    c.enabled = false;
    for (const auto& p : kProbabilities) c.*(p.member) = 0.0;
    return c;
}

void AugmentConfig::validate() const {
    for (const auto& p : kProbabilities) {
        const std::string field = std::string(p.section) + ".probability";
        checkProbability(this->*(p.member), field.c_str());
    }
    checkRange(scale, "affine.scale", 0, true);
    checkRange(rotationDeg, "affine.rotation_deg", -180.0);
    if (rotationDeg.hi > 180.0) throw std::invalid_argument("affine.rotation_deg: beyond 180 degrees");
    checkRange(shift, "affine.shift", -1.0);
    if (shift.hi > 1.0) throw std::invalid_argument("affine.shift: beyond 1 (the whole image)");
    if (!(perspective >= 0.0 && perspective <= 0.25))
        throw std::invalid_argument("perspective.strength: " + std::to_string(perspective) +
                                    " is outside [0, 0.25] (more folds the image)");
    checkRange(brightness, "color.brightness", -1.0);
    checkRange(contrast, "color.contrast", 0.0);
    checkRange(gamma, "color.gamma", 0, true);
    checkRange(blurSigma, "blur.sigma", 0, true);
    if (blurSigma.hi > 50.0) throw std::invalid_argument("blur.sigma: above 50 pixels");
    checkRange(noiseSigma, "noise.sigma", 0.0);
    checkRange(eraseArea, "erase.area", 0, true);
    if (eraseArea.hi > 1.0) throw std::invalid_argument("erase.area: above 1 (the whole image)");
    checkRange(eraseAspect, "erase.aspect", 0, true);
}

bool AugmentConfig::operator==(const AugmentConfig& o) const {
    if (enabled != o.enabled || perspective != o.perspective) return false;
    for (const auto& p : kProbabilities)
        if (this->*(p.member) != o.*(p.member)) return false;
    for (const auto& r : kRanges)
        if (!(this->*(r.member) == o.*(r.member))) return false;
    return true;
}

std::string augmentConfigToJson(const AugmentConfig& c) {
    ordered_json j;
    j["format"] = "synthforge-augment";
    j["version"] = 1;
    j["enabled"] = c.enabled;
    for (const char* s : kSections) j[s] = ordered_json::object();
    for (const auto& p : kProbabilities) j[p.section]["probability"] = c.*(p.member);
    for (const auto& r : kRanges) j[r.section][r.key] = {(c.*(r.member)).lo, (c.*(r.member)).hi};
    j["perspective"]["strength"] = c.perspective;
    return j.dump(2);
}

AugmentConfig augmentConfigFromJson(const std::string& text, const std::string& source) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        throw std::runtime_error(source + ": not valid JSON (" + e.what() + ")");
    }
    io::JsonFields f(j, source);
    f.expect("format", "synthforge-augment");
    int64_t version = 1;
    if (f.integer("version", version) && version != 1) f.fail("version", "unsupported version (expected 1)");
    AugmentConfig c;
    f.boolean("enabled", c.enabled);
    for (const char* section : kSections) {
        if (!j.contains(section)) continue;
        if (!j[section].is_object()) f.fail(section, "expected an object");
        if (j[section].empty()) f.skip(section);  // an empty section sets nothing and is not an unknown key
    }
    for (const auto& p : kProbabilities) f.number(std::string(p.section) + ".probability", c.*(p.member));
    f.number("perspective.strength", c.perspective);
    for (const auto& r : kRanges) {
        AugmentRange& range = c.*(r.member);
        f.numberPair(std::string(r.section) + "." + r.key, range.lo, range.hi);
    }
    f.finish();
    try {
        c.validate();
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(source + ": " + e.what());
    }
    return c;
}

AugmentConfig readAugmentConfig(const std::string& path) {
    return augmentConfigFromJson(io::readFileText(path, 1u << 20), path);
}

const std::vector<int>& ibug68FlipPermutation() {
    static const std::vector<int> perm = [] {
        std::vector<int> p(68);
        for (int i = 0; i < 68; ++i) p[i] = i;
        auto pair = [&](int a, int b) { p[a] = b, p[b] = a; };
        for (int i = 0; i < 8; ++i) pair(i, 16 - i);         // jaw
        for (int i = 0; i < 5; ++i) pair(17 + i, 26 - i);    // brows
        pair(31, 35), pair(32, 34);                          // nostrils (27..30, 33 on the midline)
        pair(36, 45), pair(37, 44), pair(38, 43), pair(39, 42), pair(40, 47), pair(41, 46);  // eyes
        pair(48, 54), pair(49, 53), pair(50, 52), pair(55, 59), pair(56, 58);                // outer lips
        pair(60, 64), pair(61, 63), pair(65, 67);                                            // inner lips
        return p;
    }();
    return perm;
}

const std::vector<int>& faceSynthetics70FlipPermutation() {
    static const std::vector<int> perm = [] {
        std::vector<int> p = ibug68FlipPermutation();
        p.push_back(69);  // right pupil <-> left pupil
        p.push_back(68);
        return p;
    }();
    return perm;
}

const std::vector<int>& lapa106FlipPermutation() {
    // The JD-landmark / LaPa 106-point layout's left-right pairs.
    static const std::vector<int> perm = [] {
        std::vector<int> p(106);
        for (int i = 0; i < 106; ++i) p[i] = i;
        auto pair = [&](int a, int b) { p[a] = b, p[b] = a; };
        for (int i = 0; i < 16; ++i) pair(i, 32 - i);                                // contour, 16 on the chin
        for (int i = 0; i < 5; ++i) pair(33 + i, 46 - i);                            // upper brow edges
        for (int i = 0; i < 4; ++i) pair(38 + i, 50 - i);                            // lower brow edges
        for (int i = 0; i < 5; ++i) pair(55 + i, 65 - i);                            // nose wings (51..54, 60 midline)
        for (int i = 0; i < 5; ++i) pair(66 + i, 79 - i);                            // eye outlines
        pair(71, 82), pair(72, 81), pair(73, 80), pair(74, 83);                      // eye lids and centres
        pair(84, 90), pair(85, 89), pair(86, 88), pair(91, 95), pair(92, 94);        // outer lips (87, 93 midline)
        pair(96, 100), pair(97, 99), pair(101, 103);                                 // inner lips (98, 102 midline)
        pair(104, 105);                                                              // pupils
        return p;
    }();
    return perm;
}

AugmentConfig resolveAugment(const std::string& what) {
    if (what == "none") return AugmentConfig::none();
    if (what == "default") return AugmentConfig();
    // Inline JSON is what a run's config.json holds, read back by --config.
    if (!what.empty() && what.front() == '{') return augmentConfigFromJson(what, "augment (inline JSON)");
    return readAugmentConfig(what);
}

FlipSpec::FlipSpec() : classFlip(annotate::ClassTable::defaultTable().flipMap()) {}

FlipSpec FlipSpec::forClasses(const annotate::ClassTable& table) {
    FlipSpec f;
    f.classFlip = table.flipMap();
    return f;
}

}  // namespace synthforge::train
