// Incremental TensorBoard reading: io::TbReadOptions::startOffset and
// stopAtCorruption, and core/runs/event_follower.h following a file that is
// written in pieces, cut, rewritten, corrupted or was never an event file.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include "core/io/file_util.h"
#include "core/io/tensorboard_reader.h"
#include "core/io/tensorboard_writer.h"
#include "core/runs/event_follower.h"
#include "tests/support/fixtures.h"

using namespace synthforge;
using synthforge::runs::EventFileFollower;
using synthforge::testutil::TempDir;
using Bytes = std::vector<std::uint8_t>;

namespace {

/// An event file of `n` scalars "train/loss" at steps 1..n, value step/10.
std::string writeEvents(const TempDir& dir, int n) {
    io::TensorBoardWriter w(dir.path.string());
    for (int i = 1; i <= n; ++i) w.addScalar("train/loss", i / 10.0, i, 1000.0 + i);
    w.flush();
    return w.path();
}

/// Offsets where records start, and the file's end.
std::vector<std::size_t> boundaries(const Bytes& b) {
    std::vector<std::size_t> out;
    std::size_t off = 0;
    while (off + 12 <= b.size()) {
        out.push_back(off);
        std::uint64_t len = 0;
        for (int i = 7; i >= 0; --i) len = (len << 8) | b[off + static_cast<std::size_t>(i)];
        off += 12 + len + 4;
    }
    out.push_back(off);
    return out;
}

void writeRaw(const std::string& path, const Bytes& b, std::size_t from, std::size_t to, bool append) {
    std::ofstream f(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
    f.write(reinterpret_cast<const char*>(b.data() + from), static_cast<std::streamsize>(to - from));
}

}  // namespace

TEST(TensorBoardReaderOffset, StartOffsetReadsOnlyLaterRecords) {
    TempDir dir;
    const std::string path = writeEvents(dir, 5);
    const Bytes bytes = io::readFileBytes(path);
    const auto at = boundaries(bytes);  // version record, then 5 scalars
    ASSERT_EQ(at.size(), 7u);
    io::TbReadOptions o;
    o.startOffset = at[3];
    const io::TbEventFile tail = io::readTensorBoardFile(path, o);
    ASSERT_EQ(tail.scalars.size(), 3u);
    EXPECT_EQ(tail.scalars[0].step, 3);
    EXPECT_EQ(tail.records, 3u);
    EXPECT_EQ(tail.completeBytes, bytes.size());  // absolute
    EXPECT_TRUE(tail.fileVersion.empty());
    o.startOffset = bytes.size();
    EXPECT_TRUE(io::readTensorBoardFile(path, o).scalars.empty());
    o.startOffset = bytes.size() + 1;
    try {
        io::readTensorBoardFile(path, o);
        FAIL() << "an offset past the end must fail";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(path + ": start offset"), std::string::npos) << e.what();
    }
}

TEST(TensorBoardReaderOffset, StopAtCorruptionKeepsTheGoodRecords) {
    TempDir dir;
    const std::string path = writeEvents(dir, 4);
    Bytes bytes = io::readFileBytes(path);
    const auto at = boundaries(bytes);
    bytes[at[3] + 14] ^= 0x40;  // inside the third scalar's payload
    io::writeFileAtomic(path, bytes.data(), bytes.size());
    io::TbReadOptions o;
    o.startOffset = at[1];
    EXPECT_THROW(io::readTensorBoardFile(path, o), std::runtime_error);
    o.stopAtCorruption = true;
    const io::TbEventFile r = io::readTensorBoardFile(path, o);
    ASSERT_EQ(r.scalars.size(), 2u);
    EXPECT_EQ(r.completeBytes, at[3]);
    EXPECT_EQ(r.error.rfind(path + ": offset " + std::to_string(at[3]) + ": data CRC mismatch", 0), 0u) << r.error;
}

