// core/runs/run_scalars.h: a run directory's curves from its event files
// (new files picked up, a resume's repeated steps replaced) or, without any,
// from metrics.csv as csv/<column>.

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/io/tensorboard_writer.h"
#include "core/runs/run_scalars.h"
#include "tests/support/fixtures.h"

using namespace synthforge;
using namespace synthforge::runs;
using synthforge::testutil::TempDir;

TEST(AppendScalar, ASmallerStepDropsTheTailFromThatStep) {
    std::vector<ScalarPoint> c;
    for (int s = 1; s <= 5; ++s) appendScalar(c, {s, 0.0, double(s)});
    appendScalar(c, {3, 0.0, 30.0});
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c.back().value, 30.0);
    appendScalar(c, {3, 0.0, 31.0});  // the same step again is kept, as TensorBoard does
    EXPECT_EQ(c.size(), 4u);
}

TEST(RunScalars, MetricsCsvWhenThereAreNoEventFiles) {
    TempDir dir;
    RunScalarSource src(dir.path.string());
    EXPECT_FALSE(src.poll());
    EXPECT_TRUE(src.scalars().empty());
    {
        std::ofstream f(dir.file("metrics.csv"));
        f << "step,epoch,loss,grad_norm,val_nme\n1,0,0.5,2,\n2,0,0.4,1.5,0.3\n";
    }
    EXPECT_TRUE(src.poll());
    EXPECT_FALSE(src.fromEventFiles());
    ASSERT_EQ(src.scalars().count("csv/loss"), 1u);
    EXPECT_EQ(src.scalars().count("csv/step"), 0u);
    EXPECT_EQ(src.scalars().at("csv/loss").size(), 2u);
    EXPECT_EQ(src.scalars().at("csv/val_nme").size(), 1u);
    EXPECT_FALSE(src.poll());
    std::ofstream(dir.file("metrics.csv"), std::ios::app) << "3,0,0.3,1,\n";
    EXPECT_TRUE(src.poll());
    EXPECT_EQ(src.scalars().at("csv/loss").back().value, 0.3);
    EXPECT_EQ(src.scalars().at("csv/loss").size(), 3u);
}

TEST(RunScalars, EventFilesWinAndNewOnesArePickedUp) {
    TempDir dir;
    std::ofstream(dir.file("metrics.csv")) << "step,loss\n1,0.5\n";
    RunScalarSource src(dir.path.string());
    src.poll();
    EXPECT_EQ(src.scalars().count("csv/loss"), 1u);
    {
        io::TensorBoardWriterOptions o;
        o.appendToFile = "events.out.tfevents.0000000001.host.1.0";
        io::TensorBoardWriter w(dir.path.string(), o);
        for (int s = 1; s <= 5; ++s) w.addScalar("train/loss", 1.0 / s, s, 100.0 + s);
        w.addScalar("val/nme", 0.2, 5, 105.0);
    }
    EXPECT_TRUE(src.poll());
    EXPECT_TRUE(src.fromEventFiles());
    EXPECT_EQ(src.scalars().count("csv/loss"), 0u);  // metrics.csv is not read once events exist
    ASSERT_EQ(src.scalars().at("train/loss").size(), 5u);
    EXPECT_EQ(src.scalars().at("train/loss")[4].wallTime, 105.0);
    // A resume from step 3 starts a second file that repeats steps 4 and 5.
    {
        io::TensorBoardWriterOptions o;
        o.appendToFile = "events.out.tfevents.0000000002.host.2.0";
        io::TensorBoardWriter w(dir.path.string(), o);
        for (int s = 4; s <= 6; ++s) w.addScalar("train/loss", 10.0 * s, s, 200.0 + s);
    }
    EXPECT_TRUE(src.poll());
    EXPECT_EQ(src.eventFiles().size(), 2u);
    const auto& loss = src.scalars().at("train/loss");
    ASSERT_EQ(loss.size(), 6u);
    EXPECT_EQ(loss[2].value, static_cast<double>(1.0f / 3));  // stored as float32
    EXPECT_EQ(loss[3].value, 40.0);
    EXPECT_EQ(loss[5].step, 6);
    EXPECT_EQ(src.scalars().at("val/nme").size(), 1u);  // its tag was not repeated
    EXPECT_FALSE(src.poll());
    EXPECT_TRUE(src.warnings().empty());
}

TEST(RunScalars, WarningsOfBrokenFilesAreCollected) {
    TempDir dir;
    std::ofstream(dir.file("events.out.tfevents.bad"), std::ios::binary) << std::string(100, 'x');
    RunScalarSource src(dir.path.string());
    EXPECT_NO_THROW(src.poll());
    const auto w = src.warnings();
    ASSERT_EQ(w.size(), 1u);
    EXPECT_NE(w[0].find("events.out.tfevents.bad: offset 0"), std::string::npos) << w[0];
}
