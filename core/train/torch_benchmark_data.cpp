// Benchmark datasets as Stage II batches (see torch_benchmark_data.h).

#include "core/train/torch_benchmark_data.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "core/dataset/fs_checks.h"
#include "core/annotate/class_presets.h"
#include "core/io/file_util.h"
#include "core/dataset/celebamask_hq_dataset.h"
#include "core/dataset/lapa_dataset.h"
#include "core/dataset/w300_dataset.h"

namespace synthforge::train {

namespace fs = std::filesystem;

namespace {

constexpr const char* kCelebAMapping = "CelebA-HQ-to-CelebA-mapping.txt";
/// CelebAMask-HQ ids 1..12 (skin .. l_lip) are the face itself; hair, hat,
/// earrings, necklace, neck and cloth would stretch the box far beyond it.
constexpr int kCelebAFaceIdMax = 12;


/// One decoded sample before cropping, every array in the image's frame.
struct RawSample {
    cv::Mat image;           ///< BGR
    cv::Mat labels;          ///< CV_8UC1 at the image's size, or empty
    io::Points2f landmarks;  ///< our frame, or empty
};

/// Where an image of the iBUG 300-W release belongs under the customary
/// protocol, from the folders in its path relative to the root (compared
/// lower-case, so the release's root or one of its subset folders may be
/// given): "train", "common", "challenging", "private", or "" for a path
/// outside the release's subset folders.
std::string w300Subset(const std::string& name) {
    std::vector<std::string> folders;
    std::string part;
    for (char ch : name) {
        if (ch == '/') {
            folders.push_back(part);
            part.clear();
        } else {
            part += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        }
    }
    auto has = [&](const char* f) { return std::find(folders.begin(), folders.end(), f) != folders.end(); };
    // testset/ before helen/ or lfpw/: HELEN's and LFPW's test sets are "common".
    if (has("testset")) return "common";
    if (has("trainset") || has("afw")) return "train";
    if (has("ibug")) return "challenging";
    if (has("300w")) return "private";
    return "";
}

/// The last ceil(n * f) of n validate (none when n < 2 or f = 0).
int64_t tailCount(int64_t n, double f) {
    if (n < 2 || f <= 0) return 0;
    return std::min<int64_t>(n - 1, std::max<int64_t>(1, static_cast<int64_t>(std::ceil(static_cast<double>(n) * f))));
}

/// CelebA-HQ-to-CelebA-mapping.txt: "idx orig_idx orig_file" header, then one
/// row per CelebA-HQ image. Returns idx -> number of orig_file (e.g. 119614
/// for "119614.jpg"), the file's 1-based CelebA numbering.
std::map<int, int64_t> readCelebAMapping(const std::string& path) {
    std::istringstream in(io::readFileText(path, 64ull << 20));
    std::map<int, int64_t> out;
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::istringstream row(line);
        std::string idx, orig, file;
        if (!(row >> idx)) continue;  // blank line
        if (lineNo == 1 && idx == "idx") continue;
        if (!(row >> orig >> file))
            throw std::runtime_error(path + ": line " + std::to_string(lineNo) + ": expected \"idx orig_idx orig_file\"");
        try {
            size_t used = 0, usedFile = 0;
            const int i = std::stoi(idx, &used);
            const int64_t number = std::stoll(file, &usedFile);
            if (used != idx.size() || file.substr(usedFile) != ".jpg" || i < 0 || number < 1)
                throw std::invalid_argument(line);
            out[i] = number;
        } catch (const std::exception&) {
            throw std::runtime_error(path + ": line " + std::to_string(lineNo) + ": not \"<idx> <orig_idx> <n>.jpg\": '" +
                                     line + "'");
        }
    }
    return out;
}

}  // namespace

const annotate::ClassTable* benchmarkClassTable(const std::string& format) {
    if (format == "lapa") return &annotate::lapaTable();
    if (format == "celebamask-hq") return &annotate::celebAMaskHqTable();
    return nullptr;
}

const char* celebAPartition(int64_t n) {
    if (n <= 162770) return "train";
    if (n <= 182637) return "val";
    return "test";
}

FaceCrop squareCrop(double x0, double y0, double x1, double y1, double margin) {
    const double side = std::max({x1 - x0, y1 - y0, 1.0}) * (1.0 + 2.0 * margin);
    const double cx = 0.5 * (x0 + x1), cy = 0.5 * (y0 + y1);
    FaceCrop c;
    c.side = std::max(1, static_cast<int>(std::lround(side)));
    c.x = static_cast<int>(std::lround(cx - 0.5 * c.side));
    c.y = static_cast<int>(std::lround(cy - 0.5 * c.side));
    return c;
}

