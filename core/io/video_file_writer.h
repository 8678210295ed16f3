#pragma once
// A video file from a sequence of frames (OpenCV's VideoWriter over FFmpeg),
// for `explore interp --video`: researchers drop an .mp4 into slides and
// papers, where a folder of PNGs needs an extra ffmpeg step.
//
// The container and codec follow the extension: .mp4 -> H.264 ("avc1",
// MPEG-4 Part 2 "mp4v" where the FFmpeg build has no H.264 encoder), .avi ->
// Motion JPEG. Frames are padded to even sides by repeating the last row or
// column, because 4:2:0 chroma (what players expect of H.264) needs them.
// The file is written under a temporary name beside the target and renamed
// on finish(), so an interrupted run never leaves a truncated video under
// the name asked for.

#include <memory>
#include <string>

#include <opencv2/core/mat.hpp>

namespace synthforge::io {

class VideoFileWriter {
public:
    /// Opens `path` for frames of `width` x `height` at `fps` frames per
    /// second. std::invalid_argument for an extension other than .mp4 or
    /// .avi, a non-positive size or an fps outside (0, 240];
    /// std::runtime_error naming the file when no encoder opens it.
    VideoFileWriter(const std::string& path, int width, int height, double fps);
    ~VideoFileWriter();  ///< without finish(): the temporary file is removed
    VideoFileWriter(const VideoFileWriter&) = delete;
    VideoFileWriter& operator=(const VideoFileWriter&) = delete;

    /// Appends a CV_8UC3 (BGR) frame of the size given at construction;
    /// std::invalid_argument naming the frame number otherwise.
    void add(const cv::Mat& bgr);
    /// Closes the file and moves it to `path`. std::runtime_error when no
    /// frame was added or the rename fails.
    void finish();

    int frames() const { return frames_; }
    /// The codec written, as its fourcc ("avc1", "mp4v" or "MJPG").
    const std::string& codec() const { return codec_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string path_, tempPath_, codec_;
    int width_ = 0, height_ = 0, frames_ = 0;
};

}  // namespace synthforge::io
