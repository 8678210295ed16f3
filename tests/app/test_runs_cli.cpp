// `synthforge runs list --json` on a workspace holding one run of each
// status, each made by a real CLI process: finished, stopped (SIGINT),
// failed (an error), running (still going while listed) and stale (SIGKILL).

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"

namespace fs = std::filesystem;
using synthforge::testutil::readTextFile;
using synthforge::testutil::startCli;
using synthforge::testutil::waitForExit;

namespace {

std::vector<std::string> generateArgs(const fs::path& out, const std::string& count) {
    return {"generate", "--count", count, "--size", "64", "--seed", "3", "--out", out.string(), "--workers", "1",
            "--progress", "json"};
}

/// Waits until `path` exists (a job has started its work), up to 60 s.
bool waitFor(const fs::path& path) {
    for (int i = 0; i < 600; ++i) {
        if (fs::exists(path)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

std::map<std::string, nlohmann::json> listRuns(const fs::path& ws, const fs::path& tmp) {
    const fs::path out = tmp / "list.json", err = tmp / "list.err";
    const int rc = waitForExit(startCli({"runs", "list", ws.string(), "--json"}, err, out));
    EXPECT_EQ(rc, 0) << readTextFile(err);
    std::map<std::string, nlohmann::json> byName;
    for (const auto& r : nlohmann::json::parse(readTextFile(out))) byName[r.at("name").get<std::string>()] = r;
    return byName;
}

TEST(RunsCli, ListGivesEveryStatusFromRealRuns) {
    synthforge::testutil::TempDir tmp;
    const fs::path ws = tmp.path / "ws";
    fs::create_directories(ws);

    // finished
    ASSERT_EQ(waitForExit(startCli(generateArgs(ws / "finished", "2"), tmp.path / "f.err")), 0)
        << readTextFile(tmp.path / "f.err");
    // failed: a folder holding something else is refused with an error
    fs::create_directories(ws / "failed");
    { std::ofstream(ws / "failed" / "notes.txt") << "mine"; }
    ASSERT_EQ(waitForExit(startCli(generateArgs(ws / "failed", "2"), tmp.path / "e.err")), 1);
    // stopped: SIGINT once it is under way
    pid_t pid = startCli(generateArgs(ws / "stopped", "100000"), tmp.path / "s.err");
    ASSERT_TRUE(waitFor(ws / "stopped" / "heartbeat.json"));
    kill(pid, SIGINT);
    ASSERT_EQ(waitForExit(pid), 130);
    // stale: killed without a chance to write its end
    pid = startCli(generateArgs(ws / "stale", "100000"), tmp.path / "k.err");
    ASSERT_TRUE(waitFor(ws / "stale" / "heartbeat.json"));
    kill(pid, SIGKILL);
    ASSERT_EQ(waitForExit(pid), -SIGKILL);
    // running: listed while it works
    const pid_t running = startCli(generateArgs(ws / "running", "100000"), tmp.path / "r.err");
    ASSERT_TRUE(waitFor(ws / "running" / "heartbeat.json"));

    std::map<std::string, nlohmann::json> runs = listRuns(ws, tmp.path);
    kill(running, SIGINT);
    EXPECT_EQ(waitForExit(running), 130);

    ASSERT_EQ(runs.size(), 5u);
    EXPECT_EQ(runs["finished"]["status"], "finished");
    EXPECT_EQ(runs["finished"]["kind"], "generate");
    EXPECT_EQ(runs["finished"]["exit_code"], 0);
    EXPECT_EQ(runs["stopped"]["status"], "stopped");
    EXPECT_EQ(runs["stopped"]["exit_code"], 130);
    EXPECT_EQ(runs["failed"]["status"], "failed");
    EXPECT_EQ(runs["failed"]["exit_code"], 1);
    ASSERT_TRUE(runs["failed"].contains("stderr_tail"));
    EXPECT_NE(runs["failed"]["stderr_tail"].dump().find("not empty"), std::string::npos) << runs["failed"].dump();
    EXPECT_EQ(runs["stale"]["status"], "stale");
    EXPECT_EQ(runs["running"]["status"], "running");
    ASSERT_TRUE(runs["running"].contains("progress"));
    EXPECT_EQ(runs["running"]["progress"]["total"], 100000);
    // The user's own file in the refused folder is untouched.
    EXPECT_EQ(readTextFile(ws / "failed" / "notes.txt"), "mine");

    // runs show: the same state for one run, with its command line.
    const fs::path out = tmp.path / "show.json", err = tmp.path / "show.err";
    ASSERT_EQ(waitForExit(startCli({"runs", "show", (ws / "stopped").string(), "--json"}, err, out)), 0);
    const nlohmann::json shown = nlohmann::json::parse(readTextFile(out));
    EXPECT_EQ(shown["status"], "stopped");
    EXPECT_EQ(shown["argv"][1], "generate");
    // The stopped run resumes, and the record counts the attempt.
    std::vector<std::string> resume = generateArgs(ws / "stopped", "100000");
    resume[2] = "3";  // a smaller dataset is a different definition: refused, record untouched
    EXPECT_NE(waitForExit(startCli(resume, tmp.path / "x.err")), 0);
    EXPECT_EQ(listRuns(ws, tmp.path)["stopped"]["status"], "stopped");
}

TEST(RunsCli, BadWorkspaceIsAnErrorNamingIt) {
    synthforge::testutil::TempDir tmp;
    const fs::path err = tmp.path / "err";
    EXPECT_EQ(waitForExit(startCli({"runs", "list", (tmp.path / "nope").string()}, err)), 1);
    EXPECT_NE(readTextFile(err).find("nope"), std::string::npos);
    EXPECT_EQ(waitForExit(startCli({"runs", "show", (tmp.path / "nope").string()}, err)), 2);
}

}  // namespace
