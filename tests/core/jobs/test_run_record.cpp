// run.json and heartbeat.json: round trips, strict reading of damaged and
// hostile files, process liveness with pid-reuse protection.

#include <gtest/gtest.h>
#include <unistd.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "core/jobs/run_record.h"
#include "tests/support/fixtures.h"

namespace synthforge::jobs {
namespace {

namespace fs = std::filesystem;

RunRecord sampleRecord() {
    RunRecord r;
    r.kind = "train";
    r.argv = {"synthforge", "train", "--out", "a b/\"c\""};
    r.cwd = "/tmp";
    r.host = "node7";
    r.pid = 4242;
    r.pidStartTicks = 987654321;
    r.startTime = 1764900000.25;
    r.attempts = 2;
    return r;
}

void writeText(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
}

TEST(RunRecord, RoundTripsWithAndWithoutEnd) {
    testutil::TempDir dir;
    RunRecord r = sampleRecord();
    writeRunRecord(dir.path.string(), r);
    RunRecord back = readRunRecord(dir.path.string());
    EXPECT_EQ(back.kind, "train");
    EXPECT_EQ(back.argv, r.argv);
    EXPECT_EQ(back.host, "node7");
    EXPECT_EQ(back.pid, 4242);
    EXPECT_EQ(back.pidStartTicks, 987654321u);
    EXPECT_DOUBLE_EQ(back.startTime, 1764900000.25);
    EXPECT_EQ(back.attempts, 2);
    EXPECT_FALSE(back.end.has_value());

    r.end = RunEnd{RunStatus::Failed, 1, 1764900100.5, "data: missing", {"error: data: missing"}};
    writeRunRecord(dir.path.string(), r);
    back = readRunRecord(dir.path.string());
    ASSERT_TRUE(back.end.has_value());
    EXPECT_EQ(back.end->status, RunStatus::Failed);
    EXPECT_EQ(back.end->exitCode, 1);
    EXPECT_EQ(back.end->error, "data: missing");
    EXPECT_EQ(back.end->stderrTail, std::vector<std::string>{"error: data: missing"});
}

TEST(RunRecord, StatusNamesRoundTrip) {
    for (RunStatus s : {RunStatus::Running, RunStatus::Finished, RunStatus::Stopped, RunStatus::Failed, RunStatus::Stale})
        EXPECT_EQ(parseRunStatus(runStatusName(s)), s);
    EXPECT_FALSE(parseRunStatus("Running").has_value());
}

void expectRejected(const std::string& text, const std::string& needle) {
    try {
        parseRunRecord(text, "RUN/run.json");
        FAIL() << "accepted: " << text;
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("RUN/run.json"), std::string::npos) << what;
        EXPECT_NE(what.find(needle), std::string::npos) << what;
    }
}

TEST(RunRecord, DamagedAndHostileFilesAreRejectedNamingTheField) {
    const std::string good = runRecordToJson(sampleRecord());
    expectRejected(good.substr(0, good.size() / 2), "not valid JSON");     // truncated
    expectRejected("\x89PNG\r\n\x1a\n\x00\x01", "not valid JSON");        // binary garbage
    expectRejected("[1,2,3]", "expected a JSON object");
    expectRejected(R"({"format":"synthforge-run","version":2,"kind":"train","start_time":1})", "newer");
    expectRejected(R"({"format":"something","version":1,"kind":"train","start_time":1})", "format");
    expectRejected(R"({"format":"synthforge-run","version":1,"start_time":1})", "kind");
    expectRejected(R"({"format":"synthforge-run","version":1,"kind":"train","start_time":"x"})", "start_time");
    expectRejected(R"({"format":"synthforge-run","version":1,"kind":"train","start_time":1,"argv":[1]})", "argv");
    expectRejected(R"({"format":"synthforge-run","version":1,"kind":"train","start_time":1,"end":{"status":"running"}})",
                   "end.status");
    expectRejected(R"({"format":"synthforge-run","version":1,"kind":"train","start_time":1,"end":{"status":"finished","exit_code":99999}})",
                   "end.exit_code");
    expectRejected(R"({"format":"synthforge-run","version":1,"kind":"train","start_time":1,"surprise":true})", "surprise");
    // Deep nesting must not overflow the stack of the reader.
    expectRejected(std::string(100000, '[') + std::string(100000, ']'), "");
}

TEST(RunRecord, OversizedFileIsRefused) {
    testutil::TempDir dir;
    writeText(dir.path / kRunRecordFile, std::string(2u << 20, ' '));
    EXPECT_THROW(readRunRecord(dir.path.string()), std::runtime_error);
}

TEST(Heartbeat, RoundTripsAndIsOptional) {
    testutil::TempDir dir;
    EXPECT_FALSE(readHeartbeat(dir.path.string()).has_value());
    Heartbeat h;
    h.time = 1764900001.5;
    h.stage = "train";
    h.done = 40;
    h.total = 100;
    h.rate = 2.5;
    h.eta = 24;
    h.elapsed = 16;
    h.message = "loss 1.25";
    writeHeartbeat(dir.path.string(), h);
    const auto back = readHeartbeat(dir.path.string());
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->stage, "train");
    EXPECT_EQ(back->done, 40u);
    EXPECT_EQ(back->total, 100u);
    EXPECT_DOUBLE_EQ(back->eta, 24);
    EXPECT_EQ(back->message, "loss 1.25");
    writeText(dir.path / kHeartbeatFile, "{\"time\":");
    EXPECT_THROW(readHeartbeat(dir.path.string()), std::runtime_error);
}

TEST(RunRecordFiles, AreRecognisedWithTheirTemporaries) {
    EXPECT_TRUE(isRunRecordFile("run.json"));
    EXPECT_TRUE(isRunRecordFile("run.json.tmp12345"));
    EXPECT_TRUE(isRunRecordFile("heartbeat.json"));
    EXPECT_TRUE(isRunRecordFile("stderr.log"));
    EXPECT_TRUE(isRunRecordFile("stdout.log"));
    EXPECT_FALSE(isRunRecordFile("run.jsonx"));
    EXPECT_FALSE(isRunRecordFile("images"));
}

TEST(ProcessProbe, SeesThisProcessAndNotAReapedChild) {
    const std::int64_t self = ::getpid();
    const std::uint64_t ticks = processStartTicks(self);
    EXPECT_GT(ticks, 0u);
    EXPECT_TRUE(processAlive(self, ticks));
    EXPECT_TRUE(processAlive(self, 0));
    // The same pid with another start time is a recycled pid, not our job.
    EXPECT_FALSE(processAlive(self, ticks + 1));
    const pid_t child = fork();
    if (child == 0) _exit(0);
    const std::uint64_t childTicks = processStartTicks(child);
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_FALSE(processAlive(child, childTicks));
    EXPECT_FALSE(processAlive(0, 0));
    EXPECT_FALSE(processAlive(-5, 0));
}

}  // namespace
}  // namespace synthforge::jobs
