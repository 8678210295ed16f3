#pragma once
// numpy .npy and .npz containers.
//
// Numeric arrays are read directly. An object array (how np.save stores a
// dict, e.g. FLAME's flame_dynamic_embedding.npy or DECA's
// landmark_embedding.npy) is handed to the restricted pickle reader, never
// to anything that can run code.

#include <map>
#include <string>

#include "core/io/ndarray.h"
#include "core/io/pickle.h"

namespace synthforge::io {

/// Contents of one .npy: a numeric array, or (for dtype 'O') the unpickled
/// object; a 0-d object array yields its single element.
struct NpyContent {
    bool isObject = false;
    NdArray array;   ///< when !isObject
    PyRef object;    ///< when isObject
};

NpyContent parseNpy(const std::uint8_t* data, std::size_t size, const std::string& source);
NpyContent loadNpyFile(const std::string& path);

/// Writes a numeric array as .npy version 1.0 (little-endian, C order).
void saveNpyFile(const std::string& path, const NdArray& array);

/// Every member of an .npz (stored or deflated zip), keyed by name without ".npy".
std::map<std::string, NpyContent> loadNpzFile(const std::string& path);

}  // namespace synthforge::io
