// core/runs/metrics_csv.h: a metrics.csv followed while it is written in
// pieces (partial lines wait), the rewrite a resume does (shorter, new inode,
// or in place), and bad content: wrong cell counts, words, binary garbage, a
// 10 MB line. Nothing throws; warnings name the file and line.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "core/runs/metrics_csv.h"
#include "tests/support/fixtures.h"

using namespace synthforge::runs;
using synthforge::testutil::TempDir;

namespace {
void append(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::app);
    f << text;
}
void replaceAtomically(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    std::ofstream(tmp, std::ios::binary) << text;
    std::filesystem::rename(tmp, path);
}
bool anyWarningHas(const MetricsCsvFollower& f, const std::string& what) {
    for (const auto& w : f.warnings())
        if (w.find(what) != std::string::npos) return true;
    return false;
}
}  // namespace

TEST(MetricsCsv, FollowsAFileWrittenInPieces) {
    TempDir dir;
    const std::string path = dir.file("metrics.csv");
    MetricsCsvFollower f(path);
    EXPECT_FALSE(f.poll());  // not there yet
    append(path, "step,epoch,loss,grad_norm,val_nme\n1,0,0.5,");
    EXPECT_TRUE(f.poll());   // the header
    ASSERT_EQ(f.columns().size(), 5u);
    EXPECT_EQ(f.columns()[2], "loss");
    EXPECT_EQ(f.rowCount(), 0u);  // "1,0,0.5," is still being written
    EXPECT_FALSE(f.poll());
    append(path, "2.25,\n2,0,0.25,1.5,0.125\n3,1,");
    EXPECT_TRUE(f.poll());
    ASSERT_EQ(f.rowCount(), 2u);
    EXPECT_EQ(f.steps()[1], 2);
    EXPECT_EQ(f.cell(0, 3), 2.25);
    EXPECT_TRUE(std::isnan(f.cell(0, 4)));  // no validation on step 1
    EXPECT_EQ(f.cell(1, 4), 0.125);
    const std::uint64_t offset = f.offset();
    append(path, "0.2,1,\n");
    EXPECT_TRUE(f.poll());
    EXPECT_EQ(f.rowCount(), 3u);
    EXPECT_GT(f.offset(), offset);
    const auto loss = f.series("loss");
    ASSERT_EQ(loss.size(), 3u);
    EXPECT_EQ(loss[2].step, 3);
    EXPECT_EQ(loss[2].value, 0.2);
    EXPECT_TRUE(std::isnan(loss[2].wallTime));
    ASSERT_EQ(f.series("val_nme").size(), 1u);  // empty cells are left out of the series
    EXPECT_EQ(f.series("val_nme")[0].step, 2);
    EXPECT_TRUE(f.series("step").empty());
    EXPECT_TRUE(f.series("nope").empty());
    EXPECT_TRUE(f.warnings().empty());
    EXPECT_EQ(f.restarts(), 0u);
}

TEST(MetricsCsv, AResumeRewritesShorterThenAppends) {
    TempDir dir;
    const std::string path = dir.file("metrics.csv");
    append(path, "step,epoch,loss\n1,0,1\n2,0,0.9\n3,0,0.8\n4,0,0.7\n");
    MetricsCsvFollower f(path);
    f.poll();
    ASSERT_EQ(f.rowCount(), 4u);
    // Cut back to step 2 (a new inode, as RunDirectory::restartMetrics does),
    // then rows 3.. written again with other values, longer than before.
    replaceAtomically(path, "step,epoch,loss\n1,0,1\n2,0,0.9\n");
    append(path, "3,0,0.85\n4,0,0.75\n5,0,0.65\n6,0,0.55\n");
    EXPECT_TRUE(f.poll());
    EXPECT_EQ(f.restarts(), 1u);
    ASSERT_EQ(f.rowCount(), 6u);
    EXPECT_EQ(f.cell(2, 2), 0.85);
    // Cut shorter on the same inode.
    std::filesystem::resize_file(path, std::string("step,epoch,loss\n1,0,1\n").size());
    EXPECT_TRUE(f.poll());
    EXPECT_EQ(f.restarts(), 2u);
    EXPECT_EQ(f.rowCount(), 1u);
    // Rewritten in place to the same length: the bytes already read changed.
    {
        std::ofstream o(path, std::ios::binary | std::ios::in | std::ios::out);
        o << "step,epoch,lr  \n1,0,5\n";
    }
    EXPECT_TRUE(f.poll());
    EXPECT_EQ(f.restarts(), 3u);
    EXPECT_EQ(f.columns()[2], "lr");
    EXPECT_EQ(f.cell(0, 2), 5.0);
    // Removed: the data goes.
    std::filesystem::remove(path);
    EXPECT_TRUE(f.poll());
    EXPECT_EQ(f.rowCount(), 0u);
    EXPECT_TRUE(f.columns().empty());
}

