// `synthforge <command> --help-json` (the schema the studio's launch dialog
// is built from) and `--check` (validation without running), through the
// real executables: the torch commands answer through synthforge-torch.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace fs = std::filesystem;
using nlohmann::json;
using synthforge::testutil::readTextFile;

namespace {

struct CliRun {
    int code;
    std::string out, err;
};

CliRun runCli(const std::vector<std::string>& args) {
    static int n = 0;
    const fs::path dir = fs::temp_directory_path() / ("sf_cli_schema_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path out = dir / ("out" + std::to_string(n) + ".txt"), err = dir / ("err" + std::to_string(n++) + ".txt");
    const int code = synthforge::testutil::waitForExit(synthforge::testutil::startCli(args, err, out));
    CliRun r{code, readTextFile(out), readTextFile(err)};
    fs::remove(out);
    fs::remove(err);
    return r;
}

json schemaOf(const std::string& command) {
    const CliRun r = runCli({command, "--help-json"});
    EXPECT_EQ(r.code, 0) << r.err;
    return json::parse(r.out);
}

const json& option(const json& schema, const std::string& name) {
    for (const json& o : schema.at("options"))
        if (o.at("name") == name) return o;
    static const json none;
    ADD_FAILURE() << name << " is not in the schema of " << schema.at("command");
    return none;
}

bool hasOption(const json& schema, const std::string& name) {
    for (const json& o : schema.at("options"))
        if (o.at("name") == name) return true;
    return false;
}

}  // namespace

TEST(CliSchema, TrainOptionsComeFromTheCli11Definitions) {
    const json s = schemaOf("train");
    EXPECT_EQ(s.at("format"), "synthforge-cli-schema");
    EXPECT_EQ(s.at("version"), 1);
    EXPECT_EQ(s.at("command"), "train");
    EXPECT_TRUE(s.at("check").get<bool>());
    EXPECT_NE(s.at("description").get<std::string>().find("Stage I"), std::string::npos);

    const json& schedule = option(s, "--schedule");
    EXPECT_EQ(schedule.at("kind"), "value");
    EXPECT_EQ(schedule.at("type"), "string");
    EXPECT_EQ(schedule.at("choices"), json::array({"cosine", "linear", "constant", "step"}));

    const json& size = option(s, "--size");
    EXPECT_EQ(size.at("type"), "int");
    EXPECT_EQ(size.at("range"), json::array({64, 4096}));
    EXPECT_FALSE(size.at("default").get<std::string>().empty());  // the fast recipe's, as --help shows it

    const json& config = option(s, "--config");
    EXPECT_EQ(config.at("path"), "file");  // CLI::ExistingFile
    EXPECT_EQ(option(s, "--data").at("path"), "dir");
    EXPECT_EQ(option(s, "--out").at("path"), "dir");
    EXPECT_TRUE(option(s, "--out").at("required").get<bool>());
    EXPECT_EQ(option(s, "--seed").at("path"), "none");

    const json& resume = option(s, "--resume");
    EXPECT_EQ(resume.at("kind"), "flag");
    EXPECT_EQ(resume.at("type"), "bool");

    EXPECT_EQ(option(s, "--lr").at("type"), "float");
    EXPECT_EQ(option(s, "--warmup").at("range"), json::array({0, nullptr}));  // CLI::NonNegativeNumber
    EXPECT_EQ(option(s, "--lr").at("group"), "Optimiser and schedule");
    EXPECT_EQ(option(s, "--w-dice").at("group"), "Losses");

    EXPECT_FALSE(hasOption(s, "--help"));
    EXPECT_FALSE(hasOption(s, "--help-json"));
    EXPECT_FALSE(hasOption(s, "--check"));
}

TEST(CliSchema, FrontEndAndOtherTorchCommands) {
    const json g = schemaOf("generate");
    EXPECT_EQ(g.at("command"), "generate");
    EXPECT_TRUE(option(g, "--count").at("required").get<bool>());
    EXPECT_EQ(option(g, "--count").at("range"), json::array({1, 100000000}));
    EXPECT_EQ(option(g, "--size").at("default"), "512");
    EXPECT_EQ(option(g, "--labels").at("path"), "file");
    EXPECT_EQ(option(g, "--normals").at("kind"), "flag");

    const json e = schemaOf("eval");
    EXPECT_TRUE(option(e, "--model").at("required").get<bool>());
    EXPECT_EQ(option(e, "--model").at("path"), "dir");
    EXPECT_EQ(option(e, "--split").at("choices"), json::array({"auto", "all", "train", "val", "test"}));

    const json f = schemaOf("finetune");
    EXPECT_TRUE(option(f, "--format").at("required").get<bool>());
    EXPECT_EQ(option(f, "--stage1").at("path"), "dir");

    const json p = schemaOf("predict");
    EXPECT_TRUE(option(p, "--images").at("multiple").get<bool>());
    const json& tol = option(p, "--cascade-tolerance");
    EXPECT_EQ(tol.at("type"), "float");
    EXPECT_DOUBLE_EQ(tol.at("range")[1].get<double>(), 0.99);

    // A command inside a group answers too.
    const CliRun r = runCli({"head", "render", "--help-json"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out).at("command"), "head render");
}

class CliCheck : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new synthforge::testutil::TempDir;
        synthforge::testutil::writeTinyDataset(dir_->path / "ds", 3, 1);
    }
    static void TearDownTestSuite() { delete dir_; }
    static std::vector<std::string> train(std::vector<std::string> extra) {
        std::vector<std::string> a{"train", "--data", (dir_->path / "ds").string(), "--out",
                                   (dir_->path / "run").string(), "--size", "64", "--check"};
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }
    static synthforge::testutil::TempDir* dir_;
};
synthforge::testutil::TempDir* CliCheck::dir_ = nullptr;

