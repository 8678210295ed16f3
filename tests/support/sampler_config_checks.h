#pragma once
// Checks that a sampler config text is refused with a message naming the
// source and the offending field.

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "core/generate/sampler.h"

namespace synthforge::testutil {

inline void expectSamplerConfigRefused(const std::string& text, const std::string& needle,
                                       const std::string& source = "bad.json") {
    try {
        generate::parseSamplerConfigJson(text, source);
        ADD_FAILURE() << "accepted " << text;
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(source), std::string::npos) << e.what();
    }
}

}  // namespace synthforge::testutil
