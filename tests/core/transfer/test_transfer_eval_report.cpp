// Reading `transfer eval`'s JSON back: what the studio's before/after view
// shows, and truncated, corrupt and hostile files refused with the field named.

#include <gtest/gtest.h>

#include <random>

#include "core/transfer/transfer_eval_report.h"

namespace synthforge::transfer {
namespace {

const std::string kReport = R"({
  "format": "synthforge-transfer-eval", "version": 1, "source": "/a", "translated": "/b",
  "structure": {"stage1": "/s", "samples": 3, "nme": {"source": 0.05, "translated": 0.08},
                "miou": {"source": 0.7, "translated": 0.6}, "max_nme_increase": 0.05,
                "drifted": ["000001"],
                "per_sample": [{"name": "000000", "nme_increase": 0.0}, {"name": "000001", "nme_increase": 0.09},
                               {"name": "000002", "nme_increase": null}]},
  "identity": {"fr": "/f", "samples": 3, "source_to_translated": 0.93, "same_identity": null, "different_identity": 0.4,
               "per_sample": [{"name": "000000", "cosine": 0.99}, {"name": "000001", "cosine": 0.8}]}
})";

TEST(TransferEvalReport, ReadsWhatTheViewShows) {
    const TransferEvalSummary s = parseTransferEval(kReport, "r.json");
    ASSERT_TRUE(s.hasStructure && s.hasIdentity);
    EXPECT_DOUBLE_EQ(s.sourceNme, 0.05);
    EXPECT_DOUBLE_EQ(s.translatedNme, 0.08);
    EXPECT_DOUBLE_EQ(s.maxNmeIncrease, 0.05);
    EXPECT_DOUBLE_EQ(s.nmeIncrease.at("000001"), 0.09);
    EXPECT_TRUE(std::isnan(s.nmeIncrease.at("000002")));
    EXPECT_EQ(s.drifted, (std::set<std::string>{"000001"}));
    EXPECT_DOUBLE_EQ(s.identityCosine, 0.93);
    EXPECT_TRUE(std::isnan(s.sameIdentity));
    EXPECT_DOUBLE_EQ(s.identityPerSample.at("000001"), 0.8);
    EXPECT_TRUE(s.translatedLandmarks.empty());  // optional
    // Either part may be absent.
    const TransferEvalSummary bare = parseTransferEval(R"({"format": "synthforge-transfer-eval", "version": 1})", "r");
    EXPECT_FALSE(bare.hasStructure || bare.hasIdentity);
}

std::string errorOf(const std::string& text) {
    try {
        parseTransferEval(text, "r.json");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "accepted";
}

TEST(TransferEvalReport, RefusesTruncatedCorruptAndOtherFilesNamingTheField) {
    for (std::size_t cut : {std::size_t{0}, std::size_t{1}, kReport.size() / 3, kReport.size() / 2, kReport.size() - 2})
        EXPECT_EQ(errorOf(kReport.substr(0, cut)).rfind("r.json: (file)", 0), 0u) << cut;
    const auto edited = [](const std::string& from, const std::string& to) {
        std::string t = kReport;
        t.replace(t.find(from), from.size(), to);
        return errorOf(t);
    };
    EXPECT_NE(edited("synthforge-transfer-eval", "synthforge-fr-eval").find("format"), std::string::npos);
    EXPECT_NE(edited("\"version\": 1", "\"version\": 2").find("newer"), std::string::npos);
    EXPECT_NE(edited("\"version\": 1", "\"version\": \"1\"").find("version"), std::string::npos);
    EXPECT_NE(edited("\"source\": 0.05", "\"source\": \"0.05\"").find("structure.nme.source: not a number"), std::string::npos);
    EXPECT_NE(edited("\"drifted\": [\"000001\"]", "\"drifted\": [\"000009\"]").find("has no per_sample entry"), std::string::npos);
    EXPECT_NE(edited("\"drifted\": [\"000001\"]", "\"drifted\": [1]").find("structure.drifted"), std::string::npos);
    EXPECT_NE(edited("{\"name\": \"000000\", ", "{").find("without a name"), std::string::npos);
    EXPECT_NE(edited("\"identity\": {", "\"identity\": [{").find("r.json:"), std::string::npos);
    EXPECT_EQ(errorOf("[1, 2, 3]").rfind("r.json: (file)", 0), 0u);
    EXPECT_NE(edited("\"cosine\": 0.8", "\"cosine\": \"high\"").find("identity.per_sample.cosine: not a number"),
              std::string::npos);
    // Random bytes never crash the reader.
    std::mt19937 rng(5);
    for (int k = 0; k < 200; ++k) {
        std::string t = kReport;
        for (int n = 0; n < 4; ++n) t[rng() % t.size()] = static_cast<char>(rng() % 256);
        try {
            parseTransferEval(t, "r.json");
        } catch (const std::runtime_error&) {
        }
    }
}

TEST(TransferEvalReport, ReadsPredictedLandmarksAndRefusesBadOnes) {
    const TransferEvalSummary s = parseTransferEval(kReport, "r.json");
    EXPECT_TRUE(s.translatedLandmarks.empty());
    std::string t = kReport, pts;
    for (int j = 0; j < 136; ++j) pts += std::string(j ? ", " : "") + std::to_string(j) + ".5";
    t.replace(t.find("\"nme_increase\": 0.09"), 20, "\"nme_increase\": 0.09, \"translated_landmarks\": [" + pts + "]");
    const TransferEvalSummary withPoints = parseTransferEval(t, "r.json");
    ASSERT_EQ(withPoints.translatedLandmarks.at("000001").size(), 136u);
    EXPECT_FLOAT_EQ(withPoints.translatedLandmarks.at("000001")[135], 135.5f);
    t.replace(t.find(", 135.5]"), 8, "]");
    EXPECT_NE(errorOf(t).find("structure.per_sample.000001.translated_landmarks: not 68"), std::string::npos) << errorOf(t);
    t.replace(t.find(", 134.5]"), 8, ", \"x\", 1]");
    EXPECT_NE(errorOf(t).find("translated_landmarks: not finite numbers"), std::string::npos) << errorOf(t);
}

TEST(TransferEvalReport, AMissingFileIsNamed) {
    EXPECT_THROW(loadTransferEval("/nonexistent/transfer_eval.json"), std::runtime_error);
}

}  // namespace
}  // namespace synthforge::transfer
