// `kvtuner-search run` killed with SIGKILL (no handler, no cleanup) at a few points, then run again: what the killed
// run left holds no half-written result, the next run takes it over (stale temporary files and the lock removed), and
// the resumed run's outputs are byte-identical to those of an uninterrupted run. The kill is triggered by a file
// appearing in the output directory (inotify), never by a timer.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "lib/core/output.h"
#include "lib/core/output_dir.h"
#include "tests/apps/run_workspace.h"

namespace fs = std::filesystem;
using kvt::test::CliRun;
using kvt::test::slurp_file;
using kvt::test::RunWorkspace;

extern char** environ;

namespace {

// Regular files under `dir` with their content, by relative path.
std::map<std::string, std::string> tree_of(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out[e.path().lexically_relative(dir).string()] = slurp_file(e.path());
  return out;
}

bool is_temp_file(const std::string& relative) {
  return kvt::temp_file_owner(fs::path(relative).filename().string()) >= 0;
}

// A file under `out` that matches: `relative` itself, or (when `temp_of` is set) its temporary `<relative>.tmp.<pid>`.
struct Trigger {
  std::string relative;  // e.g. "profile/sensitivity.json"
  bool temp_of = false;  // fire when the temporary file of `relative` is created, before it is renamed into place
};

struct KilledRun {
  bool fired = false;  // the trigger file appeared and the run was sent SIGKILL
  int status = 0;      // waitpid status
  std::string stderr_text;
};

// Starts `kvtuner-search run <args> --out <out>` and sends it SIGKILL as soon as the trigger file appears under `out`
// (an inotify watch on its directory, which the run itself may create). If the run ends first, `fired` is false.
KilledRun run_and_kill(const RunWorkspace& ws, const std::vector<std::string>& args, const fs::path& out,
                       const Trigger& trigger) {
  const fs::path watched = (out / trigger.relative).parent_path();
  const std::string name = fs::path(trigger.relative).filename().string();
  const std::string log = (ws.dir / "killed.stderr").string();
  std::vector<std::string> argv_s = {KVT_SEARCH_BIN, "run"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  argv_s.push_back("--out");
  argv_s.push_back(out.string());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(spawned == 0);

  auto matches = [&](const std::string& file) {
    if (!trigger.temp_of) return file == name;
    return file.rfind(name + ".tmp.", 0) == 0 && kvt::temp_file_owner(file) == pid;
  };
  auto present = [&] {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(watched, ec))
      if (matches(e.path().filename().string())) return true;
    return false;
  };

  KilledRun result;
  const int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  REQUIRE(ino >= 0);
  int wd = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);  // a hang guard, not a trigger
  bool exited = false;
  while (!result.fired && !exited && std::chrono::steady_clock::now() < deadline) {
    if (wd < 0) {
      wd = inotify_add_watch(ino, watched.c_str(), IN_CREATE | IN_MOVED_TO);
      if (wd >= 0 && present()) result.fired = true;  // appeared before the watch was in place
    }
    if (!result.fired && wd >= 0) {
      pollfd p{ino, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) {
        alignas(inotify_event) char buf[8192];
        const ssize_t n = ::read(ino, buf, sizeof buf);
        for (ssize_t i = 0; i < n && !result.fired;) {
          const auto* ev = reinterpret_cast<const inotify_event*>(buf + i);
          if (ev->len > 0 && matches(ev->name)) result.fired = true;
          i += ssize_t(sizeof(inotify_event) + ev->len);
        }
      }
    } else if (!result.fired) {
      ::usleep(1000);  // the directory does not exist yet
    }
    if (result.fired) {
      ::kill(pid, SIGKILL);
      break;
    }
    exited = ::waitpid(pid, &result.status, WNOHANG) == pid;
  }
  ::close(ino);
  if (!exited) {
    if (!result.fired) ::kill(pid, SIGKILL);  // past the hang guard
    REQUIRE(::waitpid(pid, &result.status, 0) == pid);
  }
  result.stderr_text = slurp_file(log);
  return result;
}

}  // namespace

