#pragma once
// Crash recovery for the label editor: the widget autosaves on idle to a
// recovery file next to the document, and on start offers to restore it when
// it is newer than the saved map.
//
// One file holds everything (map, class table, metadata) and is written
// atomically (temporary file, then rename), so a kill at any moment leaves
// either the previous complete recovery file or the new one, never a mix of
// two states. A CRC-32 over the whole file catches anything else (a copy cut
// short, a disk error). Layout:
//
//   "SFLABREC"  u32 json length  json  u64 png length  png  u32 crc32
//
// (little-endian; the CRC covers every byte before it). The JSON is
// {"format": "synthforge-label-recovery", "version": 1, "document": path,
// "sequence": n, "written_at_ms": unix ms, "size": side, "classes": {class
// table}}; the PNG is the 8-bit class-id map.

#include <cstdint>
#include <string>

#include <opencv2/core/mat.hpp>

#include "core/annotate/class_table.h"
#include "core/labelmap/label_canvas.h"

namespace synthforge::labelmap {

struct RecoveryState {
    LabelCanvas canvas;
    annotate::ClassTable classes;
    std::string document;        ///< the map file the edits belong to (may be empty)
    std::uint64_t sequence = 0;  ///< the caller's autosave counter
    std::int64_t writtenAtMs = 0;
};

/// Where the recovery file of a document lives: "<document>.recovery".
std::string recoveryPathFor(const std::string& documentPath);

/// The file's bytes for a map snapshot (CV_8UC1, square). Pure: a worker
/// thread can encode a snapshot taken with LabelCanvas::toMat() while the
/// user keeps painting.
std::vector<std::uint8_t> encodeRecovery(const cv::Mat& ids, const annotate::ClassTable& classes,
                                         const std::string& document, std::uint64_t sequence);
/// Encodes and writes atomically. std::invalid_argument for a bad map,
/// std::runtime_error naming the file when writing fails.
void writeRecovery(const std::string& path, const cv::Mat& ids, const annotate::ClassTable& classes,
                   const std::string& document, std::uint64_t sequence);
void writeRecovery(const std::string& path, const LabelCanvas& canvas, const annotate::ClassTable& classes,
                   const std::string& document, std::uint64_t sequence);

/// Reads and checks a recovery file. std::runtime_error "<path>: <field>:
/// <what>" for a missing, truncated, corrupt (CRC) or inconsistent file.
RecoveryState loadRecovery(const std::string& path);

/// True when a recovery file exists and the saved document does not, or is
/// older (modification times). The widget asks this at start and on open.
bool hasNewerRecovery(const std::string& recoveryPath, const std::string& savedPath);

/// Removes the recovery file (after a successful save or a declined restore)
/// and any temporary siblings a killed autosave left; a missing file is fine.
void discardRecovery(const std::string& recoveryPath);

}  // namespace synthforge::labelmap
