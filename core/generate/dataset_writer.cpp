#include "core/generate/dataset_writer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/annotate/class_table.h"
#include "core/dataset/dataset_manifest.h"
#include "core/generate/samplers/fr_crop.h"
#include "core/io/content_hash.h"
#include "core/io/file_util.h"
#include "core/io/png_writer.h"
#include "core/io/pts_file.h"
#include "core/jobs/run_record.h"

namespace synthforge::generate {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

constexpr const char* kSampleDirs[] = {"images", "seg", "depth", "normals", "annotations", "facesynthetics", "300w", "rejected"};

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<std::uint8_t> encode(const char* ext, const cv::Mat& m, const std::vector<int>& params,
                                 const std::string& what) {
    std::vector<std::uint8_t> buf;
    if (!cv::imencode(ext, m, buf, params)) throw std::runtime_error(what + ": encoding failed");
    return buf;
}

std::vector<std::uint8_t> encodePng(const cv::Mat& m, int level, const std::string& what) {
    try {
        io::PngOptions po;
        po.compression = level;
        return io::encodePng(m, po);
    } catch (const std::exception& e) {
        throw std::runtime_error(what + ": " + e.what());
    }
}

void writeBytes(const fs::path& p, const std::vector<std::uint8_t>& b) {
    io::writeFileAtomic(p.string(), b.data(), b.size());
}

cv::Mat normalsToPng(const cv::Mat& n) {
    cv::Mat out(n.rows, n.cols, CV_8UC3);
    for (int y = 0; y < n.rows; ++y) {
        const auto* src = n.ptr<cv::Vec3f>(y);
        auto* dst = out.ptr<cv::Vec3b>(y);
        for (int x = 0; x < n.cols; ++x) {
            const cv::Vec3f v = src[x];
            if (v[0] == 0.0f && v[1] == 0.0f && v[2] == 0.0f) {
                dst[x] = cv::Vec3b(0, 0, 0);
                continue;
            }
            auto b = [](float c) { return cv::saturate_cast<std::uint8_t>((c + 1.0f) * 127.5f); };
            dst[x] = cv::Vec3b(b(v[2]), b(v[1]), b(v[0]));  // BGR order: R = x, G = y, B = z
        }
    }
    return out;
}

/// Removes temporary files ("<name>.tmp<digits>") of this shard's samples
/// that a killed run left behind. Other shards' temporaries are theirs.
void removeStaleTemporaries(const fs::path& root, const Shard& shard) {
    std::vector<fs::path> dirs;
    for (const char* dir : kSampleDirs) dirs.push_back(root / dir);
    std::error_code ec;
    if (fs::is_directory(root / "fr", ec))  // face-recognition crops: one folder per identity
        for (const auto& e : fs::directory_iterator(root / "fr", ec))
            if (e.is_directory(ec)) dirs.push_back(e.path());
    for (const fs::path& d : dirs) {
        if (!fs::is_directory(d, ec)) continue;
        for (const auto& e : fs::directory_iterator(d, ec)) {
            const std::string name = e.path().filename().string();
            const auto tmp = name.find(".tmp");
            if (tmp == std::string::npos) continue;
            const std::string digits = name.substr(0, name.find_first_not_of("0123456789"));
            if (digits.empty() || digits.size() > 19) continue;
            if (shard.owns(std::stoull(digits))) fs::remove(e.path(), ec);
        }
    }
}

/// Whether `root` holds nothing but manifest temporaries ("manifest.json.tmp<n>")
/// that another shard is writing at this moment, and the run record of this
/// job (run.json, heartbeat, the logs the studio sends a child's output to).
bool onlyManifestTemporaries(const fs::path& root) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("manifest.json.tmp", 0) != 0 && !jobs::isRunRecordFile(name)) return false;
    }
    return true;
}

bool sampleComplete(const fs::path& root, std::uint64_t i, int digits) {
    std::error_code ec;
    return fs::exists(root / "annotations" / (indexName(i, digits) + ".json"), ec);
}

}  // namespace

