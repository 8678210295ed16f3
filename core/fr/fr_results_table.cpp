#include "core/fr/fr_results_table.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/io/file_util.h"

namespace synthforge::fr {

namespace {

[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& what) {
    throw std::runtime_error(source + ": " + field + ": " + what);
}

std::size_t indexOf(std::vector<std::string>& list, const std::string& name) {
    for (std::size_t i = 0; i < list.size(); ++i)
        if (list[i] == name) return i;
    list.push_back(name);
    return list.size() - 1;
}

/// A CSV field, quoted when it holds a comma, quote or line break.
std::string csvField(const std::string& v) {
    if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
    std::string out = "\"";
    for (char ch : v) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return out + "\"";
}

}  // namespace

FrEvalSummary parseFrEvalJson(const std::string& text, const std::string& source) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        fail(source, "json", e.what());
    }
    if (!j.is_object()) fail(source, "json", "expected an object");
    if (!j.contains("format") || j["format"] != "synthforge-fr-eval") fail(source, "format", "expected \"synthforge-fr-eval\"");
    if (!j.contains("version") || !j["version"].is_number_integer()) fail(source, "version", "expected an integer");
    if (j["version"].get<std::int64_t>() < 1 || j["version"].get<std::int64_t>() > 1)
        fail(source, "version", "unsupported version " + j["version"].dump() + " (this build reads 1)");
    if (!j.contains("benchmarks") || !j["benchmarks"].is_array()) fail(source, "benchmarks", "expected an array");
    if (j["benchmarks"].empty()) fail(source, "benchmarks", "empty");
    FrEvalSummary s;
    s.source = source;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < j["benchmarks"].size(); ++i) {
        const nlohmann::json& b = j["benchmarks"][i];
        const std::string field = "benchmarks[" + std::to_string(i) + "]";
        if (!b.is_object()) fail(source, field, "expected an object");
        if (!b.contains("name") || !b["name"].is_string() || b["name"].get<std::string>().empty())
            fail(source, field + ".name", "expected a non-empty string");
        const std::string name = b["name"];
        if (!seen.insert(name).second) fail(source, field + ".name", "'" + name + "' is listed twice");
        if (!b.contains("accuracy") || !b["accuracy"].is_object() || !b["accuracy"].contains("mean") ||
            !b["accuracy"]["mean"].is_number())
            fail(source, field + ".accuracy.mean", "expected a number");
        const double a = b["accuracy"]["mean"].get<double>();
        if (!(a >= 0.0 && a <= 1.0)) fail(source, field + ".accuracy.mean", "outside 0..1");
        s.benchmarks.push_back(name);
        s.accuracy.push_back(a);
    }
    return s;
}

FrEvalSummary loadFrEval(const std::string& path) {
    std::filesystem::path p = path;
    if (std::filesystem::is_directory(p)) p /= "fr_eval.json";
    return parseFrEvalJson(io::readFileText(p.string(), 16u << 20), p.string());
}

FrResultsTable frResultsTable(const std::vector<std::string>& labels, const std::vector<FrEvalSummary>& evals) {
    if (labels.size() != evals.size()) throw std::invalid_argument("fr table: one label per evaluation");
    if (evals.empty()) throw std::invalid_argument("fr table: no evaluations");
    FrResultsTable t;
    std::vector<std::vector<std::vector<double>>> values;  // [row][column] -> accuracies
    for (std::size_t e = 0; e < evals.size(); ++e) {
        const std::size_t r = indexOf(t.rows, labels[e]);
        if (values.size() <= r) values.resize(r + 1);
        for (std::size_t b = 0; b < evals[e].benchmarks.size(); ++b) {
            const std::size_t c = indexOf(t.columns, evals[e].benchmarks[b]);
            if (values[r].size() <= c) values[r].resize(c + 1);
            values[r][c].push_back(evals[e].accuracy[b]);
        }
    }
    t.cells.assign(t.rows.size(), std::vector<FrTableCell>(t.columns.size()));
    for (std::size_t r = 0; r < values.size(); ++r)
        for (std::size_t c = 0; c < values[r].size(); ++c) {
            const std::vector<double>& v = values[r][c];
            FrTableCell& cell = t.cells[r][c];
            cell.runs = static_cast<int>(v.size());
            if (v.empty()) continue;
            for (double x : v) cell.mean += x / static_cast<double>(v.size());
            double ss = 0;
            for (double x : v) ss += (x - cell.mean) * (x - cell.mean);
            cell.std = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0.0;
        }
    return t;
}

std::string frTableMarkdown(const FrResultsTable& t) {
    std::ostringstream out;
    out << "| training set |";
    for (const std::string& c : t.columns) out << ' ' << c << " |";
    out << "\n|---|";
    for (std::size_t c = 0; c < t.columns.size(); ++c) out << "---|";
    out << '\n';
    char cell[64];
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        out << "| " << t.rows[r] << " |";
        for (const FrTableCell& x : t.cells[r]) {
            if (x.runs == 0)
                std::snprintf(cell, sizeof cell, " – |");
            else if (x.runs == 1)
                std::snprintf(cell, sizeof cell, " %.4f |", x.mean);
            else
                std::snprintf(cell, sizeof cell, " %.4f ± %.4f (n=%d) |", x.mean, x.std, x.runs);
            out << cell;
        }
        out << '\n';
    }
    return out.str();
}

std::string frTableCsv(const FrResultsTable& t) {
    std::ostringstream out;
    out << "training_set,benchmark,runs,mean,std\n";
    char line[64];
    for (std::size_t r = 0; r < t.rows.size(); ++r)
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
            const FrTableCell& x = t.cells[r][c];
            if (x.runs == 0) continue;
            std::snprintf(line, sizeof line, ",%d,%.6f,%.6f\n", x.runs, x.mean, x.std);
            out << csvField(t.rows[r]) << ',' << csvField(t.columns[c]) << line;
        }
    return out.str();
}

}  // namespace synthforge::fr
