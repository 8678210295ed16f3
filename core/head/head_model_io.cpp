#include "core/head/head_model_io.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>

#include "core/io/file_util.h"
#include "core/io/mesh_io.h"
#include "core/io/npy.h"
#include "core/io/pickle.h"
#include "core/io/safetensors.h"

namespace synthforge::head {

namespace {

using io::NdArray;
using ArrayMap = std::map<std::string, NdArray>;

[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& what) {
    throw std::runtime_error(source + ": " + field + ": " + what);
}

const NdArray& require(const ArrayMap& arrays, const std::string& key, const std::string& source) {
    auto it = arrays.find(key);
    if (it == arrays.end()) fail(source, key, "missing");
    return it->second;
}

const NdArray* optional(const ArrayMap& arrays, const std::string& key) {
    auto it = arrays.find(key);
    return it == arrays.end() ? nullptr : &it->second;
}

void requireShape(const NdArray& a, std::vector<std::int64_t> expected, const std::string& source,
                  const std::string& field) {
    // -1 in `expected` matches any extent.
    bool ok = a.shape.size() == expected.size();
    for (std::size_t i = 0; ok && i < expected.size(); ++i) ok = expected[i] < 0 || expected[i] == a.shape[i];
    if (!ok) {
        std::ostringstream want;
        want << "(";
        for (std::size_t i = 0; i < expected.size(); ++i)
            want << (i ? ", " : "") << (expected[i] < 0 ? std::string("*") : std::to_string(expected[i]));
        want << ")";
        fail(source, field, "has shape " + a.shapeString() + ", expected " + want.str());
    }
}

std::vector<float> floats(const NdArray& a, const std::string& source, const std::string& field) {
    try {
        return a.toFloat();
    } catch (const std::exception& e) {
        fail(source, field, e.what());
    }
}

std::vector<std::int64_t> ints(const NdArray& a, const std::string& source, const std::string& field) {
    if (io::dtypeIsFloat(a.dtype)) fail(source, field, "must hold integers, has dtype " + io::dtypeName(a.dtype));
    try {
        return a.toInt64();
    } catch (const std::exception& e) {
        fail(source, field, e.what());
    }
}

std::vector<std::int32_t> indices32(const NdArray& a, const std::string& source, const std::string& field) {
    std::vector<std::int32_t> out;
    out.reserve(a.numel());
    for (std::int64_t v : ints(a, source, field)) {
        if (v < 0 || v > 0x7fffffff) fail(source, field, "index " + std::to_string(v) + " out of range");
        out.push_back(static_cast<std::int32_t>(v));
    }
    return out;
}

template <typename Mat>
Mat rowMajor(const NdArray& a, Eigen::Index rows, Eigen::Index cols, const std::string& source,
             const std::string& field) {
    const auto v = floats(a, source, field);
    return Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(v.data(), rows, cols);
}

RowMatX3i faceMatrix(const NdArray& a, const std::string& source, const std::string& field) {
    requireShape(a, {-1, 3}, source, field);
    const auto v = indices32(a, source, field);
    return Eigen::Map<const RowMatX3i>(v.data(), a.shape[0], 3);
}

/// Copies columns [first, first + count) of a row-major rows x K array of T
/// (raw little-endian bytes) into a column-major float matrix. The copy goes
/// tile by tile: a plain column-by-column walk would read one value per cache
/// line of the source.
template <typename T>
Eigen::MatrixXf transposeColumns(const std::uint8_t* src, Eigen::Index rows, Eigen::Index K, Eigen::Index first,
                                 Eigen::Index count) {
    constexpr Eigen::Index kTile = 32;
    const auto at = [&](Eigen::Index r, Eigen::Index c) {
        T v;  // memcpy: NdArray bytes promise no alignment
        std::memcpy(&v, src + (r * K + first + c) * static_cast<Eigen::Index>(sizeof(T)), sizeof(T));
        return static_cast<float>(v);
    };
    Eigen::MatrixXf dst(rows, count);
    float* out = dst.data();
    for (Eigen::Index r0 = 0; r0 < rows; r0 += kTile) {
        const Eigen::Index r1 = std::min(rows, r0 + kTile);
        for (Eigen::Index c0 = 0; c0 < count; c0 += kTile) {
            const Eigen::Index c1 = std::min(count, c0 + kTile);
            for (Eigen::Index c = c0; c < c1; ++c)
                for (Eigen::Index r = r0; r < r1; ++r) out[c * rows + r] = at(r, c);
        }
    }
    return dst;
}

/// (V, 3, K) C-ordered basis -> 3V x count column-major float, columns
/// [first, first + count) (column k = direction first + k). Bases are most
/// of a model file, so float32 and float64 data are converted directly
/// rather than through a float copy of the whole array.
Eigen::MatrixXf basisFromVxCxK(const NdArray& a, Eigen::Index V, Eigen::Index K, Eigen::Index first, Eigen::Index count,
                               const std::string& source, const std::string& field) {
    const bool sized = a.data.size() == a.numel() * io::dtypeSize(a.dtype);
    if (sized && a.dtype == io::DType::F64) return transposeColumns<double>(a.data.data(), 3 * V, K, first, count);
    if (sized && a.dtype == io::DType::F32) return transposeColumns<float>(a.data.data(), 3 * V, K, first, count);
    // Other dtypes, and the size error with its message.
    const std::vector<float> v = floats(a, source, field);
    return transposeColumns<float>(reinterpret_cast<const std::uint8_t*>(v.data()), 3 * V, K, first, count);
}

/// Fills the landmark embedding from static (51 or 68) and optional dynamic arrays.
void setLandmarks(HeadModel& model, const NdArray& faces, const NdArray& bary, const NdArray* dynFaces,
                  const NdArray* dynBary, const std::string& source, const std::string& facesField,
                  const std::string& baryField) {
    const auto idx = indices32(faces, source, facesField);
    const auto n = static_cast<std::int64_t>(idx.size());
    if (bary.numel() != static_cast<std::size_t>(n * 3))
        fail(source, baryField, "has shape " + bary.shapeString() + ", expected (" + std::to_string(n) + ", 3)");
    LandmarkEmbedding lm;
    lm.staticFaces = idx;
    lm.staticBary = rowMajor<RowMatX3f>(bary, n, 3, source, baryField);
    if (dynFaces && dynBary) {
        requireShape(*dynFaces, {-1, kNumContourLandmarks}, source, "dynamic lmk_faces_idx");
        requireShape(*dynBary, {dynFaces->shape[0], kNumContourLandmarks, 3}, source, "dynamic lmk_b_coords");
        const auto d = indices32(*dynFaces, source, "dynamic lmk_faces_idx");
        lm.dynamicFaces = Eigen::Map<const Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            d.data(), dynFaces->shape[0], kNumContourLandmarks);
        lm.dynamicBary = rowMajor<RowMatXf>(*dynBary, dynFaces->shape[0], 3 * kNumContourLandmarks, source,
                                            "dynamic lmk_b_coords");
    }
    model.landmarks = std::move(lm);
}

// ---------------------------------------------------------------- safetensors

constexpr const char* kRegionPrefix = "region.";

HeadModel modelFromSafetensors(const io::SafetensorsFile& file, const std::string& source) {
    const auto& t = file.tensors;
    const auto meta = [&](const std::string& key) -> std::string {
        auto it = file.metadata.find(key);
        return it == file.metadata.end() ? std::string() : it->second;
    };
    const std::string version = meta("format_version");
    if (version.empty()) fail(source, "__metadata__.format_version", "missing (not a SynthForge head model?)");
    if (version != std::to_string(kHeadModelFormatVersion))
        fail(source, "__metadata__.format_version", "is " + version + ", this build reads " +
                                                         std::to_string(kHeadModelFormatVersion));
    HeadModel m;
    m.name = meta("name");
    m.licence = meta("licence");
    if (const std::string names = meta("expr_names"); !names.empty()) {
        std::stringstream ss(names);
        for (std::string n; std::getline(ss, n, ',');) m.exprNames.push_back(n);
    }
    const NdArray& vt = require(t, "v_template", source);
    requireShape(vt, {-1, 3}, source, "v_template");
    const Eigen::Index V = vt.shape[0];
    m.vTemplate = rowMajor<RowMatX3f>(vt, V, 3, source, "v_template");
    const auto basis = [&](const std::string& key, bool required, Eigen::MatrixXf& dst) {
        const NdArray* a = required ? &require(t, key, source) : optional(t, key);
        if (!a) {
            dst.resize(3 * V, 0);
            return;
        }
        requireShape(*a, {V, 3, -1}, source, key);
        dst = basisFromVxCxK(*a, V, a->shape[2], 0, a->shape[2], source, key);
    };
    basis("shapedirs", true, m.shapedirs);
    basis("exprdirs", false, m.exprdirs);
    if (const NdArray* p = optional(t, "posedirs")) {
        requireShape(*p, {V, 3, kNumPoseFeatures}, source, "posedirs");
        m.posedirs = basisFromVxCxK(*p, V, kNumPoseFeatures, 0, kNumPoseFeatures, source, "posedirs");
    }
    const NdArray& jr = require(t, "J_regressor", source);
    requireShape(jr, {kNumJoints, V}, source, "J_regressor");
    m.jRegressor = rowMajor<Eigen::MatrixXf>(jr, kNumJoints, V, source, "J_regressor");
    const NdArray& w = require(t, "weights", source);
    requireShape(w, {V, kNumJoints}, source, "weights");
    m.weights = rowMajor<RowMatXf>(w, V, kNumJoints, source, "weights");
    const NdArray& parents = require(t, "parents", source);
    requireShape(parents, {kNumJoints}, source, "parents");
    const auto pv = ints(parents, source, "parents");
    for (int j = 0; j < kNumJoints; ++j) m.parents[j] = static_cast<int>(pv[j]);
    m.faces = faceMatrix(require(t, "faces", source), source, "faces");
    if (const NdArray* uv = optional(t, "uv")) {
        requireShape(*uv, {-1, 2}, source, "uv");
        m.uv = rowMajor<RowMatX2f>(*uv, uv->shape[0], 2, source, "uv");
        m.uvFaces = faceMatrix(require(t, "uv_faces", source), source, "uv_faces");
    }
    if (const NdArray* lf = optional(t, "lmk_faces_idx"))
        setLandmarks(m, *lf, require(t, "lmk_b_coords", source), optional(t, "dynamic_lmk_faces_idx"),
                     optional(t, "dynamic_lmk_b_coords"), source, "lmk_faces_idx", "lmk_b_coords");
    for (const auto& [key, arr] : t)
        if (key.rfind(kRegionPrefix, 0) == 0) m.regions[key.substr(std::strlen(kRegionPrefix))] = indices32(arr, source, key);
    m.validate(source);
    return m;
}

NdArray basisToVxCxK(const Eigen::MatrixXf& basis) {
    const Eigen::Index rows = basis.rows(), K = basis.cols();
    const RowMatXf rm = basis;  // 3V x K row-major == (V, 3, K) C order
    return NdArray::fromFloat(std::vector<float>(rm.data(), rm.data() + rm.size()), {rows / 3, 3, K});
}

template <typename M>
NdArray floatArray(const M& m) {
    const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm = m;
    return NdArray::fromFloat(std::vector<float>(rm.data(), rm.data() + rm.size()), {m.rows(), m.cols()});
}

template <typename M>
NdArray intArray(const M& m) {
    const Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm = m;
    return NdArray::fromInt32(std::vector<std::int32_t>(rm.data(), rm.data() + rm.size()), {m.rows(), m.cols()});
}

// ---------------------------------------------------------------- FLAME

/// The value that holds an unpickled FLAME array: the value itself, or for a
/// chumpy Ch the array in its state['x'].
io::PyValue& arrayHolder(io::PyValue& v, const std::string& source, const std::string& field, int depth = 0) {
    if (depth > 8) fail(source, field, "nested chumpy objects too deep");
    if (v.kind != io::PyValue::Kind::Object) return v;
    io::PyValue* x = v.state ? v.state->find("x") : nullptr;
    if (!x) fail(source, field, "object of class " + v.className + " has no array state 'x'");
    return arrayHolder(*x, source, field, depth + 1);
}

/// Takes the array out of an ndarray value (moved: a FLAME model's arrays
/// are 53 MB) or densifies a scipy.sparse matrix.
NdArray takeArray(io::PyValue& v, const std::string& source, const std::string& field) {
    using K = io::PyValue::Kind;
    switch (v.kind) {
        case K::Array: return std::move(v.array);
        case K::Sparse: {
            NdArray a;
            a.dtype = io::DType::F64;
            a.shape = {v.sparse.rows, v.sparse.cols};
            std::vector<double> dense;
            try {
                dense = v.sparse.toDense();
            } catch (const std::exception& e) {
                fail(source, field, e.what());
            }
            a.data.resize(dense.size() * sizeof(double));
            std::memcpy(a.data.data(), dense.data(), a.data.size());
            return a;
        }
        default: fail(source, field, "expected an array, found " + v.kindName());
    }
}

/// The arrays of an unpickled dict, by key (the first of repeated keys).
/// Arrays are moved out of `root`, which is left unusable; one array stored
/// under several keys (the pickle memo shares values) is copied for each.
ArrayMap takeArraysFromPickleDict(io::PyValue& root, const std::string& source) {
    if (root.kind != io::PyValue::Kind::Dict) fail(source, "top level", "expected a dict, found " + root.kindName());
    ArrayMap out;
    std::map<const io::PyValue*, std::string> takenFor;  // holder -> key it was moved to
    for (const auto& [k, v] : root.entries) {
        if (!k || (k->kind != io::PyValue::Kind::Str && k->kind != io::PyValue::Kind::Bytes)) continue;
        using K = io::PyValue::Kind;
        if (!v || (v->kind != K::Array && v->kind != K::Sparse && v->kind != K::Object) || out.count(k->text)) continue;
        io::PyValue& holder = arrayHolder(*v, source, k->text);
        if (auto it = takenFor.find(&holder); it != takenFor.end()) {
            NdArray copy = out.at(it->second);
            out.emplace(k->text, std::move(copy));
            continue;
        }
        out.emplace(k->text, takeArray(holder, source, k->text));
        takenFor.emplace(&holder, k->text);
    }
    return out;
}

ArrayMap arraysFromNpz(const std::string& path) {
    ArrayMap out;
    for (auto& [k, c] : io::loadNpzFile(path)) {
        if (c.isObject) continue;  // strings such as bs_style
        out.emplace(k, std::move(c.array));
    }
    return out;
}

HeadModel modelFromFlameArrays(const ArrayMap& a, const std::string& source) {
    HeadModel m;
    m.licence = "FLAME model: see https://flame.is.tue.mpg.de (licensed; do not redistribute)";
    const NdArray& vt = require(a, "v_template", source);
    requireShape(vt, {-1, 3}, source, "v_template");
    const Eigen::Index V = vt.shape[0];
    m.vTemplate = rowMajor<RowMatX3f>(vt, V, 3, source, "v_template");

    const NdArray& sd = require(a, "shapedirs", source);
    requireShape(sd, {V, 3, -1}, source, "shapedirs");
    const Eigen::Index K = sd.shape[2];
    const Eigen::Index S = std::min<Eigen::Index>(K, kFlameShapeComponents);
    m.shapedirs = basisFromVxCxK(sd, V, K, 0, S, source, "shapedirs");
    m.exprdirs = basisFromVxCxK(sd, V, K, S, K - S, source, "shapedirs");
    m.name = "FLAME (" + std::to_string(S) + " shape, " + std::to_string(K - S) + " expression)";

    const NdArray& pd = require(a, "posedirs", source);
    requireShape(pd, {V, 3, kNumPoseFeatures}, source, "posedirs");
    m.posedirs = basisFromVxCxK(pd, V, kNumPoseFeatures, 0, kNumPoseFeatures, source, "posedirs");

    const NdArray& jr = require(a, "J_regressor", source);
    requireShape(jr, {kNumJoints, V}, source, "J_regressor");
    m.jRegressor = rowMajor<Eigen::MatrixXf>(jr, kNumJoints, V, source, "J_regressor");

    const NdArray& w = require(a, "weights", source);
    requireShape(w, {V, kNumJoints}, source, "weights");
    m.weights = rowMajor<RowMatXf>(w, V, kNumJoints, source, "weights");

    if (const NdArray* kt = optional(a, "kintree_table")) {
        requireShape(*kt, {2, kNumJoints}, source, "kintree_table");
        const auto v = ints(*kt, source, "kintree_table");
        for (int i = 0; i < kNumJoints; ++i) {
            const std::int64_t id = v[kNumJoints + i], parent = v[i];
            if (id < 0 || id >= kNumJoints) fail(source, "kintree_table", "joint id " + std::to_string(id) + " out of range");
            // FLAME marks the root with uint32 max (4294967295) or -1.
            m.parents[id] = (parent < 0 || parent >= kNumJoints) ? -1 : static_cast<int>(parent);
        }
    }
    m.faces = faceMatrix(require(a, "f", source), source, "f");
    m.validate(source);
    return m;
}

}  // namespace

