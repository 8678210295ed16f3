#include "core/io/pickle.h"

#include "core/io/numpy_typestr.h"
#include "core/io/utf8.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "core/io/mapped_file.h"

namespace synthforge::io {

using Kind = PyValue::Kind;

// ---------------------------------------------------------------------------
// SparseMatrix
// ---------------------------------------------------------------------------
namespace {

struct SparseIndex {
    std::vector<std::int64_t> indices, indptr;
};

bool isIntegerDtype(DType t) { return !dtypeIsFloat(t) && t != DType::Bool; }

/// Checks the compressed-storage invariants that scipy relies on and returns
/// the index arrays as int64. Messages carry no source prefix; callers add it.
SparseIndex checkSparse(const SparseMatrix& m) {
    auto fail = [&](const std::string& msg) -> void {
        throw std::runtime_error("scipy.sparse " + m.format + " matrix: " + msg);
    };
    if (m.format != "csc" && m.format != "csr") fail("format is not csc or csr");
    if (m.rows < 0 || m.cols < 0)
        fail("negative shape (" + std::to_string(m.rows) + ", " + std::to_string(m.cols) + ")");
    if (m.data.ndim() != 1 || m.indices.ndim() != 1 || m.indptr.ndim() != 1)
        fail("data, indices and indptr must be 1-d");
    if (!isIntegerDtype(m.indices.dtype) || !isIntegerDtype(m.indptr.dtype))
        fail("indices and indptr must be integers, got " + dtypeName(m.indices.dtype) + " and " +
             dtypeName(m.indptr.dtype));
    const bool csc = m.format == "csc";
    const std::int64_t major = csc ? m.cols : m.rows, minor = csc ? m.rows : m.cols;
    if (static_cast<std::uint64_t>(m.indptr.numel()) != static_cast<std::uint64_t>(major) + 1)
        fail("indptr has " + std::to_string(m.indptr.numel()) + " entries, expected " +
             std::to_string(major + 1) + (csc ? " (columns + 1)" : " (rows + 1)"));
    SparseIndex ix{m.indices.toInt64(), m.indptr.toInt64()};
    if (ix.indptr.front() != 0) fail("indptr does not start at 0");
    for (std::size_t k = 1; k < ix.indptr.size(); ++k)
        if (ix.indptr[k] < ix.indptr[k - 1]) fail("indptr decreases at entry " + std::to_string(k));
    const std::uint64_t nnz = static_cast<std::uint64_t>(ix.indptr.back());
    if (nnz != ix.indices.size() || nnz != m.data.numel())
        fail("indptr ends at " + std::to_string(nnz) + " but there are " + std::to_string(ix.indices.size()) +
             " indices and " + std::to_string(m.data.numel()) + " values");
    for (std::size_t k = 0; k < ix.indices.size(); ++k)
        if (ix.indices[k] < 0 || ix.indices[k] >= minor)
            fail("index " + std::to_string(ix.indices[k]) + " at entry " + std::to_string(k) +
                 " is outside [0, " + std::to_string(minor) + ")");
    return ix;
}

}  // namespace

std::vector<double> SparseMatrix::toDense() const {
    const SparseIndex ix = checkSparse(*this);
    checkedElementCount({rows, cols}, sizeof(double), "dense copy of a scipy.sparse matrix");
    const std::vector<double> values = data.toDouble();
    const bool csc = format == "csc";
    const std::int64_t major = csc ? cols : rows;
    std::vector<double> dense(static_cast<std::size_t>(rows * cols), 0.0);
    for (std::int64_t j = 0; j < major; ++j) {
        for (std::int64_t k = ix.indptr[j]; k < ix.indptr[j + 1]; ++k) {
            const std::int64_t i = ix.indices[k];
            const std::int64_t r = csc ? i : j, c = csc ? j : i;
            dense[static_cast<std::size_t>(r * cols + c)] += values[k];  // scipy sums duplicates
        }
    }
    return dense;
}

// ---------------------------------------------------------------------------
// PyValue
// ---------------------------------------------------------------------------
const PyValue* PyValue::find(const std::string& key) const {
    if (kind != Kind::Dict) return nullptr;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        const PyValue* k = it->first.get();
        if (k && (k->kind == Kind::Str || k->kind == Kind::Bytes) && k->text == key) return it->second.get();
    }
    return nullptr;
}

PyValue* PyValue::find(const std::string& key) {
    return const_cast<PyValue*>(static_cast<const PyValue&>(*this).find(key));
}

std::string PyValue::kindName() const {
    switch (kind) {
        case Kind::None: return "None";
        case Kind::Bool: return "bool";
        case Kind::Int: return "int";
        case Kind::Float: return "float";
        case Kind::Str: return "str";
        case Kind::Bytes: return "bytes";
        case Kind::List: return "list";
        case Kind::Tuple: return "tuple";
        case Kind::Dict: return "dict";
        case Kind::Set: return "set";
        case Kind::Array: return "numpy array";
        case Kind::Sparse: return "scipy.sparse matrix";
        case Kind::Object: return className.empty() ? "object" : className;
    }
    return "value";
}

