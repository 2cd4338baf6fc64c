// The README's common options work before or after the command name, for every command: -q/--quiet (global),
// and --dtype, --device, --seed, --force for the commands that take them (moved to the command's own option).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "lib/core/sensitivity_table.h"
#include "tests/search/synthetic_table.h"
#include "tests/support/cli.h"

namespace fs = std::filesystem;
using kvt::test::CliRun;
using kvt::test::run_kvtuner_search;

namespace {

struct Workspace {
  fs::path dir;
  Workspace() {
    dir = fs::temp_directory_path() / ("kvt_cli_common_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Workspace() { fs::remove_all(dir); }
  std::string path(const std::string& name) const { return (dir / name).string(); }
};

// Every command with arguments that parse but fail inside the command on a missing input: the failure is the
// command's own one-line error, so a parse problem (an option "not expected") would show as a different line.
std::map<std::string, std::string> failing_commands(const Workspace& ws) {
  const std::string missing = ws.path("missing");
  return {
      {"inspect", "inspect --model " + missing},
      {"perplexity", "perplexity --model " + missing + " --ids " + missing + ".jsonl"},
      {"profile", "profile --model " + missing + " --out " + ws.path("p.json")},
      {"show", "show --config " + missing + ".yaml"},
      {"export", "export --config " + missing + ".yaml --to json"},
      {"search", "search --sensitivity " + missing + ".json --out " + ws.path("s")},
      {"evaluate", "evaluate --model " + missing + " --config " + missing + ".yaml"},
      {"run", "run --model " + missing + " --out " + ws.path("r")},
      {"tokenize", "tokenize --tokenizer " + missing},
      {"types", "types --engine vllm --model " + missing},
  };
}

// "inspect" from "inspect --model …".
std::string command_of(const std::string& args) { return args.substr(0, args.find(' ')); }

// The commands `kvtuner-search --help` lists.
std::set<std::string> listed_commands() {
  CliRun help = run_kvtuner_search("--help");
  REQUIRE(help.exit_code == 0);
  std::set<std::string> commands;
  std::regex line("\\n  ([a-z]+) ");
  for (auto it = std::sregex_iterator(help.out.begin(), help.out.end(), line); it != std::sregex_iterator(); ++it)
    commands.insert((*it)[1].str());
  return commands;
}

bool has_option(const std::string& command, const std::string& option) {
  CliRun help = run_kvtuner_search(command + " --help");
  REQUIRE(help.exit_code == 0);
  return help.out.find(option + " ") != std::string::npos || help.out.find(option + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("common options: -q/--quiet before or after every command", "[apps][cli]") {
  Workspace ws;
  auto commands = failing_commands(ws);
  std::set<std::string> tested;
  for (const auto& [name, args] : commands) tested.insert(name);
  CHECK(tested == listed_commands());  // a new command must join this test
  for (const auto& [name, args] : commands) {
    INFO(args);
    CliRun plain = run_kvtuner_search(args);
    REQUIRE(plain.exit_code == 2);
    REQUIRE_THAT(plain.err, Catch::Contains("[kvt.input."));
    for (const std::string& variant : {"-q " + args, "--quiet " + args, args + " -q", args + " --quiet"}) {
      INFO(variant);
      CliRun quiet = run_kvtuner_search(variant);
      CHECK(quiet.exit_code == plain.exit_code);
      CHECK(quiet.err == plain.err);  // the command's own error, not "--quiet not expected"
    }
  }
}

TEST_CASE("common options: --quiet after the command silences progress", "[apps][cli]") {
  Workspace ws;
  std::ofstream(ws.path("t.json")) << kvt::to_json(kvt::test::synthetic_table(8, 3)).dump();
  const std::string search = "search --sensitivity " + ws.path("t.json") + " --pop 8 --generations 2 --out ";
  CliRun loud = run_kvtuner_search(search + ws.path("a"));
  REQUIRE(loud.exit_code == 0);
  CHECK_THAT(loud.err, Catch::Contains("search: 8 layers"));
  CliRun after = run_kvtuner_search(search + ws.path("b") + " --quiet");
  REQUIRE(after.exit_code == 0);
  CHECK(after.err.find("search: 8 layers") == std::string::npos);
  CliRun before = run_kvtuner_search("-q " + search + ws.path("c"));
  REQUIRE(before.exit_code == 0);
  CHECK(before.err == after.err);
}

TEST_CASE("common options: --dtype, --device, --seed, --force before the command name", "[apps][cli]") {
  Workspace ws;
  // The value reaches the command's own option: an invalid one is refused by the command with its own error.
  const std::map<std::string, std::pair<std::string, std::string>> probes = {
      {"--dtype", {"float64", "[kvt.input.340]"}},  // refused by the command's dtype check
      {"--device", {"tpu", "[kvt.input.341]"}},
      {"--seed", {"x", "--seed"}},  // CLI11's conversion error names the command's option
  };
  size_t checked = 0;
  for (const auto& [name, args] : failing_commands(ws)) {
    for (const std::string option : {"--dtype", "--device", "--seed", "--force"}) {
      std::string command = command_of(args), rest = args.substr(command.size());
      INFO(option << " with " << command);
      if (!has_option(command, option)) {
        // Written before a command that does not take it: one line naming the option and the command.
        CliRun refused = run_kvtuner_search(option + (option == "--force" ? "" : " x") + " " + args);
        CHECK(refused.exit_code == 2);
        CHECK_THAT(refused.err,
                   Catch::Contains("[kvt.input.120] " + option + ": the " + command + " command has no such option"));
        continue;
      }
      ++checked;
      if (option == "--force") {
        CliRun after = run_kvtuner_search(args + " --force"), before = run_kvtuner_search("--force " + args);
        CHECK(before.exit_code == after.exit_code);
        CHECK(before.err == after.err);
        continue;
      }
      const auto& [value, expected] = probes.at(option);
      CliRun before = run_kvtuner_search(option + " " + value + " " + args);
      CliRun equals = run_kvtuner_search(option + "=" + value + " " + args);
      CliRun after = run_kvtuner_search(args + " " + option + " " + value);
      CHECK(before.exit_code == 2);
      CHECK_THAT(before.err, Catch::Contains(expected));
      CHECK(before.err.find("not expected") == std::string::npos);
      CHECK(before.err == after.err);
      CHECK(equals.err == after.err);
    }
  }
  CHECK(checked >= 12);  // dtype/device: perplexity, profile, evaluate, run; seed and force on several
}

TEST_CASE("common options: --seed and --force before `search` act as after it", "[apps][cli]") {
  Workspace ws;
  std::ofstream(ws.path("t.json")) << kvt::to_json(kvt::test::synthetic_table(8, 3)).dump();
  const std::string table = " --sensitivity " + ws.path("t.json") + " --pop 8 --generations 3";
  REQUIRE(run_kvtuner_search("search" + table + " --seed 11 --out " + ws.path("after")).exit_code == 0);
  REQUIRE(run_kvtuner_search("--seed 11 search" + table + " --out " + ws.path("before")).exit_code == 0);
  for (const auto& entry : fs::directory_iterator(ws.path("after"))) {
    if (!entry.is_regular_file()) continue;
    INFO(entry.path());
    CHECK(kvt::test::slurp_file(entry.path().string()) ==
          kvt::test::slurp_file(ws.path("before") + "/" + entry.path().filename().string()));
  }
  // An existing output is refused, and replaced with --force written before the command name.
  CliRun again = run_kvtuner_search("search" + table + " --seed 11 --out " + ws.path("after"));
  CHECK(again.exit_code == 2);
  CHECK(run_kvtuner_search("--force search" + table + " --seed 11 --out " + ws.path("after")).exit_code == 0);
}