TEST(MetricsCsv, BadRowsAreSkippedWithWarningsNamingFileAndLine) {
    TempDir dir;
    const std::string path = dir.file("metrics.csv");
    append(path,
           "step,epoch,loss\n"
           "1,0,0.5\n"
           "2,0\n"              // line 3: too few cells
           "3,0,abc\n"          // line 4: a word
           "4.5,0,1\n"          // line 5: not an integer step
           "5,0,0.4,9\n"        // line 6: too many cells
           "\n"                 // blank lines are harmless
           "6,0, 0.3 \r\n"      // spaces and CRLF are fine
           "7,0,nan\n"          // a diverged loss: NaN, not an error
           "8,0,-inf\n");
    MetricsCsvFollower f(path);
    f.poll();
    ASSERT_EQ(f.rowCount(), 4u);  // steps 1, 6, 7, 8
    EXPECT_EQ(f.steps()[1], 6);
    EXPECT_EQ(f.cell(1, 2), 0.3);
    EXPECT_TRUE(std::isnan(f.cell(2, 2)));
    EXPECT_EQ(f.cell(3, 2), -INFINITY);
    ASSERT_EQ(f.warnings().size(), 4u);
    EXPECT_EQ(f.warnings()[0], path + ":3: 2 cells, the header has 3; row skipped");
    EXPECT_EQ(f.warnings()[1], path + ":4: cell 'abc' in column 'loss' is not a number; row skipped");
    EXPECT_EQ(f.warnings()[2], path + ":5: step '4.5' is not an integer; row skipped");
    EXPECT_EQ(f.warnings()[3], path + ":6: 4 cells, the header has 3; row skipped");
}

TEST(MetricsCsv, WarningsAreCapped) {
    TempDir dir;
    const std::string path = dir.file("metrics.csv");
    std::string text = "step,loss\n";
    for (int i = 0; i < 500; ++i) text += "x,y\n";
    text += "1,2\n";
    append(path, text);
    MetricsCsvFollower f(path);
    f.poll();
    EXPECT_EQ(f.rowCount(), 1u);
    EXPECT_EQ(f.warnings().size(), MetricsCsvFollower::kMaxWarnings);
    EXPECT_EQ(f.suppressedWarnings(), 500u - MetricsCsvFollower::kMaxWarnings);
}

TEST(MetricsCsv, BinaryGarbageAndABadHeaderDoNotCrash) {
    TempDir dir;
    const std::string path = dir.file("metrics.csv");
    std::string garbage;
    for (int i = 0; i < 100000; ++i) garbage += static_cast<char>((i * 7919 + 13) % 256);
    append(path, "step,loss\n1,0.5\n" + garbage + "\n2,0.25\n");
    MetricsCsvFollower f(path);
    f.poll();
    EXPECT_GE(f.rowCount(), 2u);  // the rows around the garbage
    EXPECT_EQ(f.steps().back(), 2);
    EXPECT_FALSE(f.warnings().empty());
    for (const auto& w : f.warnings()) {
        EXPECT_EQ(w.rfind(path + ":", 0), 0u) << w;
        for (char c : w) EXPECT_TRUE(c >= 0x20 && c < 0x7F) << "unprintable byte in: " << w;
    }

    const std::string bad = dir.file("bad.csv");
    append(bad, "loss,step\n1,2\n");
    MetricsCsvFollower g(bad);
    g.poll();
    EXPECT_TRUE(g.columns().empty());
    EXPECT_EQ(g.rowCount(), 0u);
    ASSERT_EQ(g.warnings().size(), 1u);
    EXPECT_EQ(g.warnings()[0], bad + ":1: bad header: the first column is 'loss,step', expected 'step'");
}

TEST(MetricsCsv, ATenMegabyteLineIsSkippedEvenWhileItGrows) {
    TempDir dir;
    const std::string path = dir.file("metrics.csv");
    append(path, "step,loss\n1,0.5\n");
    MetricsCsvFollower f(path);
    f.poll();
    const std::string piece(2 << 20, '7');
    for (int i = 0; i < 5; ++i) {  // 10 MB without a newline, polled as it grows
        append(path, piece);
        f.poll();
    }
    EXPECT_EQ(f.rowCount(), 1u);
    append(path, "\n2,0.25\n");
    f.poll();
    ASSERT_EQ(f.rowCount(), 2u);
    EXPECT_EQ(f.steps()[1], 2);
    ASSERT_EQ(f.warnings().size(), 1u);
    EXPECT_EQ(f.warnings()[0], path + ":3: line longer than 1048576 bytes; skipped");
    // Line numbers go on after it.
    append(path, "oops\n");
    f.poll();
    EXPECT_TRUE(anyWarningHas(f, ":5: 1 cells, the header has 2"));
}
