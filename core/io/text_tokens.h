#pragma once
// Small pieces every line-based text reader needs (.pts, LaPa landmark
// files): whitespace splitting that tolerates CRLF and tabs, locale-free
// float parsing, and quoting of bad tokens for error messages.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace synthforge::io {

/// Space, tab, CR, VT, FF (so CRLF files read like LF files).
bool isBlankChar(char c);
/// The non-blank runs of a line.
std::vector<std::string_view> splitTokens(std::string_view line);
/// The line without leading and trailing blanks.
std::string_view trimBlanks(std::string_view s);
/// A token for an error message: at most 40 bytes, non-printable bytes as
/// \xNN, in single quotes, so a damaged file cannot flood or garble it.
std::string quoteToken(std::string_view t);
/// Parses a whole token as a finite float with std::from_chars (which,
/// unlike strtof, ignores the C locale's decimal point and accepts no hex or
/// leading spaces); one leading '+' is allowed. False otherwise.
bool parseFiniteFloat(std::string_view t, float& out);

/// "8,16,32" for {8, 16, 32}: how network widths are stored in
/// .safetensors metadata.
std::string joinInts(const std::vector<std::int64_t>& values);
/// The inverse. Throws std::runtime_error "<what>: not a list of integers:
/// '<text>'" for anything else, and "<what>: empty" for an empty list.
std::vector<std::int64_t> parseIntList(const std::string& text, const std::string& what);

}  // namespace synthforge::io