TEST_CASE("a run killed with SIGKILL leaves no half-written result, the next run resumes it byte-identically",
          "[apps][run][outputs][sigkill]") {
  RunWorkspace ws("sigkill");
  // A search long enough (200 generations, a checkpoint every 50) that a kill at its first checkpoint lands in it.
  const std::string joined = "--model " + ws.model + " --ids " + ws.calib + " --heldout-ids " + ws.heldout +
                             " --min-tokens 2 --scheme per-token-asym --pop 16 --generations 200 "
                             "--checkpoint-every 50 --budgets 4 --gen-tokens 6 ";
  std::vector<std::string> args;  // the same, one argument each (the fixture paths hold no spaces)
  std::istringstream words(joined);
  for (std::string w; words >> w;) args.push_back(w);

  const fs::path straight = ws.dir / "straight";
  CliRun uninterrupted = ws.run(joined + "--out " + straight.string());
  INFO(uninterrupted.err);
  REQUIRE(uninterrupted.exit_code == 0);
  const std::map<std::string, std::string> expected = tree_of(straight);
  REQUIRE(expected.count("profile/sensitivity.json") == 1);
  REQUIRE(expected.count("search/nsga2_checkpoint.json") == 1);

  struct KillPoint {
    const char* what;
    Trigger trigger;
  };
  const KillPoint points[] = {
      {"the profile table is in place", {"profile/sensitivity.json", false}},
      {"the profile CSV's temporary file is created (before its rename)", {"profile/sensitivity.csv", true}},
      {"the search's first checkpoint (generation 50 of 200) is in place", {"search/nsga2_checkpoint.json", false}},
      {"the validation re-score is in place (search done, evaluation under way)", {"validation/rescore.json", false}},
  };
  // One loop, not Catch sections: a section would repeat the uninterrupted run for each kill point.
  int index = 0;
  for (const KillPoint& point : points) {
    INFO("killed when " << point.what);
    {
      const fs::path out = ws.dir / ("killed" + std::to_string(index));
      fs::remove_all(out);
      KilledRun killed = run_and_kill(ws, args, out, point.trigger);
      INFO(killed.stderr_text);
      REQUIRE(killed.fired);
      REQUIRE(WIFSIGNALED(killed.status));
      REQUIRE(WTERMSIG(killed.status) == SIGKILL);

      // What the killed run left: every result that is in place is whole (as the uninterrupted run wrote it, or a
      // checkpoint that parses); anything partial is only a temporary file; the manifest says unfinished.
      const std::map<std::string, std::string> left = tree_of(out);
      bool left_temp = false;
      for (const auto& [file, content] : left) {
        INFO("left by the killed run: " << file);
        if (is_temp_file(file)) {
          left_temp = true;
        } else if (file == kvt::kLockFileName) {
          // The lock file stays after SIGKILL; flock(2) itself was released with the process.
        } else if (file == kvt::kManifestFileName) {
          nlohmann::json m = nlohmann::json::parse(content);
          CHECK(m["complete"] == false);
        } else if (fs::path(file).filename() == "nsga2_checkpoint.json") {
          CHECK(nlohmann::json::parse(content).is_object());  // an earlier generation's, but whole
        } else {
          REQUIRE(expected.count(file) == 1);
          CHECK(content == expected.at(file));
        }
      }
      CHECK(left.count(kvt::kManifestFileName) == 1);
      CHECK(left.count("report.md") == 0);  // the last file of a run

      // The next run, without --force, takes the directory over and finishes it.
      CliRun resumed = ws.run(joined + "--out " + out.string());
      INFO(resumed.err);
      REQUIRE(resumed.exit_code == 0);
      if (left_temp) CHECK(resumed.err.find("removed (the temporary file of a killed run)") != std::string::npos);
      // What was in place is used, not recomputed: the profile, and the search from its checkpoint.
      if (left.count("profile/sensitivity.json")) {
        CHECK(resumed.err.find("run: reusing the profile") != std::string::npos);
        CHECK(resumed.err.find("run: profiling") == std::string::npos);
      }
      if (left.count("search/nsga2_checkpoint.json"))
        CHECK(resumed.err.find("resuming NSGA-II from " + (out / "search/nsga2_checkpoint.json").string()) !=
              std::string::npos);
      const std::map<std::string, std::string> now = tree_of(out);
      for (const auto& [file, content] : now) {
        INFO(file);
        CHECK_FALSE(is_temp_file(file));
        CHECK(file != kvt::kLockFileName);
      }
      // Byte-identical to the uninterrupted run, file by file (the manifest included).
      std::vector<std::string> names_now, names_expected;
      for (const auto& kv : now) names_now.push_back(kv.first);
      for (const auto& kv : expected) names_expected.push_back(kv.first);
      REQUIRE(names_now == names_expected);
      for (const auto& [file, content] : expected) {
        INFO("differs from the uninterrupted run: " << file);
        CHECK(now.at(file) == content);
      }
    }
    ++index;
  }
}
