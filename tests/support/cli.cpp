#include "tests/support/cli.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace kvt::test {

std::string slurp_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CliRun run_kvtuner_search(const std::string& args, const std::string& env) {
  static std::atomic<int> counter{0};
  auto base = std::filesystem::temp_directory_path() /
              ("kvt-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::string out = base.string() + ".out", err = base.string() + ".err";
  std::string command = env + std::string(KVT_SEARCH_BIN) + " " + args + " >" + out + " 2>" + err + " </dev/null";
  int status = std::system(command.c_str());
  CliRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = slurp_file(out);
  run.err = slurp_file(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return run;
}

}  // namespace kvt::test