HeadModel loadFlameModel(const std::string& path) {
    const std::string ext = io::lowerExtension(path);
    if (ext == ".npz") return modelFromFlameArrays(arraysFromNpz(path), path);
    if (ext == ".pkl") return modelFromFlameArrays(takeArraysFromPickleDict(*io::loadPickleFile(path), path), path);
    throw std::runtime_error(path + ": not a FLAME model file (expected .pkl or .npz)");
}

HeadModel loadHeadModelFile(const std::string& path) {
    const std::string ext = io::lowerExtension(path);
    if (ext == ".safetensors") return modelFromSafetensors(io::loadSafetensorsFile(path), path);
    if (ext == ".pkl" || ext == ".npz") return loadFlameModel(path);
    throw std::runtime_error(path + ": unknown head model format '" + ext +
                             "' (expected .safetensors, FLAME .pkl or .npz)");
}

void saveHeadModel(const std::string& path, const HeadModel& model) {
    model.validate(path);
    io::SafetensorsFile f;
    f.metadata["format_version"] = std::to_string(kHeadModelFormatVersion);
    f.metadata["name"] = model.name;
    f.metadata["licence"] = model.licence;
    f.metadata["num_vertices"] = std::to_string(model.numVertices());
    f.metadata["num_shape"] = std::to_string(model.numShape());
    f.metadata["num_expr"] = std::to_string(model.numExpr());
    f.metadata["landmarks"] = model.landmarks.empty() ? "none"
                              : model.landmarks.hasDynamicContour() ? "static51+dynamic17"
                                                                    : "static68";
    f.metadata["joints"] = "global,neck,jaw,left_eye,right_eye";
    if (!model.exprNames.empty()) {
        std::string names;
        for (const auto& n : model.exprNames) names += (names.empty() ? "" : ",") + n;
        f.metadata["expr_names"] = names;
    }
    auto& t = f.tensors;
    t["v_template"] = floatArray(model.vTemplate);
    t["shapedirs"] = basisToVxCxK(model.shapedirs);
    t["exprdirs"] = basisToVxCxK(model.exprdirs);
    if (model.posedirs.size() != 0) t["posedirs"] = basisToVxCxK(model.posedirs);
    t["J_regressor"] = floatArray(model.jRegressor);
    t["weights"] = floatArray(model.weights);
    t["parents"] = NdArray::fromInt32(std::vector<std::int32_t>(model.parents.begin(), model.parents.end()), {kNumJoints});
    t["faces"] = intArray(model.faces);
    if (model.hasUv()) {
        t["uv"] = floatArray(model.uv);
        t["uv_faces"] = intArray(model.uvFaces);
    }
    const auto& lm = model.landmarks;
    if (!lm.empty()) {
        t["lmk_faces_idx"] = NdArray::fromInt32(lm.staticFaces, {static_cast<std::int64_t>(lm.staticFaces.size())});
        t["lmk_b_coords"] = floatArray(lm.staticBary);
        if (lm.hasDynamicContour()) {
            t["dynamic_lmk_faces_idx"] = intArray(lm.dynamicFaces);
            NdArray b = floatArray(lm.dynamicBary);
            b.shape = {lm.dynamicBary.rows(), kNumContourLandmarks, 3};
            t["dynamic_lmk_b_coords"] = std::move(b);
        }
    }
    for (const auto& [name, idx] : model.regions)
        t[kRegionPrefix + name] = NdArray::fromInt32(idx, {static_cast<std::int64_t>(idx.size())});
    io::saveSafetensorsFile(path, f);
}

