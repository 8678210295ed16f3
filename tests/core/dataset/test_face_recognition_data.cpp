// Face-recognition data: MXNet RecordIO (.rec/.idx) with InsightFace's image
// records, verification .bin pickles, LFW pairs.txt and folder-per-identity
// sets. Fixtures are written here byte by byte; truncated, corrupt and
// hostile inputs are refused with messages naming the file.

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "core/dataset/recordio.h"
#include "core/dataset/verification_pairs.h"
#include "tests/support/fixtures.h"
#include "tests/support/recordio_writer.h"

namespace synthforge::dataset {
namespace {

namespace fs = std::filesystem;
using namespace testutil::recordio;

void expectError(const std::function<void()>& f, const std::string& needle) {
    try {
        f();
        FAIL() << "no error; expected one containing: " << needle;
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

TEST(RecordIo, ReadsHeaderRecordImagesAndSplitRecordsByIndex) {
    testutil::TempDir dir;
    Bytes rec;
    std::vector<std::uint64_t> offsets;
    // InsightFace's record 0: flag 2, labels (first image index, end of identities).
    offsets.push_back(rec.size());
    putPart(rec, imageRecord(2, {1.0f, 3.0f}, 0, ""), 0);
    offsets.push_back(rec.size());
    putPart(rec, imageRecord(0, {7.0f}, 1, "JPEGDATA1"), 0);
    // A record whose data holds the magic word: written in three parts, the
    // magic dropped at each cut and put back when read.
    const Bytes whole = imageRecord(0, {9.0f}, 2, std::string("AB\x0a\x23\xd7\xce" "CD\x0a\x23\xd7\xce" "EF", 14));
    Bytes p1(whole.begin(), whole.begin() + 26), p2(whole.begin() + 30, whole.begin() + 32),
        p3(whole.begin() + 36, whole.end());
    offsets.push_back(rec.size());
    putPart(rec, p1, 1);
    putPart(rec, p2, 2);
    putPart(rec, p3, 3);
    writeBytes(dir.path / "train.rec", rec);
    std::ofstream(dir.path / "train.idx") << "0\t" << offsets[0] << "\n1\t" << offsets[1] << "\n2\t" << offsets[2] << "\n";

    const auto index = readRecordIoIndex((dir.path / "train.idx").string());
    ASSERT_EQ(index.size(), 3u);
    const RecordIoFile file((dir.path / "train.rec").string());
    EXPECT_EQ(file.scanOffsets(), offsets);
    const ImageRecord header = parseImageRecord(file.recordAt(index[0].offset), "rec 0");
    EXPECT_EQ(header.flag, 2u);
    EXPECT_EQ(header.labels, (std::vector<float>{1.0f, 3.0f}));
    EXPECT_TRUE(header.payload.empty());
    const ImageRecord one = parseImageRecord(file.recordAt(index[1].offset), "rec 1");
    EXPECT_EQ(one.labels, std::vector<float>{7.0f});
    EXPECT_EQ(one.id, 1u);
    EXPECT_EQ(std::string(one.payload.begin(), one.payload.end()), "JPEGDATA1");
    std::uint64_t next = 0;
    const Bytes joined = file.recordAt(index[2].offset, &next);
    EXPECT_EQ(joined, whole);
    EXPECT_EQ(next, rec.size());
    EXPECT_EQ(parseImageRecord(joined, "rec 2").labels, std::vector<float>{9.0f});
}

TEST(RecordIo, RefusesTruncatedCorruptAndHostileFiles) {
    testutil::TempDir dir;
    Bytes rec;
    putPart(rec, imageRecord(0, {1.0f}, 0, "IMAGEBYTES"), 0);
    const fs::path path = dir.path / "x.rec";
    const auto withBytes = [&](const Bytes& b) {
        writeBytes(path, b);
        return RecordIoFile(path.string());
    };
    // Truncated inside the data and inside the header.
    expectError([&] { withBytes(Bytes(rec.begin(), rec.end() - 5)).recordAt(0); }, "runs past the end");
    expectError([&] { withBytes(Bytes(rec.begin(), rec.begin() + 6)).recordAt(0); }, "truncated record header");
    // A wrong magic word; an offset not on a record; a part flag out of order.
    Bytes bad = rec;
    bad[0] ^= 0xff;
    expectError([&] { withBytes(bad).recordAt(0); }, "bad magic");
    expectError([&] { withBytes(rec).recordAt(2); }, "multiples of 4");
    Bytes middleFirst;
    putPart(middleFirst, Bytes{1, 2, 3}, 2);
    expectError([&] { withBytes(middleFirst).recordAt(0); }, "out of sequence");
    Bytes unfinished;
    putPart(unfinished, Bytes{1, 2, 3}, 1);
    expectError([&] { withBytes(unfinished).recordAt(0); }, "truncated record header");
    // A hostile length (2^29 - 1) in a tiny file.
    Bytes huge;
    put32(huge, kRecordIoMagic);
    put32(huge, (1u << 29) - 1);
    expectError([&] { withBytes(huge).recordAt(0); }, "runs past the end");
    // Image records too short for their header or their labels.
    expectError([] { parseImageRecord(Bytes(10, 0), "r"); }, "24-byte header");
    Bytes manyLabels = imageRecord(0, {1.0f}, 0, "");
    manyLabels[0] = 200;  // flag 200: 800 bytes of labels that are not there
    expectError([&] { parseImageRecord(manyLabels, "r"); }, "labels do not fit");
    // Random garbage never crashes: every outcome is a record or an error.
    std::mt19937 rng(5);
    for (int trial = 0; trial < 200; ++trial) {
        Bytes g = rec;
        for (int k = 0; k < 3; ++k) g[rng() % g.size()] = static_cast<std::uint8_t>(rng());
        try {
            const auto r = withBytes(g).recordAt(0);
            (void)parseImageRecord(r, "fuzz");
        } catch (const std::runtime_error&) {
        }
    }
}

TEST(RecordIo, IndexLinesAreStrict) {
    testutil::TempDir dir;
    const fs::path idx = dir.path / "train.idx";
    std::ofstream(idx) << "0\t0\n1 8\n";
    expectError([&] { readRecordIoIndex(idx.string()); }, "line 2");
    std::ofstream(idx) << "0\t0\n0\t16\n";
    expectError([&] { readRecordIoIndex(idx.string()); }, "appears twice");
    std::ofstream(idx) << "0\t-4\n";
    expectError([&] { readRecordIoIndex(idx.string()); }, "not a non-negative integer");
    std::ofstream(idx) << "0\t99999999999999999999999\n";
    expectError([&] { readRecordIoIndex(idx.string()); }, "not a non-negative integer");
    expectError([&] { readRecordIoIndex((dir.path / "none.idx").string()); }, "cannot be opened");
}

// Pickles written opcode by opcode (Python 2 str via SHORT_BINSTRING, as the
// .bin files InsightFace distributes; protocol 4 bytes via SHORT_BINBYTES).
Bytes pickleBin(const std::vector<std::string>& images, const std::vector<bool>& same, char stringOp = 'U',
                int proto = 2) {
    Bytes b{0x80, static_cast<std::uint8_t>(proto), ']', '('};
    for (const std::string& im : images) {
        b.push_back(static_cast<std::uint8_t>(stringOp));
        b.push_back(static_cast<std::uint8_t>(im.size()));
        b.insert(b.end(), im.begin(), im.end());
    }
    b.insert(b.end(), {'e', ']', '('});
    for (bool s : same) b.push_back(s ? 0x88 : 0x89);
    b.insert(b.end(), {'e', 0x86, '.'});
    return b;
}

TEST(VerificationBinFile, ReadsPairsOfEncodedImages) {
    const Bytes p = pickleBin({"img0", "img1", "img2", "img3"}, {true, false});
    const VerificationBin v = parseVerificationBin(p.data(), p.size(), "lfw.bin");
    ASSERT_EQ(v.images.size(), 4u);
    EXPECT_EQ(std::string(v.images[2].begin(), v.images[2].end()), "img2");
    EXPECT_EQ(v.same, (std::vector<bool>{true, false}));
    const Bytes p4 = pickleBin({"a", "b"}, {true}, 'C', 4);
    EXPECT_EQ(parseVerificationBin(p4.data(), p4.size(), "x.bin").same, std::vector<bool>{true});

    testutil::TempDir dir;
    writeBytes(dir.path / "lfw.bin", p);
    EXPECT_EQ(readVerificationBin((dir.path / "lfw.bin").string()).images.size(), 4u);
}

TEST(VerificationBinFile, RefusesEverythingElse) {
    const auto parse = [](const Bytes& b) { return parseVerificationBin(b.data(), b.size(), "cfp_fp.bin"); };
    const Bytes good = pickleBin({"a", "b", "c", "d"}, {true, false});
    expectError([&] { parse(Bytes(good.begin(), good.end() - 4)); }, "cfp_fp.bin");  // truncated
    expectError([&] { parse(pickleBin({"a", "b", "c"}, {true, false})); }, "3 images for 2 pairs");
    expectError([&] { parse(pickleBin({}, {})); }, "no pairs");
    // A code-running global is refused by the pickle reader itself.
    const std::string evil = "\x80\x02" "cos\nsystem\n" "U\x02ls" "\x85R.";
    expectError([&] { parse(Bytes(evil.begin(), evil.end())); }, "os");
    // Right shape, wrong types: a number where an image should be.
    Bytes wrong{0x80, 2, ']', '(', 'K', 5, 'K', 6, 'e', ']', '(', 0x88, 'e', 0x86, '.'};
    expectError([&] { parse(wrong); }, "images[0]: expected bytes");
    // A lone list instead of the pair.
    Bytes lone{0x80, 2, ']', '.'};
    expectError([&] { parse(lone); }, "expected a pair");
    // Flipped bytes never crash.
    std::mt19937 rng(11);
    for (int trial = 0; trial < 300; ++trial) {
        Bytes g = good;
        g[rng() % g.size()] = static_cast<std::uint8_t>(rng());
        try {
            parse(g);
        } catch (const std::runtime_error&) {
        }
    }
}

TEST(LfwPairsFile, ReadsSameAndDifferentPairs) {
    testutil::TempDir dir;
    const fs::path txt = dir.path / "pairs.txt";
    std::ofstream(txt) << "1\t1\nAbel_Pacheco\t1\t4\nAbdel_Madi_Shabneh\t1\tDean_Barker\t1\n";
    const LfwPairs p = readLfwPairs(txt.string(), "/lfw");
    EXPECT_EQ(p.folds, 1);
    EXPECT_EQ(p.pairsPerFold, 1);
    ASSERT_EQ(p.pairs.size(), 2u);
    EXPECT_TRUE(p.pairs[0].same);
    EXPECT_EQ(p.pairs[0].first, "/lfw/Abel_Pacheco/Abel_Pacheco_0001.jpg");
    EXPECT_EQ(p.pairs[0].second, "/lfw/Abel_Pacheco/Abel_Pacheco_0004.jpg");
    EXPECT_FALSE(p.pairs[1].same);
    EXPECT_EQ(p.pairs[1].second, "/lfw/Dean_Barker/Dean_Barker_0001.jpg");

    std::ofstream(txt) << "1\t2\nAbel\t1\t4\n";
    expectError([&] { readLfwPairs(txt.string(), "/lfw"); }, "header promises 4");
    std::ofstream(txt) << "1\t1\nAbel\t1\nB\t1\tC\t1\n";
    expectError([&] { readLfwPairs(txt.string(), "/lfw"); }, "line 2");
    std::ofstream(txt) << "1\t1\n..\t1\t2\nB\t1\tC\t1\n";
    expectError([&] { readLfwPairs(txt.string(), "/lfw"); }, "not a folder name");
    std::ofstream(txt) << "";
    expectError([&] { readLfwPairs(txt.string(), "/lfw"); }, "empty");
}

TEST(IdentityFolders, ListsIdentitiesWithImagesInOrder) {
    testutil::TempDir dir;
    for (const char* f : {"b/2.png", "b/1.jpg", "a/x.JPG", "a/notes.txt", "empty/readme.md"}) {
        fs::create_directories((dir.path / f).parent_path());
        std::ofstream(dir.path / f) << "x";
    }
    const auto ids = listIdentityFolders(dir.path.string());
    ASSERT_EQ(ids.size(), 2u);
    EXPECT_EQ(ids[0].name, "a");
    EXPECT_EQ(ids[0].images.size(), 1u);
    EXPECT_EQ(ids[1].name, "b");
    EXPECT_EQ(fs::path(ids[1].images[0]).filename(), "1.jpg");
    expectError([&] { listIdentityFolders((dir.path / "empty").string()); }, "no identity folder");
    expectError([&] { listIdentityFolders((dir.path / "none").string()); }, "not a folder");
}

}  // namespace
}  // namespace synthforge::dataset