FaceCrop framedCrop(double x0, double y0, double x1, double y1, const CropFraming& f) {
    if (!(f.faceFraction > 0 && f.faceFraction <= 4) || !std::isfinite(f.offsetX) || !std::isfinite(f.offsetY))
        throw std::invalid_argument("framing: faceFraction must be in (0, 4] and the offsets finite");
    const double side = std::max({x1 - x0, y1 - y0, 1.0}) / f.faceFraction;
    const double cx = 0.5 * (x0 + x1), cy = 0.5 * (y0 + y1);
    FaceCrop c;
    c.side = std::max(1, static_cast<int>(std::lround(side)));
    c.x = static_cast<int>(std::lround(cx - (0.5 + f.offsetX) * c.side));
    c.y = static_cast<int>(std::lround(cy - (0.5 + f.offsetY) * c.side));
    return c;
}

cv::Mat cropAndResize(const cv::Mat& image, const FaceCrop& crop, int size, bool nearest, const cv::Scalar& fill) {
    // Pad only as much as the crop leaves the image, then cut.
    const int left = std::max(0, -crop.x), top = std::max(0, -crop.y);
    const int right = std::max(0, crop.x + crop.side - image.cols), bottom = std::max(0, crop.y + crop.side - image.rows);
    cv::Mat padded;
    if (left || top || right || bottom)
        cv::copyMakeBorder(image, padded, top, bottom, left, right, cv::BORDER_CONSTANT, fill);
    else
        padded = image;
    const cv::Mat square = padded(cv::Rect(crop.x + left, crop.y + top, crop.side, crop.side));
    cv::Mat out;
    // INTER_NEAREST_EXACT samples at pixel centres, so labels stay aligned
    // with the image (plain INTER_NEAREST is shifted by half a source pixel).
    const int interp = nearest ? cv::INTER_NEAREST_EXACT : (crop.side > size ? cv::INTER_AREA : cv::INTER_LINEAR);
    cv::resize(square, out, cv::Size(size, size), 0, 0, interp);
    return out;
}

io::Points2f normaliseToCrop(const io::Points2f& p, const FaceCrop& crop) {
    io::Points2f out(p.rows(), 2);
    const float s = 2.0f / static_cast<float>(crop.side);
    for (Eigen::Index k = 0; k < p.rows(); ++k) {
        out(k, 0) = (p(k, 0) - static_cast<float>(crop.x)) * s - 1.0f;
        out(k, 1) = (p(k, 1) - static_cast<float>(crop.y)) * s - 1.0f;
    }
    return out;
}

// ------------------------------------------------------------ sources

struct BenchmarkDataset::Source {
    std::optional<dataset::W300Dataset> w300;
    std::vector<dataset::LapaDataset> lapa;  ///< one per split in use
    std::optional<dataset::CelebAMaskHqDataset> celeba;
    /// id -> (reader part, index in it)
    std::vector<std::pair<size_t, size_t>> entries;

    RawSample raw(int64_t id) const {
        const auto [part, i] = entries.at(static_cast<size_t>(id));
        RawSample r;
        if (w300) {
            dataset::W300Sample s = w300->sample(i);
            r.image = s.image;
            r.landmarks = s.landmarks;
        } else if (!lapa.empty()) {
            dataset::LapaSample s = lapa[part].sample(i);
            r.image = s.image;
            r.labels = s.labels;
            r.landmarks = s.landmarks;
        } else {
            dataset::CelebAMaskHqSample s = celeba->sample(i);
            r.image = s.image;
            // Masks are 512 x 512, images 1024 x 1024 in the release: bring
            // the labels to the image's frame (nearest, exact for 2x).
            if (s.labels.size() != s.image.size())
                cv::resize(s.labels, r.labels, s.image.size(), 0, 0, cv::INTER_NEAREST_EXACT);
            else
                r.labels = s.labels;
        }
        return r;
    }
};

BenchmarkDataset::~BenchmarkDataset() = default;

