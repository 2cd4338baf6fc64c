// Runs the kvtuner-search executable the way a user does and captures what it prints.
#pragma once
#include <string>

namespace kvt::test {

struct CliRun {
  int exit_code = -1;  // -1 when the process did not exit normally
  std::string out;     // stdout
  std::string err;     // stderr
};

// `args` is appended to the executable path and run through the shell (quote paths yourself); `env` goes before
// the command (e.g. "OMP_NUM_THREADS=1 ").
CliRun run_kvtuner_search(const std::string& args, const std::string& env = "");
// Whole-file read for comparing outputs.
std::string slurp_file(const std::string& path);

}  // namespace kvt::test
