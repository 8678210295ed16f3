// `synthforge launch`'s core with /bin/sh as the rank program: every rank
// gets torchrun's variables, a failing rank fails the launch and stops the
// others, a SIGINT to the launcher reaches every rank, each in its own
// process group.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "core/train/process_launcher.h"

using namespace synthforge::train;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

fs::path freshDir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("synthforge_launch_" + name + "_" + std::to_string(getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

LaunchSpec shell(const std::string& script, int nproc) {
    LaunchSpec s;
    s.executable = "/bin/sh";
    s.args = {"-c", script};
    s.nproc = nproc;
    return s;
}

}  // namespace

TEST(ProcessLauncher, EveryRankGetsTorchrunsVariables) {
    const fs::path dir = freshDir("env");
    setenv("RANK", "9", 1);  // an outer launcher's values are replaced
    LaunchSpec s = shell("echo \"$RANK $LOCAL_RANK $WORLD_SIZE $LOCAL_WORLD_SIZE $MASTER_ADDR $MASTER_PORT\" > " +
                             dir.string() + "/$RANK.txt",
                         3);
    s.masterPort = 29876;
    EXPECT_EQ(launchProcesses(s), 0);
    unsetenv("RANK");
    for (int r = 0; r < 3; ++r) {
        const std::string v = std::to_string(r);
        EXPECT_EQ(slurp(dir / (v + ".txt")), v + " " + v + " 3 3 127.0.0.1 29876\n");
    }
    EXPECT_FALSE(fs::exists(dir / "9.txt"));
    fs::remove_all(dir);
}

TEST(ProcessLauncher, AFailingRankFailsTheLaunchAndStopsTheOthers) {
    const auto start = Clock::now();
    // Rank 1 fails at once; the others would sleep for a minute.
    EXPECT_EQ(launchProcesses(shell("if [ \"$RANK\" = 1 ]; then exit 7; fi; exec sleep 60", 3)), 7);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
}

TEST(ProcessLauncher, ARankKilledByASignalGives128PlusTheSignal) {
    EXPECT_EQ(launchProcesses(shell("if [ \"$RANK\" = 0 ]; then kill -KILL $$; fi; exit 0", 2)), 128 + SIGKILL);
}

TEST(ProcessLauncher, ASigintToTheLauncherReachesEveryRankInItsOwnProcessGroup) {
    const fs::path dir = freshDir("sigint");
    // Each rank records its process group and waits in short sleeps (the
    // shell runs a trap only between commands); the INT trap writes a line
    // and exits 5. A rank that never got the signal would run for a minute.
    const std::string script = "d=" + dir.string() +
                               "; trap 'echo int >> $d/$RANK.ints; exit 5' INT; "
                               "echo $$ $(ps -o pgid= -p $$) > $d/$RANK.pgid; touch $d/$RANK.started; "
                               "i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done";
    std::thread interrupter([&] {
        const auto deadline = Clock::now() + std::chrono::seconds(20);
        while (!(fs::exists(dir / "0.started") && fs::exists(dir / "1.started")) && Clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        kill(getpid(), SIGINT);
    });
    const auto start = Clock::now();
    const int code = launchProcesses(shell(script, 2));
    interrupter.join();
    EXPECT_EQ(code, 5);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(20));
    for (const char* r : {"0", "1"}) {
        EXPECT_EQ(slurp(dir / (std::string(r) + ".ints")), "int\n") << "rank " << r;
        // Its own group: a terminal's Ctrl+C reaches the launcher alone,
        // which forwards it once, instead of every rank getting it twice.
        std::istringstream pg(slurp(dir / (std::string(r) + ".pgid")));
        long pid = 0, pgid = -1;
        pg >> pid >> pgid;
        EXPECT_EQ(pid, pgid) << "rank " << r;
    }
    fs::remove_all(dir);
}

TEST(ProcessLauncher, RefusesBadSpecs) {
    EXPECT_THROW(launchProcesses(shell("true", 0)), std::invalid_argument);
    LaunchSpec noProgram = shell("true", 1);
    noProgram.executable.clear();
    EXPECT_THROW(launchProcesses(noProgram), std::invalid_argument);
    LaunchSpec badPort = shell("true", 1);
    badPort.masterPort = 70000;
    EXPECT_THROW(launchProcesses(badPort), std::invalid_argument);
}

TEST(ProcessLauncher, AProgramThatCannotRunFailsWith127) {
    LaunchSpec s;
    s.executable = "/nonexistent/program";
    s.nproc = 2;
    EXPECT_EQ(launchProcesses(s), 127);
}
