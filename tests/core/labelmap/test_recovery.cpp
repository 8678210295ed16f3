// Crash recovery: round trip, refusal of truncated/corrupt files, "newer than
// the saved file", and a child process killed at random moments while it
// paints and autosaves: the recovery file always loads, and equals one of
// the states the child saved.

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include <opencv2/core.hpp>

#include "core/io/file_util.h"
#include "core/labelmap/brush.h"
#include "core/labelmap/recovery.h"
#include "tests/support/fixtures.h"

using namespace synthforge;
using namespace synthforge::labelmap;

namespace {

/// The child's deterministic edit sequence: state k = `steps` strokes from seed.
void paintStep(LabelCanvas& c, std::mt19937& rng) {
    std::uniform_real_distribution<float> pos(0.0f, static_cast<float>(c.size()));
    const int d = 1 + static_cast<int>(rng() % 40);
    const std::uint8_t cls = static_cast<std::uint8_t>(rng() % 19);
    paintStroke(c, {{pos(rng), pos(rng)}, {pos(rng), pos(rng)}}, d, cls);
}

LabelCanvas stateAfter(int size, std::uint64_t steps) {
    LabelCanvas c(size, annotate::kSkin);
    std::mt19937 rng(12345);
    for (std::uint64_t k = 0; k < steps; ++k) paintStep(c, rng);
    return c;
}

}  // namespace

TEST(Recovery, RoundTripAndRefusals) {
    testutil::TempDir dir;
    const auto& table = annotate::ClassTable::defaultTable();
    const LabelCanvas c = stateAfter(200, 7);
    const std::string path = recoveryPathFor(dir.file("map.png"));
    EXPECT_EQ(path, dir.file("map.png.recovery"));
    writeRecovery(path, c, table, dir.file("map.png"), 7);
    const RecoveryState st = loadRecovery(path);
    EXPECT_EQ(cv::countNonZero(st.canvas.toMat() != c.toMat()), 0);
    EXPECT_EQ(st.classes, table);
    EXPECT_EQ(st.document, dir.file("map.png"));
    EXPECT_EQ(st.sequence, 7u);
    EXPECT_GT(st.writtenAtMs, 1600000000000);

    const std::vector<std::uint8_t> bytes = io::readFileBytes(path);
    auto refused = [&](const std::vector<std::uint8_t>& b, const std::string& needle) {
        io::writeFileAtomic(dir.file("bad.recovery"), b.data(), b.size());
        try {
            loadRecovery(dir.file("bad.recovery"));
            ADD_FAILURE() << needle;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("bad.recovery"), std::string::npos) << e.what();
        }
    };
    refused(std::vector<std::uint8_t>(bytes.begin(), bytes.end() - 100), "truncated");
    refused(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 30), "truncated");
    refused({}, "bad magic");
    for (std::size_t at : {std::size_t(20), bytes.size() / 2, bytes.size() - 8}) {
        std::vector<std::uint8_t> b = bytes;
        b[at] ^= 0x10;
        refused(b, "checksum");
    }
    std::vector<std::uint8_t> longer = bytes;
    longer.push_back(0);
    refused(longer, "length");
    EXPECT_THROW(loadRecovery(dir.file("none.recovery")), std::runtime_error);
    EXPECT_THROW(writeRecovery(path, cv::Mat(4, 5, CV_8UC1), table, "", 0), std::invalid_argument);
}

TEST(Recovery, NewerThanTheSavedFile) {
    namespace fs = std::filesystem;
    testutil::TempDir dir;
    const std::string saved = dir.file("map.png"), rec = recoveryPathFor(saved);
    EXPECT_FALSE(hasNewerRecovery(rec, saved));  // neither exists
    writeRecovery(rec, LabelCanvas(16, 1), annotate::ClassTable::defaultTable(), saved, 1);
    EXPECT_TRUE(hasNewerRecovery(rec, saved));   // never saved
    io::writeFileAtomic(saved, std::string("x"));
    const auto now = fs::file_time_type::clock::now();
    fs::last_write_time(rec, now - std::chrono::seconds(10));
    fs::last_write_time(saved, now);
    EXPECT_FALSE(hasNewerRecovery(rec, saved));  // saved after the last autosave
    fs::last_write_time(rec, now + std::chrono::seconds(5));
    EXPECT_TRUE(hasNewerRecovery(rec, saved));
    discardRecovery(rec);
    EXPECT_FALSE(hasNewerRecovery(rec, saved));
    discardRecovery(rec);  // twice is fine
}

// fork() a child that paints and autosaves as fast as it can; SIGKILL it at
// a random moment; the file must load and equal the state of its sequence.
TEST(Recovery, SurvivesSigkillDuringAutosave) {
    testutil::TempDir dir;
    const auto& table = annotate::ClassTable::defaultTable();
    const std::string rec = dir.file("map.png.recovery");
    constexpr int size = 512;
    std::mt19937 rng(99);
    for (int round = 0; round < 6; ++round) {
        std::filesystem::remove(rec);
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            LabelCanvas c(size, annotate::kSkin);
            std::mt19937 childRng(12345);
            for (std::uint64_t seq = 1;; ++seq) {
                paintStep(c, childRng);
                writeRecovery(rec, c, table, "map.png", seq);
            }
            _exit(0);  // not reached
        }
        // wait for the first autosave, then kill at a random later moment
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!std::filesystem::exists(rec) && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 150000));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFSIGNALED(status));
        ASSERT_TRUE(std::filesystem::exists(rec));
        const RecoveryState st = loadRecovery(rec);  // never a torn file
        ASSERT_GE(st.sequence, 1u);
        const LabelCanvas expect = stateAfter(size, st.sequence);
        EXPECT_EQ(cv::countNonZero(st.canvas.toMat() != expect.toMat()), 0) << "round " << round;
        std::printf("[ info ] round %d: killed after autosave #%llu\n", round,
                    static_cast<unsigned long long>(st.sequence));
    }
    discardRecovery(rec);  // also sweeps temporaries of killed writes
    EXPECT_TRUE(std::filesystem::is_empty(dir.path));
}