std::uint64_t replacementSeed(std::uint64_t seed, int draw) {
    // splitmix64 of the seed and the draw: unrelated to every other run's seed.
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (static_cast<std::uint64_t>(draw) + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::string datasetManifestJson(const SamplePipeline& p, const DatasetOptions& o, bool complete,
                                std::optional<std::uint64_t> rejected) {
    const head::HeadModel& m = *p.model;
    std::uint64_t headHash = io::fnv1a(m.vTemplate.data(), sizeof(float) * m.vTemplate.size());
    headHash = io::fnv1a(m.faces.data(), sizeof(std::int32_t) * m.faces.size(), headHash);
    headHash = io::fnv1a(m.shapedirs.data(), sizeof(float) * m.shapedirs.size(), headHash);
    headHash = io::fnv1a(m.exprdirs.data(), sizeof(float) * m.exprdirs.size(), headHash);
    const GeneratorCapabilities caps = p.generator->capabilities();
    // What defines the run; count, size, classes and completeness are the
    // manifest's own fields (core/dataset/dataset_manifest.h).
    ordered_json j;
    j["generator"] = {{"name", caps.name}, {"version", caps.version}};
    j["head_model"] = {{"name", m.name},          {"source", o.headSource},
                       {"vertices", m.numVertices()}, {"faces", m.numFaces()},
                       {"shape_components", m.numShape()}, {"expr_components", m.numExpr()},
                       {"content_hash", io::hex64(headHash)}};
    j["sampler"] = ordered_json::parse(samplerConfigToJson(p.sampler));
    j["seed"] = o.seed;
    dataset::DatasetManifest manifest;
    manifest.count = o.count;
    manifest.width = p.width;
    manifest.height = p.height;
    manifest.indexDigits = dataset::indexDigits(o.count);
    manifest.complete = complete;
    if (p.labels) {
        const cv::Mat& map = p.labels->original();
        manifest.classes = std::make_shared<const annotate::ClassTable>(*p.outputClasses());
        j["classes_preset"] = p.segRemap ? annotate::presetName(p.segRemap->target) : "";
        j["label_map"] = {{"size", map.rows}, {"content_hash", io::hex64(io::fnv1a(map.data, map.total()))}};
    } else {
        j["label_map"] = nullptr;
    }
    j["camera_convention"] =
        "EG3D/Next3D: camera_params = cam2world (OpenCV axes x right, y down, z forward; 16 values row-major) + "
        "K normalised by image size (9 values, f = 1/(tan(fov/2)*1.414), c = 0.5); FLAME metres to world: "
        "(X + [0, -0.01, -0.01]) * 2.5, then z += sqrt(2)/10; pixels: (i, j) covers [i, i+1) x [j, j+1)";
    j["files"] = {{"images", "png"}, {"seg", p.labels ? "png" : "none"}, {"depth", "tiff float32"},
                  {"normals", o.normals ? "png" : "none"}, {"annotations", "json"}};
    if (p.sampler.sampling.kind == SamplerKind::Identity) j["files"]["fr"] = "png 112x112: fr/<identity>/<index>.png";
    j["formats"] = o.formats.names();
    if (p.correction) {
        nlohmann::json rows = nlohmann::json::array();
        for (int r = 0; r < 4; ++r) rows.push_back({(*p.correction)(r, 0), (*p.correction)(r, 1), (*p.correction)(r, 2), (*p.correction)(r, 3)});
        j["alignment_correction"] = rows;
    }
    if (o.check) j["rejection"] = {{"kind", o.check.kind}, {"threshold", o.check.threshold}, {"max_draws", o.maxDraws}};
    if (rejected) j["rejected"] = *rejected;
    return dataset::datasetManifestJson(manifest, j.dump());
}

DatasetRunResult writeDataset(const SamplePipeline& given, const DatasetOptions& o, jobs::ProgressSink* progress,
                              const jobs::CancelToken* cancel) {
    SamplePipeline pipeline = given;
    pipeline.annotation.normals = o.normals;  // computed only when written
    if (!pipeline.model || !pipeline.generator) throw std::invalid_argument("writeDataset: incomplete pipeline");
    if (o.count == 0) throw std::invalid_argument("--count: must be at least 1");
    if (o.outDir.empty()) throw std::invalid_argument("--out: no output folder given");
    if (o.pngCompression < 0 || o.pngCompression > 9) throw std::invalid_argument("--png-compression: must be 0..9");
    checkSampleCount(pipeline.sampler.sampling, o.count);
    if (!pipeline.drawer) pipeline.drawer = makeSampler(pipeline.sampler, pipeline.model);
    const double t0 = now();
    const fs::path root(o.outDir);
    const int digits = indexDigits(o.count);

    // 1. The folder: create it, or check what it already holds.
    std::error_code ec;
    fs::create_directories(root, ec);
    if (ec || !fs::is_directory(root))
        throw std::runtime_error(o.outDir + ": cannot create the output folder (" + ec.message() + ")");
    const std::string manifestText = datasetManifestJson(pipeline, o, false);
    const fs::path manifestPath = root / "manifest.json";
    // Shards started together race for a new folder. The first to find it
    // empty writes the manifest before anything else, so any other entry
    // implies the manifest is there: a shard that sees the folder non-empty
    // looks for the manifest again instead of refusing the folder. A
    // manifest still being written (its temporary) counts as empty; the
    // shards then write identical manifests.
    bool haveManifest = fs::exists(manifestPath, ec);
    const bool empty = !haveManifest && onlyManifestTemporaries(root);
    if (!haveManifest && !empty) haveManifest = fs::exists(manifestPath, ec);
    if (haveManifest) {
        std::string existing;
        try {
            existing = io::readFileText(manifestPath.string(), dataset::kMaxManifestBytes);
            dataset::parseDatasetManifest(existing, manifestPath.string());
        } catch (const std::exception& e) {
            if (!o.force)
                throw std::runtime_error(manifestPath.string() + ": unreadable manifest (" + e.what() +
                                         "); use --force to overwrite it");
        }
        std::string differs;
        if (!o.force && !dataset::sameDatasetDefinition(existing, manifestText, &differs))
            throw std::runtime_error(o.outDir + ": holds a different dataset (manifest differs in: " + differs +
                                     "); choose another --out, or --force to write into it anyway");
    } else if (!o.force && !empty) {
        throw std::runtime_error(o.outDir + ": is not empty and holds no manifest.json (not a SynthForge dataset); "
                                 "choose an empty folder, or --force to write into it anyway");
    } else {
        io::writeFileAtomic(manifestPath.string(), manifestText);
    }
    for (const char* d : kSampleDirs) {
        const std::string name = d;
        const bool used = name == "images" || name == "depth" || name == "annotations" ||
                          (name == "seg" && pipeline.labels) || (name == "normals" && o.normals) ||
                          (name == "facesynthetics" && o.formats.faceSynthetics) || (name == "300w" && o.formats.w300) ||
                          (name == "rejected" && o.check);
        if (!used) continue;
        fs::create_directories(root / d, ec);
        if (ec) throw std::runtime_error((root / d).string() + ": cannot create folder (" + ec.message() + ")");
    }

    // 2. What is left to do for this shard.
    removeStaleTemporaries(root, o.shard);
    std::vector<std::uint64_t> todo;
    DatasetRunResult result;
    for (std::uint64_t i = o.shard.index; i < o.count; i += o.shard.count) {
        if (sampleComplete(root, i, digits)) {
            ++result.skipped;
            continue;
        }
        todo.push_back(i);
    }
    if (result.skipped > 0 && !o.resume && !o.force)
        throw std::runtime_error(o.outDir + ": already holds " + std::to_string(result.skipped) +
                                 " samples of this run" + (o.shard.count > 1 ? " (shard " + o.shard.toString() + ")" : "") +
                                 "; use --resume to continue it");
    if (o.force) {
        // Start over: a forced run rewrites every sample of its shard.
        result.skipped = 0;
        todo.clear();
        for (std::uint64_t i = o.shard.index; i < o.count; i += o.shard.count) todo.push_back(i);
    }
    io::writeFileAtomic(manifestPath.string(), manifestText);

    // 3. Render and write, one sample per worker at a time (memory stays flat).
    const std::vector<int> tiff{cv::IMWRITE_TIFF_COMPRESSION, 1};  // 1 = none: fast, exact float32
    const bool threadSafe = pipeline.generator->capabilities().threadSafe;
    const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int workers = threadSafe ? std::max(1, std::min<int>(o.workers > 0 ? o.workers : hw,
                                                                static_cast<int>(std::max<std::size_t>(1, todo.size()))))
                                   : 1;
    jobs::ProgressTracker tracker(progress, "generate", todo.size());
    std::atomic<std::size_t> next{0};
    std::mutex mu;
    std::exception_ptr firstError;
    std::atomic<bool> failed{false};
    auto work = [&] {
        DatasetRunResult local;
        try {
            for (;;) {
                if (failed.load()) break;
                if (cancel) cancel->throwIfCancelled();
                const std::size_t k = next.fetch_add(1);
                if (k >= todo.size()) break;
                const std::uint64_t i = todo[k];
                const std::string name = indexName(i, digits);
                std::uint64_t seed = o.seed;
                RenderedSample s = pipeline.render(seed, i);
                for (int draw = 0; o.check;) {
                    const SampleVerdict v = o.check.judge(s);
                    if (!v.reject) break;
                    ordered_json r;
                    r["index"] = i;
                    r["draw"] = draw;
                    r["seed"] = seed;
                    r["kind"] = o.check.kind;
                    r["residual"] = v.residual;
                    r["threshold"] = o.check.threshold;
                    io::writeFileAtomic((root / "rejected" / (name + "_" + std::to_string(draw) + ".json")).string(),
                                        r.dump() + "\n");
                    local.rejected++;
                    if (++draw >= o.maxDraws)
                        throw std::runtime_error("sample " + std::to_string(i) + ": " + std::to_string(o.maxDraws) +
                                                 " draws in a row were rejected (" + o.check.kind + " " +
                                                 std::to_string(v.residual) + " > " + std::to_string(o.check.threshold) +
                                                 "); the alignment does not fit this generator: fit it again or raise the threshold");
                    seed = replacementSeed(o.seed, draw);
                    s = pipeline.render(seed, i);
                }

                double t = now();
                const auto image = encodePng(s.image.image, o.pngCompression, "image " + name);
                std::vector<std::uint8_t> seg, depth, normals;
                if (pipeline.labels) seg = encodePng(s.annotations.segmentation, o.pngCompression, "seg " + name);
                depth = encode(".tiff", s.annotations.depth, tiff, "depth " + name);
                if (o.normals) normals = encodePng(normalsToPng(s.annotations.normals), o.pngCompression, "normals " + name);
                const std::string annotation = sampleAnnotationJson(s, seed, pipeline.width, pipeline.height);
                local.encodeSeconds += now() - t;

                t = now();
                writeBytes(root / "images" / (name + ".png"), image);
                if (!seg.empty()) writeBytes(root / "seg" / (name + ".png"), seg);
                writeBytes(root / "depth" / (name + ".tiff"), depth);
                if (!normals.empty()) writeBytes(root / "normals" / (name + ".png"), normals);
                if (o.formats.faceSynthetics) {
                    writeBytes(root / "facesynthetics" / (name + ".png"), image);
                    if (!seg.empty()) writeBytes(root / "facesynthetics" / (name + "_seg.png"), seg);
                    io::writeFileAtomic((root / "facesynthetics" / (name + "_ldmks.txt")).string(),
                                        faceSyntheticsLandmarks(s, *pipeline.model));
                }
                if (o.formats.w300) {
                    writeBytes(root / "300w" / (name + ".png"), image);
                    io::writeFileAtomic((root / "300w" / (name + ".pts")).string(),
                                        io::formatPts(io::toPtsCoordinates(s.annotations.landmarks2d)));
                }
                if (s.spec.identity) {
                    const std::uint64_t identities = o.count / pipeline.sampler.sampling.perIdentity;
                    const fs::path fr = root / frCropPath(*s.spec.identity, identities, name);
                    fs::create_directories(fr.parent_path());
                    writeBytes(fr, encodePng(alignedFrCrop(s.image.image, s.annotations.landmarks2d), o.pngCompression,
                                             "fr crop " + name));
                }
                // Last: the annotation marks the sample complete.
                io::writeFileAtomic((root / "annotations" / (name + ".json")).string(), annotation);
                local.writeSeconds += now() - t;

                local.written++;
                local.stageTotals.forward += s.times.forward;
                local.stageTotals.generate += s.times.generate;
                local.stageTotals.annotate += s.times.annotate;
                local.stageTotals.rasterize += s.times.rasterize;
                tracker.advance();
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(mu);
            if (!firstError) firstError = std::current_exception();
            failed.store(true);
        }
        std::lock_guard<std::mutex> lock(mu);
        result.written += local.written;
        result.rejected += local.rejected;
        result.encodeSeconds += local.encodeSeconds;
        result.writeSeconds += local.writeSeconds;
        result.stageTotals.forward += local.stageTotals.forward;
        result.stageTotals.generate += local.stageTotals.generate;
        result.stageTotals.annotate += local.stageTotals.annotate;
        result.stageTotals.rasterize += local.stageTotals.rasterize;
    };
    std::vector<std::thread> threads;
    for (int w = 1; w < workers; ++w) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
    tracker.finish();
    if (firstError) std::rethrow_exception(firstError);

    // 4. Completion of the whole dataset (all shards).
    bool complete = true;
    for (std::uint64_t i = 0; i < o.count && complete; ++i) complete = sampleComplete(root, i, digits);
    if (complete) {
        std::optional<std::uint64_t> rejected;
        if (o.check) {
            rejected = 0;
            std::error_code ec;
            for (const auto& e : fs::directory_iterator(root / "rejected", ec))
                if (e.path().extension() == ".json") ++*rejected;
        }
        io::writeFileAtomic(manifestPath.string(), datasetManifestJson(pipeline, o, true, rejected));
    }
    result.datasetComplete = complete;
    result.seconds = now() - t0;
    return result;
}

}  // namespace synthforge::generate