BenchmarkDataset::BenchmarkDataset(const std::string& root, const std::string& format, int64_t size, double margin,
                                   double valFraction)
    : format_(format), size_(size), margin_(margin), source_(std::make_unique<Source>()) {
    if (size < 1) throw std::invalid_argument("size: must be positive");
    if (!(margin >= 0 && margin <= 4)) throw std::invalid_argument("margin: must be in [0, 4]");
    Source& s = *source_;
    auto tailSplit = [&](size_t n, const std::string& what) {
        const int64_t nVal = tailCount(static_cast<int64_t>(n), valFraction);
        for (size_t i = 0; i < n; ++i) {
            s.entries.emplace_back(0, i);
            (static_cast<int64_t>(i) < static_cast<int64_t>(n) - nVal ? train_ : val_).push_back(static_cast<int64_t>(i));
        }
        splitRule_ = what + ": the last " + std::to_string(nVal) + " of " + std::to_string(n) + " samples validate";
    };
    if (format == "300w") {
        s.w300 = dataset::W300Dataset::open(root);
        std::vector<std::string> where(s.w300->size());
        bool release = false;
        for (size_t i = 0; i < where.size(); ++i) {
            where[i] = w300Subset(s.w300->name(i));
            release = release || where[i] == "train";
        }
        if (!release) {
            tailSplit(s.w300->size(), "no 300-W subset folders (afw/, helen/, lfpw/, ibug/)");
        } else {
            // Training pool in path order, its tail validating; test subsets apart.
            std::vector<size_t> pool;
            for (size_t i = 0; i < where.size(); ++i) {
                s.entries.emplace_back(0, i);
                if (where[i] == "train" || where[i].empty())
                    pool.push_back(i);
                else
                    test_.push_back(static_cast<int64_t>(i));
            }
            const int64_t nVal = tailCount(static_cast<int64_t>(pool.size()), valFraction);
            for (size_t k = 0; k < pool.size(); ++k)
                (static_cast<int64_t>(k) < static_cast<int64_t>(pool.size()) - nVal ? train_ : val_)
                    .push_back(static_cast<int64_t>(pool[k]));
            subset_.resize(where.size());
            for (int64_t id : test_) subset_[static_cast<size_t>(id)] = where[static_cast<size_t>(id)];
            splitRule_ = "300-W customary protocol: AFW + HELEN train + LFPW train (the last " + std::to_string(nVal) +
                         " of " + std::to_string(pool.size()) + " validate); " + std::to_string(test_.size()) +
                         " test images (common, challenging, private) kept out";
        }
    } else if (format == "lapa") {
        const fs::path r(root);
        if (dataset::isDir(r / "train") && dataset::isDir(r / "val")) {
            // The official split: train/ trains, val/ validates; test/ is left for evaluation.
            s.lapa.push_back(dataset::LapaDataset::open(root, "train"));
            s.lapa.push_back(dataset::LapaDataset::open(root, "val"));
            const bool withTest = dataset::isDir(r / "test");
            if (withTest) s.lapa.push_back(dataset::LapaDataset::open(root, "test"));
            for (size_t part = 0; part < s.lapa.size(); ++part)
                for (size_t i = 0; i < s.lapa[part].size(); ++i) {
                    (part == 0 ? train_ : part == 1 ? val_ : test_).push_back(static_cast<int64_t>(s.entries.size()));
                    s.entries.emplace_back(part, i);
                }
            splitRule_ = withTest ? "official LaPa train/, val/ and test/ folders" : "official LaPa train/ and val/ folders";
        } else if (dataset::isDir(r / "train")) {
            // Never train on test/: without val/, validate on the tail of train/.
            s.lapa.push_back(dataset::LapaDataset::open(root, "train"));
            tailSplit(s.lapa[0].size(), "no LaPa val/ folder");
        } else {
            s.lapa.push_back(dataset::LapaDataset::open(root));  // a split folder itself
            tailSplit(s.lapa[0].size(), "one LaPa split folder");
        }
    } else if (format == "celebamask-hq") {
        s.celeba = dataset::CelebAMaskHqDataset::open(root);
        const fs::path mappingPath = fs::path(root) / kCelebAMapping;
        if (fs::exists(mappingPath)) {
            const auto mapping = readCelebAMapping(mappingPath.string());
            for (size_t i = 0; i < s.celeba->size(); ++i) {
                const auto it = mapping.find(s.celeba->index(i));
                if (it == mapping.end())
                    throw std::runtime_error(mappingPath.string() + ": image " + std::to_string(s.celeba->index(i)) +
                                             " is not listed");
                const std::string part = celebAPartition(it->second);
                (part == "train" ? train_ : part == "val" ? val_ : test_).push_back(static_cast<int64_t>(s.entries.size()));
                s.entries.emplace_back(0, i);
            }
            splitRule_ = std::string("CelebA partition through ") + kCelebAMapping;
        } else {
            tailSplit(s.celeba->size(), std::string("no ") + kCelebAMapping);
        }
    } else {
        throw std::invalid_argument("format: '" + format + "' is not 300w, lapa or celebamask-hq");
    }
    subset_.resize(s.entries.size());
    // Class flips: identity (255 stays ignored) plus the left/right partners.
    for (int c = 0; c < 256; ++c) flip_.classFlip[static_cast<size_t>(c)] = static_cast<std::uint8_t>(c);
    auto partners = [&](int a, int b) {
        flip_.classFlip[static_cast<size_t>(a)] = static_cast<std::uint8_t>(b);
        flip_.classFlip[static_cast<size_t>(b)] = static_cast<std::uint8_t>(a);
    };
    if (format == "lapa") partners(2, 3), partners(4, 5);  // eyebrows, eyes
    if (format == "celebamask-hq") partners(4, 5), partners(6, 7), partners(8, 9);  // l/r eye, brow, ear
}

