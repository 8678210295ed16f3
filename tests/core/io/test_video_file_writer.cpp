// Video files of frames: read back by OpenCV's own decoder, frame count and
// size kept (odd sides padded), content close to what was written (lossy
// codecs), the file appears only when finished, bad input refused.

#include <gtest/gtest.h>

#include <filesystem>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "core/io/video_file_writer.h"
#include "tests/support/fixtures.h"

namespace synthforge::io {
namespace {

namespace fs = std::filesystem;

// A smooth moving gradient: codecs compress it well, and each frame differs.
cv::Mat frame(int w, int h, int i) {
    cv::Mat m(h, w, CV_8UC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            m.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>((x * 4 + i * 10) % 256), static_cast<uchar>(y * 3 % 256),
                                              static_cast<uchar>(128 + 10 * i));
    return m;
}

std::vector<cv::Mat> readAll(const std::string& path) {
    cv::VideoCapture cap(path, cv::CAP_FFMPEG);
    std::vector<cv::Mat> out;
    cv::Mat f;
    while (cap.read(f)) out.push_back(f.clone());
    return out;
}

TEST(VideoFileWriter, Mp4AndAviReadBackWithEveryFrameCloseToTheInput) {
    testutil::TempDir dir;
    for (const char* name : {"strip.mp4", "strip.avi"}) {
        const std::string path = (dir.path / name).string();
        VideoFileWriter w(path, 96, 64, 12);
        for (int i = 0; i < 9; ++i) w.add(frame(96, 64, i));
        EXPECT_FALSE(fs::exists(path)) << "only the temporary file exists before finish()";
        w.finish();
        EXPECT_EQ(w.frames(), 9);
        EXPECT_TRUE(w.codec() == "avc1" || w.codec() == "mp4v" || w.codec() == "MJPG") << w.codec();
        const std::vector<cv::Mat> back = readAll(path);
        ASSERT_EQ(back.size(), 9u) << name;
        for (int i = 0; i < 9; ++i) {
            ASSERT_EQ(back[i].size(), cv::Size(96, 64));
            // Lossy, but the frame must be this frame and not a neighbour.
            const double own = cv::norm(back[i], frame(96, 64, i), cv::NORM_L1) / back[i].total() / 3;
            EXPECT_LT(own, 6.0) << name << " frame " << i;
            if (i > 0) {
                EXPECT_LT(own, cv::norm(back[i], frame(96, 64, i - 1), cv::NORM_L1) / back[i].total() / 3);
            }
        }
        std::size_t files = 0;
        for (const auto& e : fs::directory_iterator(dir.path)) files += e.path().string().find(".partial") == std::string::npos;
        EXPECT_EQ(files, std::string(name) == "strip.mp4" ? 1u : 2u) << "no temporary file is left behind";
    }
}

TEST(VideoFileWriter, OddSidesArePaddedToEvenByRepeatingTheEdge) {
    testutil::TempDir dir;
    const std::string path = (dir.path / "odd.mp4").string();
    VideoFileWriter w(path, 51, 37, 10);
    for (int i = 0; i < 3; ++i) w.add(frame(51, 37, i));
    w.finish();
    const std::vector<cv::Mat> back = readAll(path);
    ASSERT_EQ(back.size(), 3u);
    ASSERT_EQ(back[0].size(), cv::Size(52, 38));
    const double err = cv::norm(back[1](cv::Rect(0, 0, 51, 37)), frame(51, 37, 1), cv::NORM_L1) / (51 * 37 * 3);
    EXPECT_LT(err, 6.0);
}

TEST(VideoFileWriter, UnfinishedWritersLeaveNoFile) {
    testutil::TempDir dir;
    const fs::path path = dir.path / "gone.mp4";
    {
        VideoFileWriter w(path.string(), 32, 32, 5);
        w.add(frame(32, 32, 0));
    }
    EXPECT_TRUE(fs::is_empty(dir.path));
}

TEST(VideoFileWriter, BadInputIsRefusedNamingTheFile) {
    testutil::TempDir dir;
    const std::string path = (dir.path / "v.mp4").string();
    EXPECT_THROW(VideoFileWriter((dir.path / "v.mov").string(), 32, 32, 5), std::invalid_argument);
    EXPECT_THROW(VideoFileWriter(path, 0, 32, 5), std::invalid_argument);
    EXPECT_THROW(VideoFileWriter(path, 32, 32, 0), std::invalid_argument);
    EXPECT_THROW(VideoFileWriter(path, 32, 32, 1000), std::invalid_argument);
    try {
        VideoFileWriter((dir.path / "no" / "such" / "dir" / "v.mp4").string(), 32, 32, 5);
        FAIL() << "opening in a missing folder must fail";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("v.mp4"), std::string::npos) << e.what();
    }
    VideoFileWriter w(path, 32, 32, 5);
    EXPECT_THROW(w.add(frame(33, 32, 0)), std::invalid_argument);
    EXPECT_THROW(w.add(cv::Mat(32, 32, CV_8UC1, cv::Scalar(0))), std::invalid_argument);
    EXPECT_THROW(w.finish(), std::runtime_error) << "no frames";
    EXPECT_FALSE(fs::exists(path));
}

}  // namespace
}  // namespace synthforge::io
