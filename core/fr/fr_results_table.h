#pragma once
// The seed paper's kind of results table from `fr eval` outputs: rows are
// training sets (a label per run; runs that share a label are repeated
// trainings, reported as mean ± std), columns are benchmarks, cells the
// 10-fold verification accuracy. `synthforge fr table` writes it as
// Markdown and CSV.

#include <string>
#include <vector>

namespace synthforge::fr {

struct FrEvalSummary {
    std::string source;
    std::vector<std::string> benchmarks;  ///< in the file's order
    std::vector<double> accuracy;         ///< 10-fold mean accuracy per benchmark
};

/// Reads the benchmark names and accuracies of an fr_eval.json (format
/// "synthforge-fr-eval", version 1; other fields are ignored).
/// std::runtime_error "<source>: <field>: <what>" for anything else:
/// malformed or truncated JSON, another format or a newer version, a
/// benchmark without a name or with an accuracy outside 0..1, a name given
/// twice, no benchmarks, a file over 16 MiB.
FrEvalSummary parseFrEvalJson(const std::string& text, const std::string& source);
/// `path` is an fr_eval.json or a folder holding one.
FrEvalSummary loadFrEval(const std::string& path);

struct FrTableCell {
    int runs = 0;         ///< runs of the row that evaluated this benchmark
    double mean = 0, std = 0;  ///< over those runs (sample std, 0 for one run)
};

struct FrResultsTable {
    std::vector<std::string> rows, columns;
    std::vector<std::vector<FrTableCell>> cells;  ///< [row][column]
};

/// Rows in order of first appearance of each label; columns the union of
/// the benchmarks in order of first appearance. std::invalid_argument when
/// labels and summaries differ in number or there are none.
FrResultsTable frResultsTable(const std::vector<std::string>& labels, const std::vector<FrEvalSummary>& evals);

/// "| training set | lfw | ... |" with "0.9850 ± 0.0021 (n=3)" cells, "–" where a row lacks a benchmark.
std::string frTableMarkdown(const FrResultsTable& t);
/// "training_set,benchmark,runs,mean,std" one line per filled cell.
std::string frTableCsv(const FrResultsTable& t);

}  // namespace synthforge::fr