void BenchmarkDataset::setFraming(const CropFraming& framing) {
    framedCrop(0, 0, 1, 1, framing);  // validates
    framing_ = framing;
}

const std::string& BenchmarkDataset::subsetOf(int64_t id) const {
    if (id < 0 || id >= static_cast<int64_t>(subset_.size()))
        throw std::invalid_argument("id: sample " + std::to_string(id) + " out of range");
    return subset_[static_cast<size_t>(id)];
}

int64_t BenchmarkDataset::numClasses() const {
    if (format_ == "lapa") return dataset::LapaDataset::kNumClasses;
    if (format_ == "celebamask-hq") return dataset::CelebAMaskHqDataset::kNumClasses;
    return 0;
}

int64_t BenchmarkDataset::numLandmarks() const {
    if (format_ == "lapa") return dataset::LapaDataset::kNumLandmarks;
    if (format_ == "300w") return dataset::W300Dataset::kNumLandmarks;
    return 0;
}

BenchmarkBatch BenchmarkDataset::load(const std::vector<int64_t>& ids) const {
    return load(ids, AugmentConfig::none(), 0, 0);
}

BenchmarkBatch BenchmarkDataset::load(const std::vector<int64_t>& ids, const AugmentConfig& augmentConfig,
                                      uint64_t seed, int64_t epoch) const {
    const int S = static_cast<int>(size_);
    const auto B = static_cast<int64_t>(ids.size());
    BenchmarkBatch b;
    b.images = torch::empty({B, 3, S, S});
    if (numClasses() > 0) b.segmentation = torch::empty({B, S, S}, torch::kInt64);
    if (numLandmarks() > 0) b.landmarks = torch::empty({B, numLandmarks(), 2});
    for (int64_t k = 0; k < B; ++k) {
        if (ids[k] < 0 || ids[k] >= static_cast<int64_t>(source_->entries.size()))
            throw std::invalid_argument("ids: sample " + std::to_string(ids[k]) + " out of range");
        const RawSample r = source_->raw(ids[k]);
        // The face box: the landmarks' extent, else the face parts' mask extent, else the whole image.
        double x0 = 0, y0 = 0, x1 = r.image.cols, y1 = r.image.rows;
        if (r.landmarks.rows() > 0) {
            x0 = r.landmarks.col(0).minCoeff(), x1 = r.landmarks.col(0).maxCoeff();
            y0 = r.landmarks.col(1).minCoeff(), y1 = r.landmarks.col(1).maxCoeff();
        } else if (!r.labels.empty()) {
            const cv::Mat face = (r.labels >= 1) & (r.labels <= kCelebAFaceIdMax);
            const cv::Rect box = cv::boundingRect(face);
            if (box.area() > 0) x0 = box.x, y0 = box.y, x1 = box.x + box.width, y1 = box.y + box.height;
        }
        const FaceCrop crop = framing_ ? framedCrop(x0, y0, x1, y1, *framing_) : squareCrop(x0, y0, x1, y1, margin_);
        b.crops.push_back(crop);

        AugmentSample a;
        cv::cvtColor(cropAndResize(r.image, crop, S, false, cv::Scalar::all(0)), a.image, cv::COLOR_BGR2RGB);
        if (b.segmentation.defined()) a.segmentation = cropAndResize(r.labels, crop, S, true, cv::Scalar::all(255));
        a.segmentationBorder = 255;  // outside a photograph nothing is known
        io::Points2f normalised;
        if (b.landmarks.defined()) normalised = normaliseToCrop(r.landmarks, crop);
        if (augmentConfig.enabled) {
            // Augmentation works in continuous pixels of the S x S crop.
            if (b.landmarks.defined()) a.landmarks = (normalised.array() + 1.0f) * (0.5f * static_cast<float>(S));
            a = augment(a, augmentConfig, augmentSeed(seed, epoch, ids[k]), flip_);
            if (b.landmarks.defined()) normalised = a.landmarks.array() * (2.0f / static_cast<float>(S)) - 1.0f;
        }

        const auto img = torch::from_blob(a.image.data, {S, S, 3}, torch::kUInt8).permute({2, 0, 1}).to(torch::kFloat32);
        b.images[k].copy_(img / 127.5 - 1.0);
        if (b.segmentation.defined())
            b.segmentation[k].copy_(torch::from_blob(a.segmentation.data, {S, S}, torch::kUInt8).to(torch::kInt64));
        if (b.landmarks.defined())
            b.landmarks[k].copy_(
                torch::from_blob(normalised.data(), {normalised.rows(), 2}, torch::kFloat32));
    }
    return b;
}

}  // namespace synthforge::train
