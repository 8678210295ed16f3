#include "core/io/video_file_writer.h"

#include <cctype>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

namespace synthforge::io {

namespace fs = std::filesystem;

struct VideoFileWriter::Impl {
    cv::VideoWriter writer;
};

namespace {

std::vector<std::string> codecsFor(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".mp4") return {"avc1", "mp4v"};
    if (ext == ".avi") return {"MJPG"};
    throw std::invalid_argument(path + ": video must end in .mp4 or .avi (got '" + ext + "')");
}

int even(int side) { return side + (side & 1); }

}  // namespace

VideoFileWriter::VideoFileWriter(const std::string& path, int width, int height, double fps)
    : impl_(std::make_unique<Impl>()), path_(path), width_(width), height_(height) {
    const std::vector<std::string> codecs = codecsFor(path);
    if (width <= 0 || height <= 0)
        throw std::invalid_argument(path + ": video frame size must be positive (got " + std::to_string(width) + " x " +
                                    std::to_string(height) + ")");
    if (!(fps > 0 && fps <= 240)) throw std::invalid_argument(path + ": fps must be in (0, 240]");
    const fs::path target(path);
    // Same folder (so the rename is atomic) and same extension (FFmpeg picks
    // the container from it).
    tempPath_ = (target.parent_path() / (target.stem().string() + ".partial" + target.extension().string())).string();
    for (const std::string& c : codecs) {
        const int fourcc = cv::VideoWriter::fourcc(c[0], c[1], c[2], c[3]);
        if (impl_->writer.open(tempPath_, cv::CAP_FFMPEG, fourcc, fps, cv::Size(even(width), even(height)), true)) {
            codec_ = c;
            return;
        }
    }
    std::error_code ec;
    fs::remove(tempPath_, ec);
    throw std::runtime_error(path + ": no video encoder could open it (tried " + codecs.front() +
                             (codecs.size() > 1 ? " and " + codecs.back() : std::string()) +
                             "; is the folder writable and OpenCV built with FFmpeg?)");
}

VideoFileWriter::~VideoFileWriter() {
    if (!impl_->writer.isOpened()) return;
    impl_->writer.release();
    std::error_code ec;
    fs::remove(tempPath_, ec);
}

void VideoFileWriter::add(const cv::Mat& bgr) {
    if (!impl_->writer.isOpened()) throw std::runtime_error(path_ + ": video already finished");
    if (bgr.type() != CV_8UC3 || bgr.cols != width_ || bgr.rows != height_)
        throw std::invalid_argument(path_ + ": frame " + std::to_string(frames_) + " must be an 8-bit BGR image of " +
                                    std::to_string(width_) + " x " + std::to_string(height_));
    if (bgr.cols == even(width_) && bgr.rows == even(height_)) {
        impl_->writer.write(bgr);
    } else {
        cv::Mat padded;
        cv::copyMakeBorder(bgr, padded, 0, even(height_) - height_, 0, even(width_) - width_, cv::BORDER_REPLICATE);
        impl_->writer.write(padded);
    }
    ++frames_;
}

void VideoFileWriter::finish() {
    if (!impl_->writer.isOpened()) throw std::runtime_error(path_ + ": video already finished");
    impl_->writer.release();
    std::error_code ec;
    if (frames_ == 0) {
        fs::remove(tempPath_, ec);
        throw std::runtime_error(path_ + ": no frames were written");
    }
    fs::rename(tempPath_, path_, ec);
    if (ec) {
        fs::remove(tempPath_, ec);
        throw std::runtime_error(path_ + ": could not move the finished video into place: " + ec.message());
    }
}

}  // namespace synthforge::io
