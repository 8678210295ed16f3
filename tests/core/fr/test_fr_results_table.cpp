// `fr table`: fr_eval.json files become the seed paper's kind of table,
// repeated trainings as mean ± sample std; the reader refuses anything but
// the format it reads, naming the file and field.

#include <gtest/gtest.h>

#include <cmath>

#include "core/fr/fr_results_table.h"

namespace synthforge::fr {
namespace {

std::string evalJson(const std::vector<std::pair<std::string, double>>& b) {
    std::string s = R"({"format": "synthforge-fr-eval", "version": 1, "model": "run", "weights": "final", "benchmarks": [)";
    for (std::size_t i = 0; i < b.size(); ++i)
        s += (i ? ", " : "") + std::string(R"({"name": ")") + b[i].first + R"(", "pairs": 6000, "accuracy": {"mean": )" +
             std::to_string(b[i].second) + R"(, "std": 0.01, "folds": [], "thresholds": []}, "eer": 0.1})";
    return s + "]}";
}

TEST(FrResultsTable, RepeatedRunsAverageAndMissingCellsStayEmpty) {
    const std::vector<FrEvalSummary> evals{
        parseFrEvalJson(evalJson({{"lfw", 0.90}, {"cfp_fp", 0.70}}), "a1"),
        parseFrEvalJson(evalJson({{"lfw", 0.94}, {"cfp_fp", 0.74}}), "a2"),
        parseFrEvalJson(evalJson({{"lfw", 0.95}, {"agedb_30", 0.80}}), "b1")};
    const FrResultsTable t = frResultsTable({"synthetic", "synthetic", "transferred"}, evals);
    EXPECT_EQ(t.rows, (std::vector<std::string>{"synthetic", "transferred"}));
    EXPECT_EQ(t.columns, (std::vector<std::string>{"lfw", "cfp_fp", "agedb_30"}));
    EXPECT_EQ(t.cells[0][0].runs, 2);
    EXPECT_NEAR(t.cells[0][0].mean, 0.92, 1e-12);
    EXPECT_NEAR(t.cells[0][0].std, std::sqrt(0.0008), 1e-12);  // sample std of 0.90, 0.94
    EXPECT_EQ(t.cells[0][2].runs, 0);
    EXPECT_EQ(t.cells[1][0].runs, 1);
    EXPECT_EQ(t.cells[1][0].std, 0.0);
    EXPECT_EQ(frTableMarkdown(t),
              "| training set | lfw | cfp_fp | agedb_30 |\n|---|---|---|---|\n"
              "| synthetic | 0.9200 ± 0.0283 (n=2) | 0.7200 ± 0.0283 (n=2) | – |\n"
              "| transferred | 0.9500 | – | 0.8000 |\n");
    EXPECT_EQ(frTableCsv(t),
              "training_set,benchmark,runs,mean,std\n"
              "synthetic,lfw,2,0.920000,0.028284\nsynthetic,cfp_fp,2,0.720000,0.028284\n"
              "transferred,lfw,1,0.950000,0.000000\ntransferred,agedb_30,1,0.800000,0.000000\n");
    EXPECT_EQ(frTableCsv(frResultsTable({"a, b"}, {evals[2]})).substr(37, 8), "\"a, b\",l");
    EXPECT_THROW(frResultsTable({"x"}, {}), std::invalid_argument);
}

void expectRefused(const std::string& text, const std::string& needle) {
    try {
        parseFrEvalJson(text, "e.json");
        ADD_FAILURE() << "accepted " << text;
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("e.json: " + needle), std::string::npos) << e.what();
    }
}

TEST(FrResultsTable, TheReaderRefusesTruncatedCorruptAndOtherFiles) {
    const std::string good = evalJson({{"lfw", 0.9}});
    for (std::size_t n = 0; n < good.size(); n += 5) expectRefused(good.substr(0, n), "");
    expectRefused("[]", "json: expected an object");
    expectRefused(R"({"format": "synthforge-coverage", "version": 1, "benchmarks": []})", "format");
    expectRefused(R"({"format": "synthforge-fr-eval", "version": 2, "benchmarks": []})", "version: unsupported");
    expectRefused(R"({"format": "synthforge-fr-eval", "version": 1, "benchmarks": []})", "benchmarks: empty");
    expectRefused(R"({"format": "synthforge-fr-eval", "version": 1, "benchmarks": [3]})", "benchmarks[0]: expected an object");
    expectRefused(R"({"format": "synthforge-fr-eval", "version": 1, "benchmarks": [{"name": "", "accuracy": {"mean": 0.5}}]})",
                  "benchmarks[0].name");
    expectRefused(R"({"format": "synthforge-fr-eval", "version": 1, "benchmarks": [{"name": "x", "accuracy": {"mean": 1.5}}]})",
                  "benchmarks[0].accuracy.mean: outside 0..1");
    expectRefused(R"({"format": "synthforge-fr-eval", "version": 1, "benchmarks": [{"name": "x", "accuracy": "high"}]})",
                  "benchmarks[0].accuracy.mean: expected a number");
    expectRefused(evalJson({{"lfw", 0.9}, {"lfw", 0.8}}), "benchmarks[1].name: 'lfw' is listed twice");
    EXPECT_THROW(loadFrEval("/nonexistent/fr_eval.json"), std::runtime_error);
}

}  // namespace
}  // namespace synthforge::fr