void attachLandmarkFile(HeadModel& model, const std::string& path, bool preferFull68) {
    const std::string ext = io::lowerExtension(path);
    io::PyRef root;
    if (ext == ".pkl") {
        root = io::loadPickleFile(path);
    } else if (ext == ".npy") {
        auto c = io::loadNpyFile(path);
        if (!c.isObject) fail(path, "content", "expected a pickled dict (np.save of a dict), found a numeric array");
        root = c.object;
    } else {
        throw std::runtime_error(path + ": landmark embedding must be .pkl or .npy");
    }
    if (!root || root->kind != io::PyValue::Kind::Dict)
        fail(path, "top level", "expected a dict, found " + (root ? root->kindName() : std::string("nothing")));
    const ArrayMap a = takeArraysFromPickleDict(*root, path);
    HeadModel updated = model;
    if (a.count("static_lmk_faces_idx") || a.count("full_lmk_faces_idx")) {
        // DECA's landmark_embedding.npy.
        if (preferFull68 || !a.count("static_lmk_faces_idx")) {
            setLandmarks(updated, require(a, "full_lmk_faces_idx", path), require(a, "full_lmk_bary_coords", path),
                         nullptr, nullptr, path, "full_lmk_faces_idx", "full_lmk_bary_coords");
        } else {
            setLandmarks(updated, require(a, "static_lmk_faces_idx", path), require(a, "static_lmk_bary_coords", path),
                         optional(a, "dynamic_lmk_faces_idx"), optional(a, "dynamic_lmk_bary_coords"), path,
                         "static_lmk_faces_idx", "static_lmk_bary_coords");
        }
    } else {
        const NdArray& faces = require(a, "lmk_face_idx", path);
        const NdArray& bary = require(a, "lmk_b_coords", path);
        if (faces.ndim() == 2) {
            // flame_dynamic_embedding.npy: bins x 17 contour points.
            LandmarkEmbedding keep = updated.landmarks;
            if (keep.empty() || keep.hasDynamicContour() || keep.staticFaces.size() != kNumStaticFlameLandmarks)
                fail(path, "lmk_face_idx", "a dynamic contour embedding needs the 51-point static embedding "
                                           "(flame_static_embedding.pkl) attached first");
            NdArray sf = NdArray::fromInt32(keep.staticFaces, {kNumStaticFlameLandmarks});
            NdArray sb = floatArray(keep.staticBary);
            setLandmarks(updated, sf, sb, &faces, &bary, path, "lmk_face_idx", "lmk_b_coords");
        } else {
            LandmarkEmbedding dyn = updated.landmarks;
            setLandmarks(updated, faces, bary, nullptr, nullptr, path, "lmk_face_idx", "lmk_b_coords");
            // Keep a dynamic contour loaded earlier if the static part is FLAME's 51.
            if (dyn.hasDynamicContour() && updated.landmarks.staticFaces.size() == kNumStaticFlameLandmarks) {
                updated.landmarks.dynamicFaces = dyn.dynamicFaces;
                updated.landmarks.dynamicBary = dyn.dynamicBary;
            }
        }
    }
    // A static 51 without its contour is incomplete but legal while loading
    // files one at a time; validate only complete layouts.
    if (updated.landmarks.staticFaces.size() == kNumStaticFlameLandmarks && !updated.landmarks.hasDynamicContour()) {
        HeadModel probe = updated;
        probe.landmarks = {};
        probe.validate(path);
        for (std::int32_t f : updated.landmarks.staticFaces)
            if (f < 0 || f >= updated.numFaces()) fail(path, "lmk_face_idx", "face " + std::to_string(f) + " out of range");
    } else {
        updated.validate(path);
    }
    model = std::move(updated);
}

