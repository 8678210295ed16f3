// Strict JSON settings reading: values by dotted path with type checks, and
// every unknown, misspelt or hostile key refused with the file named.

#include <cstdint>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "core/io/json_fields.h"

namespace synthforge::io {
namespace {

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

TEST(JsonFields, ReadsNestedValuesAndLeavesAbsentOnesAlone) {
    const auto j = nlohmann::json::parse(
        R"({"lr": 0.001, "steps": 100, "big": 1e3, "name": "fast", "on": true, "opt": {"betas": [0.9, 0.99]}})");
    JsonFields f(j, "cfg.json");
    double lr = 0, b1 = 0, b2 = 0, missing = 7;
    int64_t steps = 0, big = 0;
    std::string name;
    bool on = false;
    EXPECT_TRUE(f.number("lr", lr));
    EXPECT_TRUE(f.integer("steps", steps));
    EXPECT_TRUE(f.integer("big", big)) << "1e3 is an integer written as a float";
    EXPECT_TRUE(f.text("name", name));
    EXPECT_TRUE(f.boolean("on", on));
    EXPECT_TRUE(f.numberPair("opt.betas", b1, b2));
    EXPECT_FALSE(f.number("opt.missing", missing));
    EXPECT_EQ(lr, 0.001);
    EXPECT_EQ(steps, 100);
    EXPECT_EQ(big, 1000);
    EXPECT_EQ(name, "fast");
    EXPECT_TRUE(on);
    EXPECT_EQ(b1, 0.9);
    EXPECT_EQ(b2, 0.99);
    EXPECT_EQ(missing, 7);
    EXPECT_NO_THROW(f.finish());
}

TEST(JsonFields, WrongTypesNameTheFileAndTheKey) {
    const auto j = nlohmann::json::parse(
        R"({"lr": "fast", "steps": 2.5, "seed": -1, "on": 1, "opt": {"betas": [0.9]}, "name": 3})");
    JsonFields f(j, "cfg.json");
    double d = 0, b1 = 0, b2 = 0;
    int64_t i = 0;
    uint64_t u = 0;
    bool b = false;
    std::string s;
    EXPECT_EQ(errorOf([&] { f.number("lr", d); }), "cfg.json: lr: expected a number, got \"fast\"");
    EXPECT_EQ(errorOf([&] { f.integer("steps", i); }), "cfg.json: steps: expected an integer, got 2.5");
    EXPECT_EQ(errorOf([&] { f.unsignedInteger("seed", u); }), "cfg.json: seed: expected a non-negative integer, got -1");
    EXPECT_EQ(errorOf([&] { f.boolean("on", b); }), "cfg.json: on: expected true or false, got 1");
    EXPECT_EQ(errorOf([&] { f.numberPair("opt.betas", b1, b2); }),
              "cfg.json: opt.betas: expected two numbers [a, b], got [0.9]");
    EXPECT_EQ(errorOf([&] { f.text("name", s); }), "cfg.json: name: expected a string, got 3");
}

TEST(JsonFields, UnknownKeysAreListedWithTheirPaths) {
    const auto j = nlohmann::json::parse(R"({"lr": 1, "lrr": 2, "opt": {"beta": 1, "eps": 2}, "empty": {}})");
    JsonFields f(j, "cfg.json");
    double d = 0;
    f.number("lr", d);
    f.number("opt.eps", d);
    EXPECT_EQ(errorOf([&] { f.finish(); }), "cfg.json: unknown key(s) empty, lrr, opt.beta");
}

TEST(JsonFields, ExpectedValuesAndHostileShapes) {
    const auto j = nlohmann::json::parse(R"({"format": "other", "opt": 5, "huge": 18446744073709551615})");
    JsonFields f(j, "cfg.json");
    EXPECT_EQ(errorOf([&] { f.expect("format", "synthforge-train-config"); }),
              "cfg.json: format: expected \"synthforge-train-config\", got \"other\"");
    double d = 1;
    EXPECT_FALSE(f.number("opt.lr", d)) << "a path through a non-object is absent";
    int64_t i = 0;
    EXPECT_EQ(errorOf([&] { f.integer("huge", i); }), "cfg.json: huge: integer out of range");
    EXPECT_EQ(errorOf([] { JsonFields(nlohmann::json::array({1, 2}), "list.json"); }),
              "list.json: expected a JSON object, got [1,2]");
}

}  // namespace
}  // namespace synthforge::io
