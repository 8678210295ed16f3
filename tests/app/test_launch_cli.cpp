// `synthforge launch --nproc N -- <command>` as a real process: every rank
// runs the command (their outputs are the ranks' own), a failing rank's
// status is the launch's, and bad launch options are usage errors.

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"

namespace fs = std::filesystem;
using synthforge::testutil::readTextFile;
using synthforge::testutil::startCli;
using synthforge::testutil::waitForExit;

TEST(LaunchCli, RunsTheCommandOncePerRank) {
    synthforge::testutil::TempDir tmp;
    const fs::path ws = tmp.path / "ws", out = tmp.path / "out.txt", err = tmp.path / "err.txt";
    fs::create_directories(ws);
    const int rc = waitForExit(startCli({"launch", "--nproc", "3", "--", "runs", "list", ws.string(), "--json"}, err, out));
    EXPECT_EQ(rc, 0) << readTextFile(err);
    EXPECT_EQ(readTextFile(out), "[]\n[]\n[]\n");  // each rank lists the empty workspace
}

TEST(LaunchCli, AFailingRankFailsTheLaunchWithItsStatus) {
    synthforge::testutil::TempDir tmp;
    const fs::path err = tmp.path / "err.txt";
    // `runs show` of a missing folder is a usage error (2) in every rank.
    const int rc = waitForExit(
        startCli({"launch", "--nproc", "2", "--", "runs", "show", (tmp.path / "missing").string()}, err));
    EXPECT_EQ(rc, 2);
    EXPECT_NE(readTextFile(err).find("missing"), std::string::npos) << readTextFile(err);
}

TEST(LaunchCli, BadLaunchOptionsAreUsageErrors) {
    synthforge::testutil::TempDir tmp;
    const fs::path err = tmp.path / "err.txt";
    EXPECT_EQ(waitForExit(startCli({"launch", "--nproc", "0", "--", "runs", "list"}, err)), 2);
    EXPECT_NE(readTextFile(err).find("--nproc"), std::string::npos) << readTextFile(err);
    EXPECT_EQ(waitForExit(startCli({"launch", "--nproc", "2"}, err)), 2);
    EXPECT_NE(readTextFile(err).find("command is required"), std::string::npos) << readTextFile(err);
    EXPECT_EQ(waitForExit(startCli({"launch", "--nproc", "2", "--master-port", "70000", "--", "runs", "list"}, err)), 2);
}