TEST_F(CliCheck, AcceptsAValidTrainCommandWithoutRunning) {
    const CliRun r = runCli(train({"--schedule", "linear", "--lr", "0.001", "--batch", "2"}));
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "ok\n");
    EXPECT_FALSE(fs::exists(dir_->path / "run")) << "--check must not start the run";
}

TEST_F(CliCheck, RefusesBadValuesWithTheCliMessages) {
    // A value the core refuses: exit 1, the field named.
    CliRun r = runCli(train({"--lr", "-1"}));
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_NE(r.err.find("lr"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("error:"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("ok"), std::string::npos);

    // A value CLI11 refuses: usage error, exit 2, with CLI11's message.
    r = runCli(train({"--schedule", "sometimes"}));
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--schedule"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("sometimes not in {cosine,linear,constant,step}"), std::string::npos) << r.err;

    // Not a dataset: the trainer's own message, naming the file.
    r = runCli({"train", "--data", dir_->path.string(), "--out", (dir_->path / "run").string(), "--check"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("manifest.json"), std::string::npos) << r.err;

    // A batch the 3-sample dataset cannot fill (2 train, 1 validates): the trainer's words.
    r = runCli(train({"--batch", "4"}));
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("batch: batch x accumulate (4) exceeds the 2 training samples"), std::string::npos) << r.err;

    // A missing required option.
    r = runCli({"train", "--data", (dir_->path / "ds").string(), "--check"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--out is required"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_->path / "run"));
}

TEST_F(CliCheck, GenerateChecksWithoutWriting) {
    const fs::path out = dir_->path / "gen";
    CliRun r = runCli({"generate", "--count", "2", "--size", "64", "--out", out.string(), "--check"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "ok\n");
    EXPECT_FALSE(fs::exists(out));

    r = runCli({"generate", "--count", "2", "--out", out.string(), "--device", "cuda", "--check"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("--device cuda"), std::string::npos) << r.err;
}

TEST_F(CliCheck, FinetuneEvalAndPredictCheckTheirInputs) {
    const std::string ds = (dir_->path / "ds").string(), missing = (dir_->path / "missing").string();
    CliRun r = runCli({"finetune", "--data", ds, "--format", "lapa2", "--stage1", ds, "--out", missing, "--check"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("format: 'lapa2' is not one of 300w, lapa, celebamask-hq"), std::string::npos) << r.err;
    r = runCli({"finetune", "--data", ds, "--format", "lapa", "--stage1", ds, "--out", missing, "--check"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("missing Stage I weights"), std::string::npos) << r.err;
    // The Stage II-only value checks run too: LaPa has 11 classes.
    r = runCli({"finetune", "--data", ds, "--format", "lapa", "--classes", "19", "--stage1", ds, "--out", missing,
                "--check"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("lapa has 11 classes"), std::string::npos) << r.err;

    r = runCli({"eval", "--model", missing, "--data", ds, "--check"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find(missing + ": no such folder"), std::string::npos) << r.err;
    r = runCli({"eval", "--model", ds, "--data", ds, "--split", "some", "--check"});
    EXPECT_EQ(r.code, 2);
    r = runCli({"eval", "--model", ds, "--data", ds, "--check"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "ok\n");

    r = runCli({"predict", "--model", ds, "--images", ds, "--out", missing, "--size", "32", "--check"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("size: 32 is not 0 or 64..4096"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(missing));
}
