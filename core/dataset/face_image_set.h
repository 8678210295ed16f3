#pragma once
// A face-recognition training set as `fr train` reads it: images with an
// identity each, from either layout InsightFace users have:
//  - a folder per identity (CASIA-WebFace, DigiFace-1M, our identity
//    export): root/<identity>/<image>;
//  - MXNet RecordIO (`train.rec` with `train.idx` beside it, as MS1M,
//    Glint360K and WebFace ship): each image record's label is its
//    identity; InsightFace's header record (no image) is skipped.
// Identities are numbered 0..n-1 in folder-name or label order. Images are
// addressed by a key (the file path, or "<rec>@<offset>") so that both
// layouts share one loader.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace synthforge::dataset {

class RecordIoFile;

class FaceImageSet {
public:
    /// A folder per identity; a `.rec` file (its `.idx` beside it, else the
    /// records are scanned); or a folder holding `train.rec`. Throws
    /// std::runtime_error naming the path for anything else or an empty set,
    /// and naming the record for a malformed one (records are read once here
    /// for their labels).
    static FaceImageSet open(const std::string& path);
    ~FaceImageSet();
    FaceImageSet(FaceImageSet&&) noexcept;
    FaceImageSet& operator=(FaceImageSet&&) noexcept;

    /// Image keys of each identity, identity 0 first.
    const std::vector<std::vector<std::string>>& identities() const { return identities_; }
    /// What the identities were called (folder names, or the labels as text).
    const std::vector<std::string>& identityNames() const { return names_; }
    bool isRecordIo() const { return rec_ != nullptr; }
    /// The image (BGR) under `key`. std::runtime_error naming the file or
    /// record when it cannot be read or decoded.
    cv::Mat load(const std::string& key) const;

private:
    FaceImageSet() = default;
    std::vector<std::vector<std::string>> identities_;
    std::vector<std::string> names_;
    std::unique_ptr<RecordIoFile> rec_;
    std::string recPath_;
};

}  // namespace synthforge::dataset
