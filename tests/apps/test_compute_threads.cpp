// --threads: outputs are byte-identical whatever the thread environment variables (and the core count) say.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/apps/run_workspace.h"

namespace fs = std::filesystem;
using kvt::test::file_text;

namespace {

int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("profile writes the same bytes whatever OMP_NUM_THREADS and OPENBLAS_NUM_THREADS say", "[apps][threads]") {
  // The demo model is large enough for LibTorch and OpenBLAS to split work across threads (before --threads, one and
  // two threads gave different sensitivity tables); a few prompts keep it quick.
  const fs::path dir = kvt::test::fresh_test_dir("compute_threads");
  const std::string args = std::string(KVT_SEARCH_BIN) + " -q profile --model " + KVT_SOURCE_DIR +
                           "/data/models/kvt-demo-6l --calib " + KVT_SOURCE_DIR +
                           "/data/calibration/default.txt --num-prompts 2 --proxy kl --kl-tokens 256 >/dev/null --out ";
  const fs::path one = dir / "one.json", two = dir / "two.json";
  REQUIRE(shell("OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 " + args + one.string()) == 0);
  REQUIRE(shell("OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 " + args + two.string()) == 0);
  CHECK(file_text(one) == file_text(two));
  CHECK(file_text(dir / "one.csv") == file_text(dir / "two.csv"));
}

TEST_CASE("the --threads option is checked and accepted before or after the command name", "[apps][threads]") {
  const fs::path dir = kvt::test::fresh_test_dir("compute_threads_option");
  const std::string model = std::string(KVT_SOURCE_DIR) + "/data/models/kvt-demo-6l";
  const std::string err = (dir / "err.txt").string();
  CHECK(shell(std::string(KVT_SEARCH_BIN) + " --threads 2 inspect --model " + model + " >/dev/null 2>" + err) == 0);
  CHECK(shell(std::string(KVT_SEARCH_BIN) + " inspect --model " + model + " --threads 2 >/dev/null 2>" + err) == 0);
  CHECK(shell(std::string(KVT_SEARCH_BIN) + " inspect --model " + model + " --threads 0 >/dev/null 2>" + err) == 2);
  CHECK(file_text(err) == "kvtuner-search: error: [kvt.input.121] --threads 0: expected 1..1024\n");
}
