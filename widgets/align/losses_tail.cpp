#include "widgets/align/losses_tail.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace synthforge::widgets {

namespace {
std::vector<std::string> splitCommas(const std::string& line) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, ',')) out.push_back(field);
    if (!line.empty() && line.back() == ',') out.emplace_back();
    return out;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && s[i] == ' ') ++i;
    return s.substr(i);
}
}  // namespace

void LossesTail::reset() {
    offset_ = 0;
    partial_.clear();
    names_.clear();
    skipped_ = 0;
    lastError_.clear();
}

std::vector<LossRow> LossesTail::poll() {
    std::vector<LossRow> rows;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path_, ec);
    if (ec) return rows;  // not written yet
    if (size < offset_ + partial_.size()) reset();  // replaced by a shorter file: start over
    std::ifstream in(path_, std::ios::binary);
    if (!in) return rows;
    const std::uint64_t from = offset_ + partial_.size();
    in.seekg(static_cast<std::streamoff>(from));
    std::string chunk(static_cast<std::size_t>(size - from), '\0');
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    chunk.resize(static_cast<std::size_t>(in.gcount()));
    std::string text = partial_ + chunk;
    std::size_t start = 0;
    for (std::size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
        const std::string line = trimmed(text.substr(start, nl - start));
        offset_ += nl + 1 - start;
        start = nl + 1;
        if (line.empty()) continue;
        LossRow row;
        if (parseLine(line, row)) rows.push_back(std::move(row));
    }
    partial_ = text.substr(start);
    return rows;
}

bool LossesTail::parseLine(const std::string& line, LossRow& row) {
    const std::vector<std::string> fields = splitCommas(line);
    if (!fields.empty() && trimmed(fields[0]) == "step") {
        names_.clear();
        for (std::size_t i = 1; i < fields.size(); ++i) names_.push_back(trimmed(fields[i]));
        return false;
    }
    const auto fail = [&](const std::string& why) {
        ++skipped_;
        lastError_ = path_ + ": " + why + ": \"" + line + "\"";
        return false;
    };
    if (names_.empty()) return fail("a row before the header");
    if (fields.size() != names_.size() + 1)
        return fail(std::to_string(fields.size()) + " fields, the header has " + std::to_string(names_.size() + 1));
    char* end = nullptr;
    const std::string stepText = trimmed(fields[0]);
    errno = 0;
    const long long step = std::strtoll(stepText.c_str(), &end, 10);
    if (stepText.empty() || *end != '\0' || errno) return fail("step is not an integer");
    row.step = step;
    row.values.clear();
    for (std::size_t i = 1; i < fields.size(); ++i) {
        const std::string f = trimmed(fields[i]);
        const double v = std::strtod(f.c_str(), &end);
        // A loss the run does not use may be written as nan or left empty.
        row.values.push_back(f.empty() || *end != '\0' ? std::nan("") : v);
    }
    return true;
}

}  // namespace synthforge::widgets