// ---------------------------------------------------------------------------
// The unpickler
// ---------------------------------------------------------------------------
namespace {

/// Thrown for every problem the reader itself diagnoses; the message already
/// starts with the source name.
struct PickleError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const char* opcodeName(std::uint8_t op) {
    switch (op) {
        case '(': return "MARK";
        case '.': return "STOP";
        case '0': return "POP";
        case '1': return "POP_MARK";
        case '2': return "DUP";
        case 'F': return "FLOAT";
        case 'I': return "INT";
        case 'J': return "BININT";
        case 'K': return "BININT1";
        case 'L': return "LONG";
        case 'M': return "BININT2";
        case 'N': return "NONE";
        case 'P': return "PERSID";
        case 'Q': return "BINPERSID";
        case 'R': return "REDUCE";
        case 'S': return "STRING";
        case 'T': return "BINSTRING";
        case 'U': return "SHORT_BINSTRING";
        case 'V': return "UNICODE";
        case 'X': return "BINUNICODE";
        case 'a': return "APPEND";
        case 'b': return "BUILD";
        case 'c': return "GLOBAL";
        case 'd': return "DICT";
        case '}': return "EMPTY_DICT";
        case 'e': return "APPENDS";
        case 'g': return "GET";
        case 'h': return "BINGET";
        case 'i': return "INST";
        case 'j': return "LONG_BINGET";
        case 'l': return "LIST";
        case ']': return "EMPTY_LIST";
        case 'o': return "OBJ";
        case 'p': return "PUT";
        case 'q': return "BINPUT";
        case 'r': return "LONG_BINPUT";
        case 's': return "SETITEM";
        case 't': return "TUPLE";
        case ')': return "EMPTY_TUPLE";
        case 'u': return "SETITEMS";
        case 'G': return "BINFLOAT";
        case 'B': return "BINBYTES";
        case 'C': return "SHORT_BINBYTES";
        case 0x80: return "PROTO";
        case 0x81: return "NEWOBJ";
        case 0x82: return "EXT1";
        case 0x83: return "EXT2";
        case 0x84: return "EXT4";
        case 0x85: return "TUPLE1";
        case 0x86: return "TUPLE2";
        case 0x87: return "TUPLE3";
        case 0x88: return "NEWTRUE";
        case 0x89: return "NEWFALSE";
        case 0x8a: return "LONG1";
        case 0x8b: return "LONG4";
        case 0x8c: return "SHORT_BINUNICODE";
        case 0x8d: return "BINUNICODE8";
        case 0x8e: return "BINBYTES8";
        case 0x8f: return "EMPTY_SET";
        case 0x90: return "ADDITEMS";
        case 0x91: return "FROZENSET";
        case 0x92: return "NEWOBJ_EX";
        case 0x93: return "STACK_GLOBAL";
        case 0x94: return "MEMOIZE";
        case 0x95: return "FRAME";
        case 0x96: return "BYTEARRAY8";
        case 0x97: return "NEXT_BUFFER";
        case 0x98: return "READONLY_BUFFER";
        default: return nullptr;
    }
}

/// The callables and classes a pickle may name. Everything else is refused
/// when its GLOBAL / STACK_GLOBAL / INST opcode is read, so no other callable
/// ever reaches REDUCE or NEWOBJ.
enum class Callable : std::uint8_t {
    None, Reconstruct, FromBuffer, NdArrayType, Dtype, Scalar, Csc, Csr, ChumpyCh,
    Set, FrozenSet, ObjectType, Reconstructor, Encode, Bytes, OrderedDict
};

struct AllowedGlobal {
    const char* name;
    Callable id;
};

// Old and new module paths: numpy 2 moved numpy.core to numpy._core, scipy
// 1.8 moved scipy.sparse.csc to scipy.sparse._csc, Python 3 renamed
// __builtin__ and copy_reg.
constexpr AllowedGlobal kAllowedGlobals[] = {
    {"numpy.core.multiarray._reconstruct", Callable::Reconstruct},
    {"numpy._core.multiarray._reconstruct", Callable::Reconstruct},
    {"numpy.core.numeric._frombuffer", Callable::FromBuffer},
    {"numpy._core.numeric._frombuffer", Callable::FromBuffer},
    {"numpy.ndarray", Callable::NdArrayType},
    {"numpy.dtype", Callable::Dtype},
    {"numpy.core.multiarray.scalar", Callable::Scalar},
    {"numpy._core.multiarray.scalar", Callable::Scalar},
    {"scipy.sparse.csc.csc_matrix", Callable::Csc},
    {"scipy.sparse._csc.csc_matrix", Callable::Csc},
    {"scipy.sparse.csr.csr_matrix", Callable::Csr},
    {"scipy.sparse._csr.csr_matrix", Callable::Csr},
    {"chumpy.ch.Ch", Callable::ChumpyCh},
    {"chumpy.Ch", Callable::ChumpyCh},
    {"__builtin__.set", Callable::Set},
    {"builtins.set", Callable::Set},
    {"__builtin__.frozenset", Callable::FrozenSet},
    {"builtins.frozenset", Callable::FrozenSet},
    {"__builtin__.object", Callable::ObjectType},
    {"builtins.object", Callable::ObjectType},
    {"copy_reg._reconstructor", Callable::Reconstructor},
    {"copyreg._reconstructor", Callable::Reconstructor},
    {"_codecs.encode", Callable::Encode},
    {"__builtin__.bytes", Callable::Bytes},
    {"builtins.bytes", Callable::Bytes},
    {"collections.OrderedDict", Callable::OrderedDict},
};

Callable lookupGlobal(const std::string& fullName) {
    for (const AllowedGlobal& g : kAllowedGlobals)
        if (fullName == g.name) return g.id;
    return Callable::None;
}

/// Makes untrusted text safe to put in an error message.
std::string printable(const std::string& s, std::size_t maxLen = 120) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < maxLen; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    if (s.size() > maxLen) out += "...";
    return out;
}

/// A numpy dtype as far as we support it. Stored in the dtype value's text
/// as byte order + name ("<f8", "|O") so that it survives being shared.
struct DtypeSpec {
    bool object = false;
    DType type = DType::F64;
    char order = '<';
    std::size_t itemsize() const { return object ? 8 : dtypeSize(type); }
    std::string name() const { return object ? "O" : dtypeName(type); }
    std::string encode() const { return std::string(1, order) + name(); }
};

bool parseTypestr(const std::string& s, DtypeSpec& out) {
    const std::optional<NumpyTypestr> t = parseNumpyTypestr(s);
    if (!t || t->kind == NumpyTypestr::Kind::Text) return false;
    DtypeSpec spec;
    spec.object = t->kind == NumpyTypestr::Kind::Object;
    spec.type = t->dtype;
    char order = t->byteOrder;
    if (order == '=' || (order == 0 && spec.itemsize() > 1 && !spec.object)) order = '<';  // little-endian host
    if (order == 0 || spec.object) order = '|';
    spec.order = order;
    out = spec;
    return true;
}

/// Python 3 writes Python-2-compatible bytes as latin-1 text (BINUNICODE
/// holds it as UTF-8); this maps such text back to bytes. False when a code
/// point is above 255 or the UTF-8 is malformed.
bool utf8ToLatin1(const std::string& in, std::string& out) {
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const auto c = static_cast<unsigned char>(in[i]);
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if ((c == 0xC2 || c == 0xC3) && i + 1 < in.size() &&
                   (static_cast<unsigned char>(in[i + 1]) & 0xC0) == 0x80) {
            out += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(in[i + 1]) & 0x3F));
            ++i;
        } else {
            return false;
        }
    }
    return true;
}

int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string trim(const std::string& s) {
    const char* ws = " \t\r\n";
    const std::size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

/// Decimal integer as protocol 0 writes it; false on junk or overflow.
bool parseDecimal(const std::string& line, std::int64_t& out) {
    const std::string s = trim(line);
    std::size_t i = 0;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i == s.size()) return false;
    std::uint64_t mag = 0;
    const std::uint64_t limit = neg ? (1ull << 63) : (1ull << 63) - 1;
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        const unsigned d = static_cast<unsigned>(s[i] - '0');
        if (mag > (limit - d) / 10) return false;
        mag = mag * 10 + d;
    }
    out = neg ? static_cast<std::int64_t>(0 - mag) : static_cast<std::int64_t>(mag);
    return true;
}

/// What each value is to the reader beyond its PyValue: allowed globals,
/// objects waiting for BUILD, and the bookkeeping that keeps the value graph
/// acyclic and shallow.
enum class Role : std::uint8_t { Plain, Global, PendingArray, Dtype, PendingSparse, PendingObject };

struct Tracked {
    PyRef keep;  ///< keeps the address alive (and unique) while the table is keyed by it
    std::size_t depth = 1;
    bool adopted = false;  ///< already inside another value
    bool built = false;    ///< BUILD already applied
    bool visited = false;  ///< seen by the walk that copies out lazy bytes
    Role role = Role::Plain;
    Callable callable = Callable::None;
    /// A large Bytes value whose text is still in the input (see kLazyBytes).
    std::string_view lazy;
};