void attachFlameMasks(HeadModel& model, const std::string& path) {
    const io::PyRef root = io::loadPickleFile(path);
    if (root->kind != io::PyValue::Kind::Dict) fail(path, "top level", "expected a dict, found " + root->kindName());
    HeadModel updated = model;
    for (const auto& [name, arr] : takeArraysFromPickleDict(*root, path)) updated.regions[name] = indices32(arr, path, name);
    updated.validate(path);
    model = std::move(updated);
}

void attachUvTemplate(HeadModel& model, const std::string& objPath) {
    const io::TriMesh mesh = io::importMesh(objPath);
    if (mesh.uv.rows() == 0) fail(objPath, "vt", "the mesh has no texture coordinates");
    if (mesh.faces.rows() != model.numFaces())
        fail(objPath, "f", "has " + std::to_string(mesh.faces.rows()) + " triangles, the model has " +
                               std::to_string(model.numFaces()));
    // Tolerance relative to the model's size: the template may be printed with fewer digits.
    const float scale = (model.vTemplate.colwise().maxCoeff() - model.vTemplate.colwise().minCoeff()).norm();
    const float tol = 1e-4f * std::max(scale, 1e-6f);
    RowMatX3i uvFaces(model.numFaces(), 3);
    for (int f = 0; f < model.numFaces(); ++f) {
        // Accept the same triangle listed from a different starting corner.
        int rotation = -1;
        for (int r = 0; r < 3 && rotation < 0; ++r) {
            bool same = true;
            for (int k = 0; k < 3 && same; ++k)
                same = (mesh.positions.row(mesh.faces(f, (k + r) % 3)) - model.vTemplate.row(model.faces(f, k))).norm() <= tol;
            if (same) rotation = r;
        }
        if (rotation < 0)
            fail(objPath, "f", "triangle " + std::to_string(f) + " does not match the model's triangle " +
                                   std::to_string(f) + " (is this the template of another model?)");
        for (int k = 0; k < 3; ++k) uvFaces(f, k) = mesh.uvFaces(f, (k + rotation) % 3);
    }
    HeadModel updated = model;
    updated.uv = mesh.uv;
    updated.uvFaces = uvFaces;
    updated.validate(objPath);
    model = std::move(updated);
}

}  // namespace synthforge::head