TEST(EventFollower, ReadsOnlyWhatWasAppended) {
    TempDir dir;
    io::TensorBoardWriter w(dir.path.string());
    EventFileFollower f(w.path());
    w.flush();
    auto up = f.poll();  // the version record only
    EXPECT_TRUE(up.scalars.empty());
    const std::uint64_t afterVersion = f.offset();
    EXPECT_GT(afterVersion, 0u);
    w.addScalar("train/loss", 1.5, 1, 1000.0);
    w.addScalar("val/nme", 0.25, 1, 1000.5);
    w.flush();
    up = f.poll();
    ASSERT_EQ(up.scalars.size(), 2u);
    EXPECT_EQ(up.scalars[1].tag, "val/nme");
    EXPECT_EQ(up.scalars[1].wallTime, 1000.5);
    w.addScalar("train/loss", 1.25, 2, 1001.0);
    w.flush();
    up = f.poll();
    ASSERT_EQ(up.scalars.size(), 1u);  // not the earlier two again
    EXPECT_EQ(up.scalars[0].step, 2);
    EXPECT_FALSE(up.restarted);
    EXPECT_EQ(f.scalars().size(), 3u);
    EXPECT_TRUE(f.poll().scalars.empty());
    EXPECT_TRUE(f.warnings().empty());
}

TEST(EventFollower, PartialRecordsWaitForTheirEnd) {
    TempDir src;
    const Bytes bytes = io::readFileBytes(writeEvents(src, 3));
    TempDir dir;
    const std::string path = dir.file("events.out.tfevents.1.host.1.0");
    EventFileFollower f(path);
    // Byte by byte through the second scalar: nothing half-read ever shows.
    const auto at = boundaries(bytes);
    writeRaw(path, bytes, 0, at[2], false);
    EXPECT_EQ(f.poll().scalars.size(), 1u);
    for (std::size_t i = at[2]; i < at[3]; ++i) {
        writeRaw(path, bytes, i, i + 1, true);
        const auto up = f.poll();
        EXPECT_EQ(up.scalars.size(), i + 1 == at[3] ? 1u : 0u) << "after byte " << i;
        ASSERT_FALSE(f.corrupt());
    }
    writeRaw(path, bytes, at[3], bytes.size(), true);
    EXPECT_EQ(f.poll().scalars.size(), 1u);
    EXPECT_EQ(f.scalars().size(), 3u);
    EXPECT_TRUE(f.warnings().empty());
}

TEST(EventFollower, CorruptionStopsAtTheLastGoodRecordWithAWarning) {
    TempDir src;
    Bytes bytes = io::readFileBytes(writeEvents(src, 4));
    const auto at = boundaries(bytes);
    bytes[at[3] + 14] ^= 0x01;
    TempDir dir;
    const std::string path = dir.file("events.out.tfevents.1.host.1.0");
    writeRaw(path, bytes, 0, bytes.size(), false);
    EventFileFollower f(path);
    EventFileFollower::Update up;
    ASSERT_NO_THROW(up = f.poll());
    EXPECT_EQ(up.scalars.size(), 2u);
    EXPECT_TRUE(f.corrupt());
    EXPECT_EQ(f.offset(), at[3]);
    ASSERT_EQ(f.warnings().size(), 1u);
    EXPECT_EQ(f.warnings()[0].rfind(path + ": offset " + std::to_string(at[3]) + ": data CRC mismatch", 0), 0u)
        << f.warnings()[0];
    // Polling again says nothing new; growing past the damage does not heal it.
    EXPECT_TRUE(f.poll().scalars.empty());
    writeRaw(path, bytes, at[4], bytes.size(), true);
    EXPECT_TRUE(f.poll().scalars.empty());
    EXPECT_EQ(f.warnings().size(), 1u);
    // A rewritten (good) file is read from the start.
    TempDir src2;
    const Bytes good = io::readFileBytes(writeEvents(src2, 2));
    const std::string tmp = path + ".tmp";
    writeRaw(tmp, good, 0, good.size(), false);
    std::filesystem::rename(tmp, path);
    up = f.poll();
    EXPECT_TRUE(up.restarted);
    EXPECT_EQ(up.scalars.size(), 2u);
    EXPECT_FALSE(f.corrupt());
    EXPECT_TRUE(f.warnings().empty());
}