/// Bytes values of at least this size keep pointing into the input until the
/// parse ends. Most of them are array data that BUILD copies into an NdArray
/// and then drops, so copying them into the value first would double the
/// work (53 MB for a FLAME model). Those still reachable from the result get
/// their text copied in at the end. Until then their PyValue::text is
/// empty; PyValue::find, which the reader uses on state dicts, still answers
/// right, since no key it looks up is that long.
constexpr std::size_t kLazyBytes = 64 * 1024;

// Rough per-value cost for the allocation budget: the PyValue, the
// shared_ptr control block and the tracking-table node.
constexpr std::uint64_t kValueCost = sizeof(PyValue) + sizeof(Tracked) + 64;

class Unpickler {
public:
    Unpickler(const std::uint8_t* data, std::size_t size, const std::string& source, const PickleLimits& limits)
        : data_(data), size_(size), source_(source), limits_(limits) {
        const std::uint64_t perByte = limits.allocPerInputByte;
        budget_ = (perByte != 0 && size > (std::numeric_limits<std::uint64_t>::max() - limits.allocAllowance) / perByte)
                      ? std::numeric_limits<std::uint64_t>::max()
                      : limits.allocAllowance + perByte * size;
    }

    PyRef run() {
        for (;;) {
            if (pos_ >= size_)
                failPlain("truncated at byte " + std::to_string(size_) + ": the pickle ends without a STOP opcode");
            opPos_ = pos_;
            op_ = data_[pos_++];
            try {
                if (op_ == '.') {
                    PyRef result = pop();
                    copyLazyBytes(result);
                    return result;
                }
                step();
            } catch (const PickleError&) {
                throw;
            } catch (const std::bad_alloc&) {
                fail("out of memory");
            } catch (const std::exception& e) {
                fail(e.what());  // helpers (NdArray, checkedElementCount) know no source or position
            }
        }
    }

private:
    // ---- errors -----------------------------------------------------------
    [[noreturn]] void failPlain(const std::string& msg) const { throw PickleError(source_ + ": " + msg); }

    [[noreturn]] void fail(const std::string& msg) const {
        failPlain(msg + " (" + opName() + " at byte " + std::to_string(opPos_) + ")");
    }

    std::string opName() const {
        const char* n = opcodeName(op_);
        return n ? n : "opcode";
    }

    [[noreturn]] void refuseGlobal(const std::string& fullName) const {
        failPlain("pickle global '" + printable(fullName) +
                  "' is not allowed (only numpy arrays, scipy.sparse matrices and chumpy Ch objects can be loaded)");
    }

    // ---- input --------------------------------------------------------------
    /// Bounds check before any allocation: a length field can claim anything.
    const std::uint8_t* take(std::uint64_t n) {
        if (n > size_ - pos_)
            failPlain("truncated at byte " + std::to_string(size_) + " while reading " + opName() + " (needs " +
                      std::to_string(n) + " bytes at byte " + std::to_string(pos_) + ", " +
                      std::to_string(size_ - pos_) + " left)");
        const std::uint8_t* p = data_ + pos_;
        pos_ += static_cast<std::size_t>(n);
        return p;
    }

    std::uint64_t readUInt(unsigned nbytes) {
        const std::uint8_t* p = take(nbytes);
        std::uint64_t v = 0;
        for (unsigned i = 0; i < nbytes; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
        return v;
    }

    std::string readBytes(std::uint64_t n) {
        const std::uint8_t* p = take(n);
        charge(n);
        return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
    }

    /// A protocol-0 text argument, without its newline.
    std::string readLine() {
        const void* nl = std::memchr(data_ + pos_, '\n', size_ - pos_);
        if (!nl)
            failPlain("truncated at byte " + std::to_string(size_) + " while reading " + opName() +
                      " (no end of line)");
        const std::size_t len = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - (data_ + pos_));
        std::string line = readBytes(len);
        ++pos_;
        return line;
    }

    std::int64_t readDecimal(const char* what) {
        const std::string line = readLine();
        std::int64_t v = 0;
        if (!parseDecimal(line, v)) fail(std::string(what) + " '" + printable(line) + "' is not a 64-bit integer");
        return v;
    }

    // ---- memory budget and values --------------------------------------------
    void charge(std::uint64_t bytes) {
        if (bytes > budget_ - allocated_)
            fail("the pickle would need more than " + std::to_string(budget_ >> 20) +
                 " MiB of memory (PickleLimits::allocAllowance / allocPerInputByte)");
        allocated_ += bytes;
    }

    PyRef newValue(Kind kind, Role role = Role::Plain) {
        charge(kValueCost);
        auto v = std::make_shared<PyValue>();
        v->kind = kind;
        Tracked t;
        t.keep = v;
        t.role = role;
        tracked_.emplace(v.get(), std::move(t));
        return v;
    }

    Tracked& track(const PyRef& v) { return tracked_.at(v.get()); }

    /// A Bytes value of the next n input bytes; large ones stay in the input.
    PyRef makeBytes(std::uint64_t n) {
        const std::uint8_t* p = take(n);
        charge(n);
        const char* c = reinterpret_cast<const char*>(p);
        const auto len = static_cast<std::size_t>(n);
        if (len < kLazyBytes) return makeText(Kind::Bytes, std::string(c, len));
        PyRef v = newValue(Kind::Bytes);
        track(v).lazy = std::string_view(c, len);
        return v;
    }

    /// The text of a Str or Bytes value, wherever it lives.
    std::string_view textView(const PyValue& v) {
        const std::string_view lazy = tracked_.at(&v).lazy;
        return lazy.data() ? lazy : std::string_view(v.text);
    }

    void copyLazyBytes(PyValue& v, Tracked& t) {
        if (!t.lazy.data()) return;
        v.text.assign(t.lazy.data(), t.lazy.size());
        t.lazy = {};
    }

    /// Copies the text of every lazy Bytes value the result can reach, so
    /// that it no longer refers to the caller's buffer. Each value is visited
    /// once: the result is a DAG whose shared parts are walked only once.
    void copyLazyBytes(const PyRef& root) {
        std::vector<PyValue*> todo{root.get()};
        while (!todo.empty()) {
            PyValue* v = todo.back();
            todo.pop_back();
            Tracked& t = tracked_.at(v);
            if (t.visited) continue;
            t.visited = true;
            copyLazyBytes(*v, t);
            for (const PyRef& item : v->items) todo.push_back(item.get());
            for (const auto& [key, value] : v->entries) {
                todo.push_back(key.get());
                todo.push_back(value.get());
            }
            if (v->state) todo.push_back(v->state.get());
        }
    }

    PyRef makeInt(std::int64_t i) {
        PyRef v = newValue(Kind::Int);
        v->integer = i;
        return v;
    }
    PyRef makeBool(bool b) {
        PyRef v = newValue(Kind::Bool);
        v->boolean = b;
        return v;
    }
    PyRef makeFloat(double d) {
        PyRef v = newValue(Kind::Float);
        v->real = d;
        return v;
    }
    PyRef makeText(Kind kind, std::string text) {
        PyRef v = newValue(kind);
        v->text = std::move(text);
        return v;
    }

