#pragma once
// How images enter and leave a translator (torch-free, so it is tested on
// known pixels): CycleGAN's resize, random crop and flip for training, a
// plain resize for validation and apply, and the way back to the dataset's
// size and 8 bits.

#include <cstdint>
#include <random>

#include <opencv2/core.hpp>

#include "core/train/augment.h"

namespace synthforge::transfer {

/// `bgr` (8-bit, any size) as RGB float32 in [-1, 1], side x side. With
/// `rng` (training): resized to loadSide x loadSide, a random side x side
/// crop, and a horizontal flip with probability 1/2, drawn in that order.
/// Without: resized to side x side. std::invalid_argument for an empty or
/// non-8-bit-BGR image or side > loadSide.
cv::Mat translatorInput(const cv::Mat& bgr, int side, int loadSide, std::mt19937_64* rng);

/// The shared augmentation (core/train/augment.h, docs/augmentation.md) on
/// a translator input: the RGB float32 [-1, 1] image is quantised to 8 bits,
/// augmented with `seed` (geometry, colour, blur, noise, as configured;
/// pixels brought in from outside are black) and returned as float32 again.
/// Both domains go through it, as the shared augmentation is meant for.
cv::Mat augmentTranslatorInput(const cv::Mat& rgbFloat, const train::AugmentConfig& config, std::uint64_t seed);

/// A translated RGB float32 image in [-1, 1] back to 8-bit BGR at
/// `width` x `height` (area-averaged when shrinking, bicubic when growing).
cv::Mat translatorOutputToBgr(const cv::Mat& rgbFloat, int width, int height);

}  // namespace synthforge::transfer
