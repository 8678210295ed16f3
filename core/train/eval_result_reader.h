#pragma once
// Reading eval.json ("synthforge-eval", written by evalResultToJson in
// core/train/eval_report.cpp) back into an EvalResult, for the studio's
// evaluation view and for scripts that compare runs. Torch-free.
//
// Version 1 is read; keys this build does not know are ignored (a newer
// writer may add some without a version bump), a newer version is refused
// with a message that says so. null numbers (how NaN is written) come back
// as NaN. The zero-shot class table's lookup arrays (lut, ignoreGt) are not
// in the file and stay empty.

#include <string>

#include "core/train/evaluator.h"

namespace synthforge::train {

/// The newest eval.json version this build reads.
inline constexpr int kEvalJsonVersion = 1;

/// Parses eval.json text. `source` names the file in messages. Throws
/// std::runtime_error "<source>: <field>: <why>" for text that is not JSON,
/// another format, a newer version, a missing required key or a wrong type.
EvalResult evalResultFromJson(const std::string& text, const std::string& source);

/// Reads and parses `path`; a missing or unreadable file is a
/// std::runtime_error naming it.
EvalResult readEvalResultFile(const std::string& path);

}  // namespace synthforge::train