    // ---- containment: keeps the graph acyclic and shallow ------------------
    // A cycle needs an edge into a value that already has a parent (or an
    // edge from a value to itself). Refusing both keeps every structure a DAG,
    // so shared_ptr frees it and no recursive walk can loop. Pickles written
    // by Python only modify a container before it is placed anywhere else,
    // unless the data really is recursive.
    void checkMutable(const PyRef& target) {
        if (track(target).adopted)
            fail("cannot modify a " + target->kindName() +
                 " that is already inside another value (recursive structures are not supported)");
    }

    void adopt(const PyRef& parent, const PyRef& child) {
        if (child == parent)
            fail("a " + parent->kindName() + " cannot contain itself (recursive structures are not supported)");
        Tracked& c = track(child);
        c.adopted = true;
        Tracked& p = track(parent);
        p.depth = std::max(p.depth, c.depth + 1);
        if (p.depth > limits_.maxDepth)
            fail("values are nested deeper than " + std::to_string(limits_.maxDepth) + " levels");
    }

    PyRef makeContainer(Kind kind, std::vector<PyRef> items) {
        charge(items.size() * sizeof(PyRef));
        PyRef v = newValue(kind);
        for (const PyRef& item : items) adopt(v, item);
        v->items = std::move(items);
        return v;
    }

    void addItems(const PyRef& target, Kind want, std::vector<PyRef> items) {
        if (target->kind != want)
            fail("cannot add items to a " + target->kindName() + " (only to a " +
                 (want == Kind::List ? "list" : "set") + ")");
        checkMutable(target);
        charge(items.size() * sizeof(PyRef));
        for (const PyRef& item : items) adopt(target, item);
        target->items.insert(target->items.end(), items.begin(), items.end());
    }

    void setItems(const PyRef& target, const std::vector<PyRef>& keysAndValues) {
        if (target->kind != Kind::Dict) fail("cannot set items on a " + target->kindName() + " (only on a dict)");
        if (keysAndValues.size() % 2 != 0) fail("odd number of values for dict keys and values");
        checkMutable(target);
        charge(keysAndValues.size() * sizeof(PyRef));
        for (std::size_t i = 0; i < keysAndValues.size(); i += 2) {
            adopt(target, keysAndValues[i]);
            adopt(target, keysAndValues[i + 1]);
            target->entries.emplace_back(keysAndValues[i], keysAndValues[i + 1]);
        }
    }

