#pragma once
// Tests whose prerequisite is missing (a GL context, a pseudo-terminal, a
// Python module, a generated fixture) skip with the reason on a developer's
// machine, but fail under CI: there scripts/setup.sh installs everything, so
// a missing prerequisite is a broken set-up that a skip would hide.
//
// Header-only, for both GoogleTest and Qt Test files; the macros expand to
// the framework's own GTEST_*/Q* macros, so include this after the
// framework's header.

#include <cctype>
#include <cstdlib>
#include <string>

namespace synthforge::testutil {

/// True when the environment variable CI is set to anything but "", "0" or
/// "false" (CI services set CI=true).
inline bool inCi() {
    const char* v = std::getenv("CI");
    if (v == nullptr) return false;
    std::string s(v);
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return !s.empty() && s != "0" && s != "false";
}

}  // namespace synthforge::testutil

/// GoogleTest: skips with `reason` (a std::string or C string), or fails under CI.
#define SYNTHFORGE_SKIP_OR_FAIL_IN_CI(reason)                                              \
    do {                                                                                     \
        if (::synthforge::testutil::inCi()) GTEST_FAIL() << "CI is set, so no skip: " << (reason); \
        GTEST_SKIP() << (reason);                                                            \
    } while (0)

/// Qt Test: QSKIP(reason) (a const char*), or QFAIL under CI.
#define SYNTHFORGE_QSKIP_OR_FAIL_IN_CI(reason)                  \
    do {                                                          \
        if (::synthforge::testutil::inCi()) QFAIL(reason);        \
        QSKIP(reason);                                            \
    } while (0)
