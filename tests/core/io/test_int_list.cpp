// core/io/text_tokens.h: the comma-separated integer lists that network
// widths are stored as in .safetensors metadata.

#include <gtest/gtest.h>

#include <stdexcept>

#include "core/io/text_tokens.h"

using namespace synthforge::io;

TEST(IntList, RoundTrips) {
    const std::vector<std::int64_t> widths{64, 128, 256, 512, 512};
    EXPECT_EQ(joinInts(widths), "64,128,256,512,512");
    EXPECT_EQ(parseIntList(joinInts(widths), "w"), widths);
    EXPECT_EQ(parseIntList("-3", "w"), std::vector<std::int64_t>{-3});
    EXPECT_EQ(parseIntList("1, 2", "w"), (std::vector<std::int64_t>{1, 2}));  // a space after a comma is harmless
}

TEST(IntList, BadTextNamesTheField) {
    for (const char* bad : {"", "1,,2", "1,2,", "a", "1.5", "99999999999999999999"}) {
        try {
            parseIntList(bad, "meta: widths");
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const std::runtime_error& e) {
            EXPECT_EQ(std::string(e.what()).rfind("meta: widths: ", 0), 0u) << e.what();
        }
    }
}
