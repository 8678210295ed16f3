// A run's state from its folder alone: every status, the stderr tail, the
// last metrics of a damaged metrics.csv, a workspace of mixed runs, and the
// recorder a CLI job keeps its record with.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/jobs/run_recorder.h"
#include "core/jobs/run_state.h"
#include "tests/support/fixtures.h"

namespace synthforge::jobs {
namespace {

namespace fs = std::filesystem;

void writeText(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

RunProbe fakeProbe(bool alive) {
    RunProbe p;
    p.host = "here";
    p.now = 1000;
    p.staleAfterSeconds = 60;
    p.alive = [alive](std::int64_t, std::uint64_t) { return alive; };
    return p;
}

RunRecord record(const std::string& host, std::optional<RunEnd> end = std::nullopt) {
    RunRecord r;
    r.kind = "train";
    r.argv = {"synthforge", "train"};
    r.host = host;
    r.pid = 77;
    r.startTime = 900;
    r.end = end;
    return r;
}

TEST(RunState, EndRecordDecidesFinishedStoppedFailed) {
    testutil::TempDir dir;
    for (auto [status, code] : {std::pair{RunStatus::Finished, 0}, {RunStatus::Stopped, 130}, {RunStatus::Failed, 1}}) {
        writeRunRecord(dir.path.string(), record("here", RunEnd{status, code, 950, code == 1 ? "boom" : "", {}}));
        const RunState s = readRunState(dir.path.string(), fakeProbe(true));
        EXPECT_EQ(s.status, status);
        EXPECT_DOUBLE_EQ(s.duration, 50);
        EXPECT_EQ(s.kind, "train");
    }
}

TEST(RunState, LivenessOnThisHostAndHeartbeatElsewhere) {
    testutil::TempDir dir;
    writeRunRecord(dir.path.string(), record("here"));
    EXPECT_EQ(readRunState(dir.path.string(), fakeProbe(true)).status, RunStatus::Running);
    EXPECT_DOUBLE_EQ(readRunState(dir.path.string(), fakeProbe(true)).duration, 100);
    writeText(dir.path / kStderrLogFile, "train 1/10\rtrain 2/10\rtrain 3/10\nSegmentation fault\n");
    const RunState stale = readRunState(dir.path.string(), fakeProbe(false));
    EXPECT_EQ(stale.status, RunStatus::Stale);
    ASSERT_EQ(stale.stderrTail.size(), 2u);
    EXPECT_EQ(stale.stderrTail[0], "train 3/10");  // what the bar last drew
    EXPECT_EQ(stale.stderrTail[1], "Segmentation fault");

    // Another host (a cluster node): only the heartbeat's age tells.
    writeRunRecord(dir.path.string(), record("node3"));
    Heartbeat h;
    h.time = 990;
    h.stage = "train";
    h.done = 5;
    h.total = 10;
    writeHeartbeat(dir.path.string(), h);
    EXPECT_EQ(readRunState(dir.path.string(), fakeProbe(false)).status, RunStatus::Running);
    h.time = 900;
    writeHeartbeat(dir.path.string(), h);
    const RunState lost = readRunState(dir.path.string(), fakeProbe(true));
    EXPECT_EQ(lost.status, RunStatus::Stale);
    EXPECT_FALSE(lost.warnings.empty());
}

TEST(RunState, DamagedFilesBecomeWarningsNotErrors) {
    testutil::TempDir dir;
    writeText(dir.path / kRunRecordFile, "{\"format\": \"synthforge-run\", \"vers");
    writeText(dir.path / "config.json", "{\"stage\": \"I\", \"lr\": 0.002, \"schedule\": {\"name\": \"cosine\"}}");
    writeText(dir.path / "metrics.csv",
              "step,epoch,loss,val_nme\n1,0,2.5,\n2,0,oops,\n3,0,2.0,0.3\n4,0,1.5,\n4,0,x1,\n5,0,1.4");  // a bad row, then a partial last one
    const RunState s = readRunState(dir.path.string(), fakeProbe(true));
    EXPECT_EQ(s.kind, "train");  // from config.json's stage
    EXPECT_EQ(s.status, RunStatus::Stale);
    EXPECT_EQ(s.config.at("schedule.name"), "cosine");
    EXPECT_EQ(s.config.at("lr"), "0.002");
    EXPECT_EQ(s.lastStep, 4);
    EXPECT_DOUBLE_EQ(s.lastMetrics.at("loss"), 1.5);
    EXPECT_DOUBLE_EQ(s.lastMetrics.at("val_nme"), 0.3);  // the last non-empty cell
    bool sawRecord = false, sawRows = false;
    for (const std::string& w : s.warnings) {
        sawRecord |= w.find("run.json") != std::string::npos;
        sawRows |= w.find("malformed") != std::string::npos;
    }
    EXPECT_TRUE(sawRecord);
    EXPECT_TRUE(sawRows);
}

TEST(RunState, OldRunsWithoutRecordAreJudgedByTheirOutput) {
    testutil::TempDir dir;
    writeText(dir.path / "config.json", "{\"stage\": \"II\"}");
    EXPECT_EQ(readRunState(dir.path.string(), fakeProbe(true)).status, RunStatus::Stale);
    writeText(dir.path / "final.safetensors", "x");
    const RunState s = readRunState(dir.path.string(), fakeProbe(true));
    EXPECT_EQ(s.kind, "finetune");
    EXPECT_EQ(s.status, RunStatus::Finished);
}

TEST(RunState, NotADirectoryIsAnError) {
    testutil::TempDir dir;
    EXPECT_THROW(readRunState((dir.path / "missing").string()), std::runtime_error);
    EXPECT_THROW(listRunDirectories((dir.path / "missing").string()), std::runtime_error);
}

TEST(Workspace, ListsRunFoldersOnly) {
    testutil::TempDir ws;
    fs::create_directories(ws.path / "b_train");
    writeRunRecord((ws.path / "b_train").string(), record("here"));
    writeText(ws.path / "a_data" / "manifest.json", "{\"complete\": true}");
    writeText(ws.path / "notes" / "todo.txt", "x");
    writeText(ws.path / "loose.txt", "x");
    const std::vector<RunState> runs = readWorkspace(ws.path.string(), fakeProbe(false));
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[0].name, "a_data");
    EXPECT_EQ(runs[0].kind, "generate");
    EXPECT_EQ(runs[0].status, RunStatus::Finished);
    EXPECT_EQ(runs[1].name, "b_train");
    EXPECT_EQ(runs[1].status, RunStatus::Stale);
}

TEST(RunRecorder, WritesStartHeartbeatAndEnd) {
    testutil::TempDir dir;
    const std::string run = (dir.path / "run1").string();
    {
        RunRecorder rec(run, "train", {"synthforge", "train"}, false);
        ASSERT_TRUE(rec.active());
        EXPECT_FALSE(fs::exists(run));  // nothing until the job is at work
        ProgressSink* sink = rec.heartbeatSink(nullptr, 1000.0);
        ProgressUpdate u;
        u.stage = "train";
        u.done = 3;
        u.total = 9;
        sink->update(u);
        const RunState running = readRunState(run);
        EXPECT_EQ(running.status, RunStatus::Running);  // this very process
        EXPECT_EQ(running.record->attempts, 1);
        u.done = 4;
        sink->update(u);  // throttled: the file still says 3
        EXPECT_EQ(readHeartbeat(run)->done, 3u);
        sink->finish(u);  // a stage's end is always written
        EXPECT_EQ(readHeartbeat(run)->done, 4u);
        rec.finish(130);
    }
    RunState s = readRunState(run);
    EXPECT_EQ(s.status, RunStatus::Stopped);
    EXPECT_EQ(s.record->end->exitCode, 130);

    // A fresh (not continuing) job leaves an existing run's record alone...
    { RunRecorder other(run, "train", {"x"}, false); EXPECT_FALSE(other.active()); }
    EXPECT_EQ(readRunState(run).status, RunStatus::Stopped);
    // ... a job of another kind never takes it over ...
    { RunRecorder other(run, "eval", {"x"}, true); EXPECT_FALSE(other.active()); }
    EXPECT_EQ(readRunState(run).kind, "train");
    // ... and a resume counts an attempt, keeps the first start and drops the old heartbeat.
    const double firstStart = s.record->startTime;
    {
        RunRecorder resumed(run, "train", {"synthforge", "train", "--resume"}, true);
        ASSERT_TRUE(resumed.active());
        EXPECT_FALSE(readHeartbeat(run).has_value());
        // Leaving without finish() (an exception) records a failure.
    }
    s = readRunState(run);
    EXPECT_EQ(s.record->attempts, 2);
    EXPECT_DOUBLE_EQ(s.record->startTime, firstStart);
    EXPECT_EQ(s.status, RunStatus::Failed);
    EXPECT_EQ(s.record->end->exitCode, 1);
    EXPECT_FALSE(s.stderrTail.empty());
}

TEST(RunRecorder, RefusedBeforeAnyWorkLeavesNoFolderButAnExistingOneGetsTheFailure) {
    testutil::TempDir dir;
    const std::string fresh = (dir.path / "fresh").string();
    {
        RunRecorder rec(fresh, "finetune", {"synthforge", "finetune"}, false);
        rec.finish(1, "lapa has 11 classes");
    }
    EXPECT_FALSE(fs::exists(fresh));
    // A folder made beforehand (the studio's, holding the job's logs) shows
    // the run from the start, and its failure.
    const std::string made = (dir.path / "made").string();
    writeText(fs::path(made) / kStderrLogFile, "error: lapa has 11 classes\n");
    {
        RunRecorder rec(made, "finetune", {"synthforge", "finetune"}, false);
        EXPECT_EQ(readRunState(made).status, RunStatus::Running);
        rec.finish(1, "lapa has 11 classes");
    }
    const RunState s = readRunState(made);
    EXPECT_EQ(s.status, RunStatus::Failed);
    EXPECT_EQ(s.record->end->error, "lapa has 11 classes");
}

TEST(RunRecorder, EmptyDirRecordsNothingAndExitCodesMapToStatuses) {
    RunRecorder none("", "generate", {}, true);
    EXPECT_FALSE(none.active());
    EXPECT_EQ(RunRecorder::statusForExitCode(0), RunStatus::Finished);
    EXPECT_EQ(RunRecorder::statusForExitCode(130), RunStatus::Stopped);
    EXPECT_EQ(RunRecorder::statusForExitCode(2), RunStatus::Failed);
}

}  // namespace
}  // namespace synthforge::jobs