TEST(EventFollower, ACutFileIsReadAgainFromTheStart) {
    TempDir src;
    const Bytes bytes = io::readFileBytes(writeEvents(src, 5));
    const auto at = boundaries(bytes);
    TempDir dir;
    const std::string path = dir.file("events.out.tfevents.1.host.1.0");
    writeRaw(path, bytes, 0, bytes.size(), false);
    EventFileFollower f(path);
    EXPECT_EQ(f.poll().scalars.size(), 5u);
    std::filesystem::resize_file(path, at[3]);
    const auto up = f.poll();
    EXPECT_TRUE(up.restarted);
    EXPECT_EQ(up.scalars.size(), 2u);
    EXPECT_EQ(f.scalars().size(), 2u);
    EXPECT_EQ(f.restarts(), 1u);
    std::filesystem::remove(path);
    EXPECT_TRUE(f.poll().restarted);
    EXPECT_TRUE(f.scalars().empty());
    ASSERT_EQ(f.warnings().size(), 1u);
    EXPECT_EQ(f.warnings()[0], path + ": the file is gone");
}

TEST(EventFollower, GarbageAndMissingFilesNeverThrow) {
    TempDir dir;
    const std::string missing = dir.file("events.out.tfevents.none");
    EventFileFollower m(missing);
    EXPECT_NO_THROW(m.poll());
    EXPECT_TRUE(m.warnings().empty());  // not there yet is not a problem

    const std::string path = dir.file("events.out.tfevents.garbage");
    Bytes garbage(1 << 20);
    for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 13);
    writeRaw(path, garbage, 0, garbage.size(), false);
    EventFileFollower f(path);
    EventFileFollower::Update up;
    ASSERT_NO_THROW(up = f.poll());
    EXPECT_TRUE(up.scalars.empty());
    EXPECT_TRUE(f.corrupt());
    ASSERT_EQ(f.warnings().size(), 1u);
    EXPECT_EQ(f.warnings()[0].rfind(path + ": offset 0: length CRC mismatch", 0), 0u) << f.warnings()[0];

    // A record header whose CRC matches but whose length claims far more
    // than the file holds is a record still being written: no warning.
    Bytes lying(12, 0);
    const std::uint64_t len = 1ull << 40;
    for (int i = 0; i < 8; ++i) lying[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(len >> (8 * i));
    const std::uint32_t crc = io::maskedCrc32c(lying.data(), 8);
    for (int i = 0; i < 4; ++i) lying[8 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(crc >> (8 * i));
    const std::string lyingPath = dir.file("events.out.tfevents.lying");
    writeRaw(lyingPath, lying, 0, lying.size(), false);
    EventFileFollower l(lyingPath);
    EXPECT_NO_THROW(l.poll());
    EXPECT_TRUE(l.scalars().empty());
    EXPECT_EQ(l.offset(), 0u);
}

TEST(TensorBoardReaderOffset, SkipImagesKeepsTheScalars) {
    TempDir dir;
    std::string path;
    {
        io::TensorBoardWriter w(dir.path.string());
        w.addScalar("train/loss", 0.5, 1, 10.0);
        w.addImage("val/predictions", cv::Mat(8, 8, CV_8UC3, cv::Scalar(10, 20, 30)), 1, 10.0);
        w.addScalar("train/loss", 0.25, 2, 11.0);
        path = w.path();
    }
    io::TbReadOptions o;
    EXPECT_EQ(io::readTensorBoardFile(path, o).images.size(), 1u);
    o.skipImages = true;
    const io::TbEventFile r = io::readTensorBoardFile(path, o);
    EXPECT_TRUE(r.images.empty());
    ASSERT_EQ(r.scalars.size(), 2u);
    EXPECT_EQ(r.scalars[1].value, 0.25f);
    EXPECT_EQ(r.records, 4u);
    EventFileFollower f(path);
    EXPECT_EQ(f.poll().scalars.size(), 2u);
}
