#include "core/io/text_tokens.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace synthforge::io {

bool isBlankChar(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::vector<std::string_view> splitTokens(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && isBlankChar(line[i])) ++i;
        const std::size_t start = i;
        while (i < line.size() && !isBlankChar(line[i])) ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

std::string_view trimBlanks(std::string_view s) {
    while (!s.empty() && isBlankChar(s.front())) s.remove_prefix(1);
    while (!s.empty() && isBlankChar(s.back())) s.remove_suffix(1);
    return s;
}

std::string quoteToken(std::string_view t) {
    std::string out = "'";
    const std::size_t shown = std::min<std::size_t>(t.size(), 40);
    for (std::size_t i = 0; i < shown; ++i) {
        const auto c = static_cast<unsigned char>(t[i]);
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
        }
    }
    if (shown < t.size()) out += "...";
    return out + "'";
}

bool parseFiniteFloat(std::string_view t, float& out) {
    if (t.size() > 1 && t.front() == '+' && t[1] != '-' && t[1] != '+') t.remove_prefix(1);
    const auto r = std::from_chars(t.data(), t.data() + t.size(), out, std::chars_format::general);
    return r.ec == std::errc() && r.ptr == t.data() + t.size() && std::isfinite(out);
}

std::string joinInts(const std::vector<std::int64_t>& values) {
    std::string s;
    for (std::size_t i = 0; i < values.size(); ++i) s += (i ? "," : "") + std::to_string(values[i]);
    return s;
}

std::vector<std::int64_t> parseIntList(const std::string& text, const std::string& what) {
    std::vector<std::int64_t> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find(',', start), text.size());
        const std::string item = text.substr(start, end - start);
        try {
            std::size_t used = 0;
            out.push_back(std::stoll(item, &used));
            if (used != item.size()) throw std::invalid_argument(item);
        } catch (const std::exception&) {
            if (text.empty()) break;
            throw std::runtime_error(what + ": not a list of integers: '" + text + "'");
        }
        start = end + 1;
    }
    if (out.empty()) throw std::runtime_error(what + ": empty");
    return out;
}

}  // namespace synthforge::io