    // ---- stack and memo --------------------------------------------------------
    std::size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }

    void push(PyRef v) {
        if (stack_.size() >= limits_.maxStack)
            fail("more than " + std::to_string(limits_.maxStack) + " values on the stack");
        stack_.push_back(std::move(v));
    }

    PyRef pop() {
        if (stack_.size() <= fence()) fail("stack underflow");
        PyRef v = std::move(stack_.back());
        stack_.pop_back();
        return v;
    }

    PyRef top() const {
        if (stack_.size() <= fence()) fail("stack underflow");
        return stack_.back();
    }

    std::vector<PyRef> popToMark() {
        if (marks_.empty()) fail("no MARK on the stack");
        const std::size_t m = marks_.back();
        marks_.pop_back();
        std::vector<PyRef> items(std::make_move_iterator(stack_.begin() + static_cast<std::ptrdiff_t>(m)),
                                 std::make_move_iterator(stack_.end()));
        stack_.resize(m);
        return items;
    }

    // The memo is a vector indexed by key: Python numbers memo entries 0, 1,
    // 2, ... so keys are dense, and a hash map keyed by attacker-chosen
    // integers could be driven into worst-case collisions.
    void memoPut(std::uint64_t key) {
        PyRef v = top();
        if (key >= limits_.maxMemo)
            fail("memo index " + std::to_string(key) + " is beyond the limit of " +
                 std::to_string(limits_.maxMemo) + " memo entries");
        const std::size_t k = static_cast<std::size_t>(key);
        if (k >= memo_.size()) {
            charge((k + 1 - memo_.size()) * sizeof(PyRef));
            memo_.resize(k + 1);
        }
        if (!memo_[k]) ++memoCount_;
        memo_[k] = std::move(v);
    }

    void memoGet(std::uint64_t key) {
        if (key >= memo_.size() || !memo_[static_cast<std::size_t>(key)])
            fail("memo entry " + std::to_string(key) + " was never stored");
        push(memo_[static_cast<std::size_t>(key)]);
    }

    std::uint64_t memoKey(std::int64_t v) {
        if (v < 0) fail("negative memo index " + std::to_string(v));
        return static_cast<std::uint64_t>(v);
    }

    // ---- opcode dispatch ---------------------------------------------------------
    void step() {
        switch (op_) {
            case '(':
                if (marks_.size() >= limits_.maxStack)
                    fail("more than " + std::to_string(limits_.maxStack) + " open MARKs");
                marks_.push_back(stack_.size());
                break;
            case '0':  // Python pops the mark itself when nothing lies above it
                if (stack_.size() > fence()) stack_.pop_back();
                else if (!marks_.empty()) marks_.pop_back();
                else fail("stack underflow");
                break;
            case '1': popToMark(); break;
            case '2': push(top()); break;
            case 'N': push(newValue(Kind::None)); break;
            case 0x88: push(makeBool(true)); break;
            case 0x89: push(makeBool(false)); break;
            case 'I': opInt(); break;
            case 'J': push(makeInt(static_cast<std::int32_t>(static_cast<std::uint32_t>(readUInt(4))))); break;
            case 'K': push(makeInt(static_cast<std::int64_t>(readUInt(1)))); break;
            case 'M': push(makeInt(static_cast<std::int64_t>(readUInt(2)))); break;
            case 'L': opLong(); break;
            case 0x8a: push(makeInt(readLong(readUInt(1)))); break;
            case 0x8b: opLong4(); break;
            case 'F': opFloat(); break;
            case 'G': opBinFloat(); break;
            case 'S': push(makeText(Kind::Bytes, decodeStringLiteral(readLine()))); break;
            case 'T': opBinString(); break;
            case 'U': push(makeText(Kind::Bytes, readBytes(readUInt(1)))); break;
            case 'C': push(makeText(Kind::Bytes, readBytes(readUInt(1)))); break;
            case 'B': push(makeBytes(readUInt(4))); break;
            case 0x8e: push(makeBytes(readUInt(8))); break;
            case 0x96: push(makeBytes(readUInt(8))); break;  // bytearray -> bytes
            case 'V': push(makeText(Kind::Str, decodeRawUnicodeEscape(readLine()))); break;
            case 0x8c: push(makeText(Kind::Str, readBytes(readUInt(1)))); break;
            case 'X': push(makeText(Kind::Str, readBytes(readUInt(4)))); break;
            case 0x8d: push(makeText(Kind::Str, readBytes(readUInt(8)))); break;
            case ')': push(makeContainer(Kind::Tuple, {})); break;
            case ']': push(makeContainer(Kind::List, {})); break;
            case '}': push(newValue(Kind::Dict)); break;
            case 0x8f: push(makeContainer(Kind::Set, {})); break;
            case 0x85: case 0x86: case 0x87: opTupleN(op_ - 0x84); break;
            case 't': push(makeContainer(Kind::Tuple, popToMark())); break;
            case 'l': push(makeContainer(Kind::List, popToMark())); break;
            case 0x91: push(makeContainer(Kind::Set, popToMark())); break;
            case 'd': opDict(); break;
            case 'a': { PyRef v = pop(); addItems(top(), Kind::List, {v}); break; }
            case 'e': { auto items = popToMark(); addItems(top(), Kind::List, std::move(items)); break; }
            case 0x90: { auto items = popToMark(); addItems(top(), Kind::Set, std::move(items)); break; }
            case 's': { PyRef v = pop(); PyRef k = pop(); setItems(top(), {k, v}); break; }
            case 'u': { auto items = popToMark(); setItems(top(), items); break; }
            case 'g': memoGet(memoKey(readDecimal("memo index"))); break;
            case 'h': memoGet(readUInt(1)); break;
            case 'j': memoGet(readUInt(4)); break;
            case 'p': memoPut(memoKey(readDecimal("memo index"))); break;
            case 'q': memoPut(readUInt(1)); break;
            case 'r': memoPut(readUInt(4)); break;
            case 0x94: memoPut(memoCount_); break;  // MEMOIZE uses the number of entries
            case 'c': { std::string module = readLine(); std::string name = readLine(); pushGlobal(module, name); break; }
            case 0x93: opStackGlobal(); break;
            case 'R': opReduce(); break;
            case 'b': opBuild(); break;
            case 0x81: opNewObj(false); break;
            case 0x92: opNewObj(true); break;
            case 'i': opInst(); break;
            case 'o': opObj(); break;
            case 0x80: opProto(); break;
            case 0x95: opFrame(); break;
            case 'P': case 'Q': fail("persistent IDs are not supported");
            case 0x82: case 0x83: case 0x84: fail("extension registry codes are not supported");
            case 0x97: case 0x98: fail("out-of-band buffers are not supported");
            default: {
                static const char* hex = "0123456789abcdef";
                failPlain(std::string("unknown opcode 0x") + hex[op_ >> 4] + hex[op_ & 15] + " at byte " +
                          std::to_string(opPos_));
            }
        }
    }

    // ---- scalars --------------------------------------------------------------------
    void opInt() {
        const std::string line = readLine();
        // Protocol 0 of Python 2.3+ writes bools as I00 / I01.
        if (line == "00" || line == "01") return push(makeBool(line == "01"));
        std::int64_t v = 0;
        if (!parseDecimal(line, v)) fail("integer '" + printable(line) + "' is not a 64-bit integer");
        push(makeInt(v));
    }

    void opLong() {
        std::string line = trim(readLine());
        if (!line.empty() && line.back() == 'L') line.pop_back();  // Python 2 repr of long
        std::int64_t v = 0;
        if (!parseDecimal(line, v)) fail("integer '" + printable(line) + "' does not fit in 64 bits");
        push(makeInt(v));
    }

    void opLong4() {
        const auto n = static_cast<std::int32_t>(static_cast<std::uint32_t>(readUInt(4)));
        if (n < 0) fail("negative length " + std::to_string(n));
        push(makeInt(readLong(static_cast<std::uint64_t>(n))));
    }

    /// Little-endian two's complement of n bytes, as LONG1/LONG4 store it.
    std::int64_t readLong(std::uint64_t n) {
        if (n > 8) fail("integer of " + std::to_string(n) + " bytes does not fit in 64 bits");
        const std::uint64_t raw = readUInt(static_cast<unsigned>(n));
        if (n == 0 || n == 8) return static_cast<std::int64_t>(raw);
        const std::uint64_t sign = 1ull << (8 * n - 1);
        return static_cast<std::int64_t>((raw ^ sign) - sign);  // sign-extend
    }

    void opFloat() {
        std::string s = trim(readLine());
        if (!s.empty() && s[0] == '+') s.erase(0, 1);
        double d = 0.0;
        const auto r = std::from_chars(s.data(), s.data() + s.size(), d);
        if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size())
            fail("float '" + printable(s) + "' cannot be parsed");
        push(makeFloat(d));
    }

    void opBinFloat() {
        const std::uint8_t* p = take(8);
        std::uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];  // big-endian
        double d;
        std::memcpy(&d, &bits, sizeof d);
        push(makeFloat(d));
    }

    void opBinString() {
        const auto n = static_cast<std::int32_t>(static_cast<std::uint32_t>(readUInt(4)));
        if (n < 0) fail("negative length " + std::to_string(n));
        push(makeBytes(static_cast<std::uint64_t>(n)));
    }

    /// STRING holds a quoted Python 2 repr with backslash escapes.
    std::string decodeStringLiteral(const std::string& line) {
        if (line.size() < 2 || (line[0] != '\'' && line[0] != '"') || line.back() != line[0])
            fail("the STRING argument must be quoted");
        const std::string s = line.substr(1, line.size() - 2);
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] != '\\') {
                out += s[i];
                continue;
            }
            if (++i == s.size()) fail("STRING ends with a lone backslash");
            const char c = s[i];
            switch (c) {
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'a': out += '\a'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'v': out += '\v'; break;
                case '\\': case '\'': case '"': out += c; break;
                case '\n': break;  // line continuation
                case 'x': {
                    const int hi = i + 1 < s.size() ? hexDigit(s[i + 1]) : -1;
                    const int lo = i + 2 < s.size() ? hexDigit(s[i + 2]) : -1;
                    if (hi < 0 || lo < 0) fail("invalid \\x escape in STRING");
                    out += static_cast<char>(hi * 16 + lo);
                    i += 2;
                    break;
                }
                default:
                    if (c >= '0' && c <= '7') {
                        int v = c - '0';
                        for (int k = 0; k < 2 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7'; ++k)
                            v = v * 8 + (s[++i] - '0');
                        out += static_cast<char>(v & 0xFF);
                    } else {
                        out += '\\';  // unknown escapes stay as written
                        out += c;
                    }
            }
        }
        return out;
    }

    /// UNICODE holds latin-1 text where only \uXXXX and \UXXXXXXXX are escapes.
    std::string decodeRawUnicodeEscape(const std::string& s) {
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto c = static_cast<unsigned char>(s[i]);
            const bool escape = c == '\\' && i + 1 < s.size() && (s[i + 1] == 'u' || s[i + 1] == 'U');
            if (!escape) {
                appendUtf8(out, c);
                continue;
            }
            const std::size_t digits = s[i + 1] == 'u' ? 4 : 8;
            if (i + 2 + digits > s.size()) fail("truncated \\u escape in UNICODE");
            std::uint32_t cp = 0;
            for (std::size_t k = 0; k < digits; ++k) {
                const int h = hexDigit(s[i + 2 + k]);
                if (h < 0) fail("invalid \\u escape in UNICODE");
                cp = cp * 16 + static_cast<std::uint32_t>(h);
            }
            if (cp > 0x10FFFF) fail("\\U escape out of range in UNICODE");
            appendUtf8(out, cp);
            i += 1 + digits;
        }
        return out;
    }

    // ---- containers -------------------------------------------------------------------
    void opTupleN(int n) {
        std::vector<PyRef> items(static_cast<std::size_t>(n));
        for (int i = n; i-- > 0;) items[static_cast<std::size_t>(i)] = pop();
        push(makeContainer(Kind::Tuple, std::move(items)));
    }

    void opDict() {
        const std::vector<PyRef> items = popToMark();
        PyRef d = newValue(Kind::Dict);
        setItems(d, items);
        push(d);
    }

    // ---- protocol framing --------------------------------------------------------------
    void opProto() {
        const auto v = readUInt(1);
        if (v > 5) fail("unsupported pickle protocol " + std::to_string(v));
    }

    void opFrame() {
        // Frames only group opcodes for buffered reading; the content is
        // the same opcode stream, so we just check the frame fits.
        const std::uint64_t n = readUInt(8);
        if (n > size_ - pos_)
            failPlain("truncated at byte " + std::to_string(size_) + " while reading FRAME (frame of " +
                      std::to_string(n) + " bytes, " + std::to_string(size_ - pos_) + " left)");
    }

    // ---- globals --------------------------------------------------------------------
    void pushGlobal(const std::string& module, const std::string& name) {
        const std::string full = module + "." + name;
        const Callable id = lookupGlobal(full);
        if (id == Callable::None) refuseGlobal(full);
        PyRef v = newValue(Kind::Object, Role::Global);
        v->className = full;
        track(v).callable = id;
        push(v);
    }

    void opStackGlobal() {
        PyRef name = pop();
        PyRef module = pop();
        if (name->kind != Kind::Str || module->kind != Kind::Str)
            fail("STACK_GLOBAL needs two str values, got " + module->kindName() + " and " + name->kindName());
        pushGlobal(module->text, name->text);
    }

    Callable callableOf(const PyRef& v) {
        const Tracked& t = track(v);
        return t.role == Role::Global ? t.callable : Callable::None;
    }

    // ---- REDUCE: calls of allowed functions ------------------------------------------
    void opReduce() {
        PyRef args = pop();
        PyRef fn = pop();
        const Callable id = callableOf(fn);
        if (id == Callable::None) fail("REDUCE needs an allowed global to call, got a " + fn->kindName());
        if (args->kind != Kind::Tuple) fail("REDUCE arguments must be a tuple, got a " + args->kindName());
        const std::vector<PyRef>& a = args->items;
        switch (id) {
            case Callable::Reconstruct: return push(callReconstruct(a));
            case Callable::FromBuffer: return push(callFromBuffer(a));
            case Callable::Dtype: return push(callDtype(a));
            case Callable::Scalar: return push(callScalar(a));
            case Callable::Set: case Callable::FrozenSet: return push(callSet(a));
            case Callable::Reconstructor: return push(callReconstructor(a));
            case Callable::Encode: return push(callEncode(a));
            case Callable::Bytes:
                if (!a.empty()) fail("bytes() with arguments is not supported");
                return push(makeText(Kind::Bytes, {}));
            case Callable::OrderedDict: return push(callOrderedDict(a));
            default: fail("pickle global '" + fn->className + "' cannot be called");
        }
    }

    void expectArgs(const std::vector<PyRef>& a, std::size_t lo, std::size_t hi, const char* fn) {
        if (a.size() < lo || a.size() > hi)
            fail(std::string(fn) + " called with " + std::to_string(a.size()) + " arguments");
    }

    /// Bytes content of a Bytes value, or of latin-1 text (Python 3 reading
    /// a Python 2 str with encoding='latin1').
    /// `scratch` receives the converted text; the result refers to it, to v
    /// or to the input.
    std::string_view bytesOf(const PyValue& v, std::string& scratch, const char* what) {
        if (v.kind == Kind::Bytes) return textView(v);
        if (v.kind == Kind::Str) {
            charge(v.text.size());
            if (!utf8ToLatin1(v.text, scratch)) fail(std::string(what) + " holds text that is not latin-1");
            return scratch;
        }
        fail(std::string(what) + " must be bytes, got a " + v.kindName());
    }

    std::string textOf(const PyValue& v, const char* what) {
        if (v.kind == Kind::Str || v.kind == Kind::Bytes) return std::string(textView(v));
        fail(std::string(what) + " must be a string, got a " + v.kindName());
    }

    PyRef callReconstruct(const std::vector<PyRef>& a) {
        expectArgs(a, 3, 3, "numpy _reconstruct");
        if (callableOf(a[0]) != Callable::NdArrayType)
            fail("numpy _reconstruct can only rebuild numpy.ndarray, got " + a[0]->kindName());
        PyRef v = newValue(Kind::Array, Role::PendingArray);
        v->array.shape = {0};  // empty until BUILD supplies the state
        return v;
    }

    PyRef callFromBuffer(const std::vector<PyRef>& a) {
        // numpy's protocol-5 form: _frombuffer(buffer, dtype, shape, order)
        expectArgs(a, 4, 4, "numpy _frombuffer");
        const std::string order = textOf(*a[3], "_frombuffer order");
        if (order != "C" && order != "F") fail("_frombuffer order '" + printable(order) + "' is not C or F");
        const DtypeSpec spec = dtypeOf(a[1]);
        if (spec.object) fail("_frombuffer cannot hold object arrays");
        PyRef v = newValue(Kind::Array);
        v->array = numericArray(readShape(*a[2]), spec, order == "F", *a[0]);
        return v;
    }

    PyRef callDtype(const std::vector<PyRef>& a) {
        // numpy.dtype(typestr, align, copy); Python 2 numpy passes 0/1 ints.
        expectArgs(a, 1, 3, "numpy.dtype");
        const std::string typestr = textOf(*a[0], "dtype type string");
        DtypeSpec spec;
        if (!parseTypestr(typestr, spec))
            fail("numpy dtype '" + printable(typestr) +
                 "' is not supported (only bool, u1-u8, i1-i8, f2, f4, f8 and object)");
        PyRef v = newValue(Kind::Object, Role::Dtype);
        v->className = "numpy.dtype";
        v->text = spec.encode();
        return v;
    }

    DtypeSpec dtypeOf(const PyRef& v) {
        DtypeSpec spec;
        if (track(v).role != Role::Dtype || !parseTypestr(v->text, spec))
            fail("expected a numpy dtype, got a " + v->kindName());
        return spec;
    }

    PyRef callScalar(const std::vector<PyRef>& a) {
        expectArgs(a, 2, 2, "numpy scalar");
        const DtypeSpec spec = dtypeOf(a[0]);
        if (spec.object) fail("numpy object scalars are not supported");
        NdArray arr = numericArray({}, spec, false, *a[1]);
        if (spec.type == DType::Bool) return makeBool(arr.data[0] != 0);
        if (dtypeIsFloat(spec.type)) return makeFloat(arr.toDouble()[0]);
        return makeInt(arr.toInt64()[0]);
    }

    PyRef callSet(const std::vector<PyRef>& a) {
        expectArgs(a, 0, 1, "set");
        if (a.empty()) return makeContainer(Kind::Set, {});
        const PyValue& src = *a[0];
        if (src.kind != Kind::List && src.kind != Kind::Tuple && src.kind != Kind::Set)
            fail("set() of a " + src.kindName() + " is not supported");
        return makeContainer(Kind::Set, src.items);
    }

    PyRef callReconstructor(const std::vector<PyRef>& a) {
        // copy_reg._reconstructor(cls, object, None): Python 2's way to
        // create an instance of a new-style class without calling __init__.
        expectArgs(a, 3, 3, "copy_reg._reconstructor");
        if (callableOf(a[1]) != Callable::ObjectType || a[2]->kind != Kind::None)
            fail("copy_reg._reconstructor is only supported with base class object and no base state");
        return instantiate(a[0]);
    }

    PyRef callEncode(const std::vector<PyRef>& a) {
        // Python 3 writes bytes for protocol 2 as _codecs.encode(text, 'latin1').
        expectArgs(a, 2, 2, "_codecs.encode");
        if (a[0]->kind != Kind::Str) fail("_codecs.encode needs str text, got a " + a[0]->kindName());
        const std::string enc = textOf(*a[1], "_codecs.encode encoding");
        if (enc != "latin1" && enc != "latin-1" && enc != "latin_1" && enc != "iso-8859-1" && enc != "iso8859-1")
            fail("_codecs.encode with encoding '" + printable(enc) + "' is not supported (only latin1)");
        std::string bytes;
        bytesOf(*a[0], bytes, "_codecs.encode text");
        return makeText(Kind::Bytes, std::move(bytes));
    }

    PyRef callOrderedDict(const std::vector<PyRef>& a) {
        expectArgs(a, 0, 1, "collections.OrderedDict");
        PyRef d = newValue(Kind::Dict);
        if (a.empty()) return d;
        // Python 2 passes the items as a list of [key, value] pairs.
        const PyValue& src = *a[0];
        if (src.kind != Kind::List && src.kind != Kind::Tuple)
            fail("OrderedDict() of a " + src.kindName() + " is not supported");
        std::vector<PyRef> flat;
        for (const PyRef& pair : src.items) {
            if ((pair->kind != Kind::List && pair->kind != Kind::Tuple) || pair->items.size() != 2)
                fail("OrderedDict() items must be key/value pairs");
            flat.push_back(pair->items[0]);
            flat.push_back(pair->items[1]);
        }
        setItems(d, flat);
        return d;
    }

    // ---- instances: NEWOBJ, NEWOBJ_EX, INST, OBJ, _reconstructor ----------------------
    /// An empty instance of an allowed class, to be filled by BUILD.
    PyRef instantiate(const PyRef& cls) {
        switch (callableOf(cls)) {
            case Callable::Csc:
            case Callable::Csr: {
                PyRef v = newValue(Kind::Sparse, Role::PendingSparse);
                v->sparse.format = callableOf(cls) == Callable::Csc ? "csc" : "csr";
                return v;
            }
            case Callable::ChumpyCh: {
                PyRef v = newValue(Kind::Object, Role::PendingObject);
                v->className = "chumpy.ch.Ch";
                return v;
            }
            case Callable::OrderedDict: return newValue(Kind::Dict);
            default: fail("cannot create an instance of a " + cls->kindName());
        }
    }

    void requireNoArgs(const PyValue& args, const PyRef& cls) {
        if (args.kind != Kind::Tuple) fail("class arguments must be a tuple, got a " + args.kindName());
        if (!args.items.empty()) fail("creating a " + cls->kindName() + " with arguments is not supported");
    }

    void opNewObj(bool withKwargs) {
        PyRef kwargs = withKwargs ? pop() : nullptr;
        PyRef args = pop();
        PyRef cls = pop();
        if (kwargs && (kwargs->kind != Kind::Dict || !kwargs->entries.empty()))
            fail("creating a " + cls->kindName() + " with keyword arguments is not supported");
        requireNoArgs(*args, cls);
        push(instantiate(cls));
    }

    void opInst() {
        const std::string module = readLine();
        const std::string name = readLine();
        const std::vector<PyRef> args = popToMark();
        pushGlobal(module, name);
        PyRef cls = pop();
        if (!args.empty()) fail("creating a " + cls->kindName() + " with arguments is not supported");
        push(instantiate(cls));
    }

    void opObj() {
        std::vector<PyRef> items = popToMark();
        if (items.empty()) fail("OBJ needs a class after the MARK");
        if (items.size() > 1) fail("creating a " + items[0]->kindName() + " with arguments is not supported");
        push(instantiate(items[0]));
    }

    // ---- BUILD: setting the state of pending objects ------------------------------------
    void opBuild() {
        PyRef state = pop();
        PyRef target = top();
        Tracked& t = track(target);
        if (t.built) fail("BUILD applied twice to one " + target->kindName());
        checkMutable(target);
        switch (t.role) {
            case Role::PendingArray: buildArray(target, *state); break;
            case Role::Dtype: buildDtype(target, *state); break;
            case Role::PendingSparse: buildSparse(target, *state); break;
            case Role::PendingObject: buildObject(target, state); break;
            default: fail("BUILD cannot set the state of a " + target->kindName());
        }
        track(target).built = true;
    }

    std::vector<std::int64_t> readShape(const PyValue& v) {
        if (v.kind != Kind::Tuple && v.kind != Kind::List) fail("array shape must be a tuple, got a " + v.kindName());
        if (v.items.size() > 64) fail("array of " + std::to_string(v.items.size()) + " dimensions");
        std::vector<std::int64_t> shape;
        for (const PyRef& d : v.items) {
            if (d->kind != Kind::Int) fail("array shape holds a " + d->kindName());
            shape.push_back(d->integer);
        }
        return shape;
    }

    bool readFlag(const PyValue& v, const char* what) {
        if (v.kind == Kind::Bool) return v.boolean;
        if (v.kind == Kind::Int) return v.integer != 0;
        fail(std::string(what) + " must be a bool, got a " + v.kindName());
    }

    /// A numeric array from raw element bytes, checked against the shape
    /// and converted to C order and little-endian.
    NdArray numericArray(std::vector<std::int64_t> shape, const DtypeSpec& spec, bool fortran, const PyValue& raw) {
        NdArray a;
        a.dtype = spec.type;
        a.shape = std::move(shape);
        const std::uint64_t n = checkedElementCount(a.shape, spec.itemsize(), "array " + a.shapeString());
        std::string scratch;
        const std::string_view bytes = bytesOf(raw, scratch, "array data");
        const std::uint64_t need = n * spec.itemsize();
        if (bytes.size() != need)
            fail("array data holds " + std::to_string(bytes.size()) + " bytes but shape " + a.shapeString() +
                 " of " + spec.name() + " needs " + std::to_string(need));
        charge(need);
        const auto* first = reinterpret_cast<const std::uint8_t*>(bytes.data());
        a.data.assign(first, first + bytes.size());  // one memcpy, no zero fill first
        if (fortran && a.ndim() > 1) {
            charge(need);  // fortranToC's temporary
            fortranToC(a);
        }
        if (spec.order == '>') byteSwap(a);
        return a;
    }

    void buildArray(const PyRef& target, const PyValue& state) {
        // ndarray.__setstate__((version, shape, dtype, is_fortran, rawdata)),
        // or the old 4-tuple without version.
        if (state.kind != Kind::Tuple) fail("numpy array state must be a tuple, got a " + state.kindName());
        const auto& s = state.items;
        if (s.size() != 4 && s.size() != 5)
            fail("numpy array state has " + std::to_string(s.size()) + " items, expected 4 or 5");
        const std::size_t o = s.size() - 4;
        if (o == 1 && s[0]->kind != Kind::Int) fail("numpy array state version must be an int");
        std::vector<std::int64_t> shape = readShape(*s[o]);
        const DtypeSpec spec = dtypeOf(s[o + 1]);
        const bool fortran = readFlag(*s[o + 2], "numpy array is_fortran");
        if (spec.object) {
            buildObjectArray(target, shape, s[o + 3]);
        } else {
            target->array = numericArray(std::move(shape), spec, fortran, *s[o + 3]);
        }
    }

    /// Object arrays (np.save of a dict) become plain values: a 0-d array is
    /// replaced by its element, an n-d one by a list of its elements in C
    /// order (the shape is dropped).
    void buildObjectArray(const PyRef& target, const std::vector<std::int64_t>& shape, const PyRef& raw) {
        if (raw->kind != Kind::List) fail("object array data must be a list, got a " + raw->kindName());
        const std::uint64_t n = checkedElementCount(shape, sizeof(PyRef), "object array");
        if (raw->items.size() != n)
            fail("object array holds " + std::to_string(raw->items.size()) + " items but its shape needs " +
                 std::to_string(n));
        if (shape.empty()) return replaceWith(target, raw->items[0]);
        // numpy writes and reads the item list in logical (C) order whatever
        // the memory layout, so is_fortran needs no reordering here.
        std::vector<PyRef> items = raw->items;
        charge(items.size() * sizeof(PyRef));
        target->kind = Kind::List;
        target->array = NdArray{};
        for (const PyRef& item : items) adopt(target, item);
        target->items = std::move(items);
        track(target).role = Role::Plain;
    }

    /// Makes `target` a copy of `elem` in place: the placeholder is already
    /// referenced from the stack and memo, so it cannot simply be swapped.
    void replaceWith(const PyRef& target, const PyRef& elem) {
        copyLazyBytes(*elem, track(elem));  // the copy must not share the view
        const PyValue& e = *elem;
        std::uint64_t cost = e.text.size() + e.className.size() + e.items.size() * sizeof(PyRef) +
                             e.entries.size() * 2 * sizeof(PyRef) + e.array.data.size() + e.sparse.data.data.size() +
                             e.sparse.indices.data.size() + e.sparse.indptr.data.size();
        charge(cost);
        PyValue copy = e;
        *target = std::move(copy);
        Tracked& t = track(target);
        t.depth = track(elem).depth;
        t.role = Role::Plain;  // a copy of an allowed global or pending object is just data
    }

    void buildDtype(const PyRef& target, const PyValue& state) {
        // (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
        if (state.kind != Kind::Tuple || state.items.size() < 2)
            fail("numpy dtype state must be a tuple, got a " + state.kindName());
        const auto& s = state.items;
        const std::size_t o = s[0]->kind == Kind::Int ? 1 : 0;  // very old states have no version
        const std::string order = textOf(*s[o], "dtype byte order");
        if (order.size() != 1 || !std::strchr("<>|=", order[0]))
            fail("numpy dtype byte order '" + printable(order) + "' is not one of < > | =");
        for (std::size_t k = o + 1; k < std::min<std::size_t>(s.size(), o + 4); ++k)
            if (s[k]->kind != Kind::None) fail("structured and sub-array numpy dtypes are not supported");
        DtypeSpec spec = dtypeOf(target);
        spec.order = order[0] == '=' ? '<' : order[0];
        if (spec.itemsize() == 1 || spec.object) spec.order = '|';
        target->text = spec.encode();
    }

    const PyValue& requireEntry(const PyValue& dict, const char* key, const char* what) {
        const PyValue* v = dict.find(key);
        if (!v) fail(std::string(what) + " state has no '" + key + "'");
        return *v;
    }

    void buildSparse(const PyRef& target, const PyValue& state) {
        if (state.kind != Kind::Dict) fail("scipy.sparse state must be a dict, got a " + state.kindName());
        SparseMatrix& m = target->sparse;
        const PyValue* shapeVal = state.find("_shape");
        if (!shapeVal) shapeVal = state.find("shape");  // scipy before 0.14
        if (!shapeVal) fail("scipy.sparse state has no '_shape'");
        const std::vector<std::int64_t> shape = readShape(*shapeVal);
        if (shape.size() != 2) fail("scipy.sparse shape must have 2 dimensions");
        if (const PyValue* f = state.find("format")) {
            const std::string format = textOf(*f, "scipy.sparse format");
            if (format != m.format)
                fail("scipy.sparse state says format '" + printable(format) + "' for a " + m.format + "_matrix");
        }
        NdArray* parts[] = {&m.data, &m.indices, &m.indptr};
        const char* names[] = {"data", "indices", "indptr"};
        for (int i = 0; i < 3; ++i) {
            const PyValue& a = requireEntry(state, names[i], "scipy.sparse");
            if (a.kind != Kind::Array) fail(std::string("scipy.sparse '") + names[i] + "' must be an array, got a " + a.kindName());
            charge(a.array.data.size());
            *parts[i] = a.array;
        }
        m.rows = shape[0];
        m.cols = shape[1];
        checkSparse(m);
    }

    void buildObject(const PyRef& target, const PyRef& state) {
        if (state->kind != Kind::Dict)
            fail(target->className + " state must be a dict, got a " + state->kindName());
        adopt(target, state);
        target->state = state;
    }

    // ---- state ------------------------------------------------------------------------
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
    std::string source_;
    PickleLimits limits_;
    std::uint8_t op_ = 0;
    std::size_t opPos_ = 0;
    std::uint64_t budget_ = 0, allocated_ = 0;

    std::vector<PyRef> stack_;
    std::vector<std::size_t> marks_;  ///< stack sizes at each open MARK
    std::vector<PyRef> memo_;      ///< indexed by memo key; null = not stored
    std::size_t memoCount_ = 0;    ///< stored entries
    // Keyed by address; `keep` holds every value until the parse ends so that
    // an address is never reused for a different value meanwhile.
    std::unordered_map<const PyValue*, Tracked> tracked_;
};

}  // namespace

PyRef parsePickle(const std::uint8_t* data, std::size_t size, const std::string& source,
                  const PickleLimits& limits) {
    if (!data && size != 0) throw std::runtime_error(source + ": no pickle data");
    Unpickler reader(data, size, source, limits);
    return reader.run();
}

PyRef loadPickleFile(const std::string& path, const PickleLimits& limits) {
    // Parsed straight from the page cache; the result owns copies of what it
    // keeps, so the mapping can go when the parse ends.
    const MappedFile file(path);
    return parsePickle(file.data(), file.size(), path, limits);
}

}  // namespace synthforge::io
