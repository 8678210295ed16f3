#pragma once
// Training augmentation that keeps every annotation consistent with the
// image: one geometric transform (affine + perspective + horizontal flip)
// moves the image (bilinear), the segmentation and depth (nearest) and the
// landmarks alike; photometric operations (colour, grayscale, blur, noise,
// random erasing) touch the image only. docs/augmentation.md has the
// defaults, the order of operations and the reasons behind the choices.
//
// Deterministic: every random draw comes from the 64-bit seed passed in
// (SplitMix64 streams, core/generate/sample_rng.h), one independent stream per
// operation, so a result depends on (sample, config, seed) only, never on the
// thread that computes it or on what was augmented before. Callers key the
// seed by (run seed, epoch, sample index) with augmentSeed().
//
// Coordinates: landmarks are continuous pixels, pixel i covering [i, i+1)
// (its centre at i + 0.5), as everywhere in SynthForge.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <opencv2/core.hpp>

#include "core/io/pts_file.h"

namespace synthforge::annotate {
class ClassTable;
}

namespace synthforge::train {

/// One training sample as augmentation sees it.
struct AugmentSample {
    cv::Mat image;               ///< CV_8UC3, RGB
    cv::Mat segmentation;        ///< CV_8UC1 class ids, the image's size; may be empty
    cv::Mat depth;               ///< CV_32FC1, the image's size, 0 = background; may be empty
    io::Points2f landmarks;      ///< N x 2 continuous pixels
    Eigen::VectorXf visibility;  ///< N values (0 = not visible); empty means all visible
    /// Class id for pixels that a warp brings in from outside the image: 0
    /// (background) for rendered data, 255 (ignored) for real photographs,
    /// whose surroundings are unknown.
    std::uint8_t segmentationBorder = 0;
};

/// A closed interval [lo, hi] to draw uniformly from.
struct AugmentRange {
    double lo = 0.0, hi = 0.0;
    bool operator==(const AugmentRange& o) const { return lo == o.lo && hi == o.hi; }
};

/// Every range and probability of the augmentation. Defaults (see
/// docs/augmentation.md) suit 256 x 256 face crops; none() is an exact
/// identity. Probabilities are per sample and per operation.
struct AugmentConfig {
    bool enabled = true;  ///< false: augment() returns the sample unchanged

    // Geometric, one transform about the image centre.
    double affineProbability = 0.8;
    AugmentRange scale{0.9, 1.1};           ///< zoom factor
    AugmentRange rotationDeg{-15.0, 15.0};  ///< degrees, positive = clockwise on screen (y down)
    AugmentRange shift{-0.05, 0.05};        ///< x and y shifts, fraction of the image width / height
    double perspectiveProbability = 0.3;
    double perspective = 0.05;  ///< each corner moves up to this fraction of the image size (0..0.25)
    double flipProbability = 0.5;

    // Photometric, image only.
    double colorProbability = 0.8;
    AugmentRange brightness{-0.1, 0.1};  ///< added, fraction of full scale (255)
    AugmentRange contrast{0.8, 1.2};     ///< factor about mid-grey
    AugmentRange gamma{0.8, 1.25};       ///< out = in^gamma on [0, 1]
    double grayscaleProbability = 0.05;
    double blurProbability = 0.1;
    AugmentRange blurSigma{0.5, 1.5};  ///< Gaussian sigma, pixels
    double noiseProbability = 0.2;
    AugmentRange noiseSigma{2.0, 8.0};  ///< Gaussian noise sigma, 8-bit units
    double eraseProbability = 0.2;
    AugmentRange eraseArea{0.02, 0.12};  ///< rectangle area, fraction of the image
    AugmentRange eraseAspect{0.3, 3.3};  ///< rectangle width / height

    /// Every operation off: augment() returns the input bit for bit.
    static AugmentConfig none();

    /// Throws std::invalid_argument naming the field (JSON key) of an
    /// inverted or non-finite range, a probability outside [0, 1], a scale
    /// or sigma that is not positive, or a perspective outside [0, 0.25].
    void validate() const;

    bool operator==(const AugmentConfig& o) const;
    bool operator!=(const AugmentConfig& o) const { return !(*this == o); }
};

/// The JSON text of a config (every key written), for config.json:
/// {"format": "synthforge-augment", "version": 1, "enabled": ..., "affine": {...}, ...}.
std::string augmentConfigToJson(const AugmentConfig& c);
/// Parses such JSON. Missing keys keep their defaults; unknown keys, wrong
/// types, inverted ranges and probabilities outside [0, 1] throw
/// std::runtime_error("<source>: <field>: what"), the field as a JSON path
/// such as "affine.scale".
AugmentConfig augmentConfigFromJson(const std::string& text, const std::string& source = "augment config");
/// The same from a file (refused above 1 MiB).
AugmentConfig readAugmentConfig(const std::string& path);

/// How a horizontal flip relabels: landmark i of the flipped sample is
/// landmark landmarkPermutation[i] of the original (an involution), and class
/// id c becomes classFlip[c].
struct FlipSpec {
    std::vector<int> landmarkPermutation;  ///< empty: built-in for 68 (iBUG), 70 (iBUG + pupils) or 106 (LaPa) points
    std::array<std::uint8_t, 256> classFlip{};

    /// Built-in landmark permutations and the default (FaceSynthetics)
    /// class table's flip partners.
    FlipSpec();
    /// Built-in landmark permutations and `table`'s flip partners.
    static FlipSpec forClasses(const annotate::ClassTable& table);
};

/// The iBUG-68 mirror permutation (jaw 0..16 reversed, brows, nostrils, eye
/// 36 <-> 45 etc., lips), an involution.
const std::vector<int>& ibug68FlipPermutation();
/// iBUG-68 followed by FaceSynthetics' right and left pupils (68 <-> 69).
const std::vector<int>& faceSynthetics70FlipPermutation();
/// LaPa's 106-point (JD-landmark) mirror permutation: contour 0..32
/// reversed, brows, nose wings, eyes (outer corners 66 <-> 79), lips,
/// pupils 104 <-> 105; the points on the midline map to themselves.
const std::vector<int>& lapa106FlipPermutation();

/// The augmentation a run asks for: "none" (AugmentConfig::none()),
/// "default" (AugmentConfig()), inline JSON starting with '{' (as a run's
/// config.json stores it) or the path of a JSON file (readAugmentConfig,
/// whose errors name the file and the field).
AugmentConfig resolveAugment(const std::string& what);

/// A per-sample seed from (run seed, epoch, sample index).
std::uint64_t augmentSeed(std::uint64_t runSeed, std::int64_t epoch, std::int64_t sampleIndex);

/// What augment() did, for tests and debugging.
struct AugmentInfo {
    /// Continuous-pixel homography from input to output coordinates, flip included.
    Eigen::Matrix3d transform = Eigen::Matrix3d::Identity();
    bool geometric = false;  ///< a warp was applied (transform may still be a pure flip)
    bool flipped = false;
};

/// Augments `in` with `config`'s operations, drawing from `seed`. Output
/// images keep the input size. Landmarks that leave the image get
/// visibility 0 (the output visibility always has N entries).
/// Throws std::invalid_argument naming the parameter for a bad sample (wrong
/// types or sizes, landmark/visibility count mismatch), a config that fails
/// validate(), or a flip with no permutation for N landmarks.
AugmentSample augment(const AugmentSample& in, const AugmentConfig& config, std::uint64_t seed,
                      const FlipSpec& flip = FlipSpec(), AugmentInfo* info = nullptr);

}  // namespace synthforge::train
