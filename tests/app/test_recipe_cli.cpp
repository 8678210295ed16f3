// The seed paper's experiment as one recipe (scripts/recipes/
// synthetic_to_authentic.sh) at toy scale, as a user runs it: identities
// rendered, translated (annotations byte-identical, face crops re-aligned on
// the translation), face recognition trained on both and verified on
// held-out identities, the table written; a rerun resumes every step.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"

namespace fs = std::filesystem;

namespace {

using synthforge::testutil::readTextFile;

int runRecipe(const fs::path& out, const fs::path& log) {
    const fs::path script = fs::path(SYNTHFORGE_TEST_DATA_DIR).parent_path().parent_path() / "scripts" / "recipes" /
                            "synthetic_to_authentic.sh";
    const std::string cmd = "SYNTHFORGE='" + std::string(SYNTHFORGE_CLI) + "' SCALE=toy '" + script.string() + "' '" +
                            out.string() + "' > '" + log.string() + "' 2>&1";
    return std::system(cmd.c_str());
}

TEST(RecipeCli, SyntheticToAuthenticRunsAtToyScaleAndResumes) {
    synthforge::testutil::TempDir dir;
    const fs::path out = dir.path / "recipe", log = dir.path / "log.txt";
    ASSERT_EQ(runRecipe(out, log), 0) << readTextFile(log);
    const std::string table = readTextFile(out / "table.md");
    EXPECT_NE(table.find("| training set | held_out_identities |"), std::string::npos) << table;
    EXPECT_NE(table.find("| rendered |"), std::string::npos) << table;
    EXPECT_NE(table.find("| transferred |"), std::string::npos) << table;
    // The translation kept the labels and re-aligned the face crops.
    EXPECT_EQ(readTextFile(out / "identities" / "annotations" / "000005.json"),
              readTextFile(out / "identities_transferred" / "annotations" / "000005.json"));
    int crops = 0, changed = 0;
    for (const auto& e : fs::recursive_directory_iterator(out / "identities" / "fr")) {
        if (!e.is_regular_file()) continue;
        const fs::path rel = fs::relative(e.path(), out / "identities");
        ASSERT_TRUE(fs::exists(out / "identities_transferred" / rel)) << rel;
        ++crops;
        changed += readTextFile(e.path()) != readTextFile(out / "identities_transferred" / rel) ? 1 : 0;
    }
    EXPECT_EQ(crops, 48);
    EXPECT_EQ(changed, crops) << "every crop comes from the translated image";
    // Everything is there: a rerun resumes each step and writes the same table.
    ASSERT_EQ(runRecipe(out, log), 0) << readTextFile(log);
    EXPECT_EQ(readTextFile(out / "table.md"), table);
}

}  // namespace
