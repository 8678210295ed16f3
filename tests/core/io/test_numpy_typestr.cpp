// numpy type strings: every supported form, byte orders, and refusals of
// what no reader supports (structured, complex, datetime, empty, overlong).

#include <gtest/gtest.h>

#include "core/io/numpy_typestr.h"

using synthforge::io::DType;
using synthforge::io::NumpyTypestr;
using synthforge::io::parseNumpyTypestr;

TEST(NumpyTypestr, NumbersWithAndWithoutByteOrder) {
    auto t = parseNumpyTypestr("<f4");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->kind, NumpyTypestr::Kind::Number);
    EXPECT_EQ(t->dtype, DType::F32);
    EXPECT_EQ(t->byteOrder, '<');
    EXPECT_FALSE(t->bigEndian());
    t = parseNumpyTypestr(">i8");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->dtype, DType::I64);
    EXPECT_TRUE(t->bigEndian());
    t = parseNumpyTypestr("u2");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->dtype, DType::U16);
    EXPECT_EQ(t->byteOrder, 0);
    for (const char* b : {"?", "|b1", "=?"}) {
        t = parseNumpyTypestr(b);
        ASSERT_TRUE(t) << b;
        EXPECT_EQ(t->dtype, DType::Bool) << b;
    }
}

TEST(NumpyTypestr, ObjectsAndFixedWidthText) {
    for (const char* o : {"|O", "O8", "|O4"}) {
        const auto t = parseNumpyTypestr(o);
        ASSERT_TRUE(t) << o;
        EXPECT_EQ(t->kind, NumpyTypestr::Kind::Object);
    }
    auto t = parseNumpyTypestr("<U12");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->kind, NumpyTypestr::Kind::Text);
    EXPECT_EQ(t->textKind, 'U');
    EXPECT_EQ(t->textLen, 12u);
    t = parseNumpyTypestr("|S999999");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->textLen, 999999u);
}

TEST(NumpyTypestr, RefusesEverythingElse) {
    for (const char* bad : {"", "<", "|", "<c16", "<M8[ns]", "<f16", "f", "<U0", "<U", "|S1234567", "<Ux", "<<f4",
                            "[('a', '<f4')]", "<f4 ", "\x01\x02"})
        EXPECT_FALSE(parseNumpyTypestr(bad)) << "accepted '" << bad << "'";
}
