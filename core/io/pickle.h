#pragma once
// A restricted reader for Python pickles (protocols 0-5).
//
// FLAME ships as Python 2.7 pickles holding numpy arrays, scipy.sparse
// matrices and chumpy objects. Python's own unpickler would import and run
// whatever globals the file names, so we interpret the opcode stream
// ourselves and only rebuild a fixed allow-list of types. Every other global
// is refused with an error that names the file and the global.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/io/ndarray.h"

namespace synthforge::io {

struct PyValue;
using PyRef = std::shared_ptr<PyValue>;

/// scipy.sparse csc/csr matrix as stored in its pickled state.
struct SparseMatrix {
    std::string format;          ///< "csc" or "csr"
    std::int64_t rows = 0, cols = 0;
    NdArray data, indices, indptr;
    /// Dense row-major float64 copy; validates indices and indptr first.
    std::vector<double> toDense() const;
};

/// One unpickled value. A tagged struct rather than std::variant keeps the
/// accessors simple for loader code.
struct PyValue {
    enum class Kind { None, Bool, Int, Float, Str, Bytes, List, Tuple, Dict, Set, Array, Sparse, Object };
    Kind kind = Kind::None;
    bool boolean = false;
    std::int64_t integer = 0;
    double real = 0.0;
    std::string text;  ///< Str (UTF-8) and Bytes (raw; Python 2 str also lands here)
    std::vector<PyRef> items;                       ///< List, Tuple, Set
    std::vector<std::pair<PyRef, PyRef>> entries;   ///< Dict, in insertion order
    NdArray array;                                  ///< Array
    SparseMatrix sparse;                            ///< Sparse
    std::string className;  ///< Object: "module.qualname", e.g. "chumpy.ch.Ch"
    PyRef state;            ///< Object: what BUILD / __setstate__ received

    /// Dict lookup by a Str or Bytes key; nullptr when absent or not a dict.
    /// A hostile pickle may repeat a key; like Python's dict, the last one wins.
    const PyValue* find(const std::string& key) const;
    PyValue* find(const std::string& key);
    /// Human-readable kind name for error messages.
    std::string kindName() const;
};

struct PickleLimits {
    std::size_t maxDepth = 256;         ///< nesting of containers
    std::size_t maxStack = 1u << 20;    ///< values on the VM stack
    std::size_t maxMemo = 1u << 20;     ///< memo entries (memo keys must lie below this)
    /// Rough bound on the bytes the reader allocates for values: this fixed
    /// allowance plus allocPerInputByte per input byte. Memo references let
    /// a few input bytes copy a large array again and again; this stops a
    /// small hostile file from expanding into a huge allocation.
    std::uint64_t allocAllowance = 256ull << 20;
    std::uint64_t allocPerInputByte = 16;
};

/// Parses a pickle held in memory. `source` names the origin (file path) for
/// error messages. Throws std::runtime_error on malformed, truncated or
/// disallowed content; every message starts with "<source>: ".
///
/// What comes back:
///  - numpy arrays -> Array (C order, little-endian); numpy scalars -> Int /
///    Float / Bool. An object-dtype array becomes its single element when
///    0-d (np.save of a dict) and a List of its elements in C order otherwise.
///  - Python 2 `str` -> Bytes; `unicode` / Python 3 `str` -> Str (UTF-8).
///  - scipy.sparse csc/csr -> Sparse (validated); chumpy Ch -> Object with
///    className "chumpy.ch.Ch" and `state` = its __dict__.
///  - set / frozenset -> Set, OrderedDict -> Dict.
/// The result is a tree or DAG: recursive structures (a list that contains
/// itself, or a container changed after being placed inside another) are
/// refused, so no walk over a result can loop.
PyRef parsePickle(const std::uint8_t* data, std::size_t size, const std::string& source,
                  const PickleLimits& limits = {});

/// Reads and parses a pickle file.
PyRef loadPickleFile(const std::string& path, const PickleLimits& limits = {});

}  // namespace synthforge::io
