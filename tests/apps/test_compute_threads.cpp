// --threads: outputs are byte-identical whatever the thread environment variables (and the core count) say.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "tests/apps/run_workspace.h"

namespace fs = std::filesystem;
using kvt::test::CliRun;
using kvt::test::run_kvtuner_search;
using kvt::test::slurp_file;

TEST_CASE("profile writes the same bytes whatever OMP_NUM_THREADS and OPENBLAS_NUM_THREADS say", "[apps][threads]") {
  // The demo model is large enough for LibTorch and OpenBLAS to split work across threads (before --threads, one and
  // two threads gave different sensitivity tables); a few prompts keep it quick.
  const fs::path dir = kvt::test::fresh_test_dir("compute_threads");
  const std::string args = std::string("-q profile --model ") + KVT_SOURCE_DIR + "/data/models/kvt-demo-6l --calib " +
                           KVT_SOURCE_DIR +
                           "/data/calibration/default.txt --num-prompts 2 --proxy kl --kl-tokens 256 --out ";
  const fs::path one = dir / "one.json", two = dir / "two.json";
  REQUIRE(run_kvtuner_search(args + one.string(), "OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 ").exit_code == 0);
  REQUIRE(run_kvtuner_search(args + two.string(), "OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 ").exit_code == 0);
  CHECK(slurp_file(one) == slurp_file(two));
  CHECK(slurp_file(dir / "one.csv") == slurp_file(dir / "two.csv"));
}

TEST_CASE("the --threads option is checked and accepted before or after the command name", "[apps][threads]") {
  const std::string model = std::string(KVT_SOURCE_DIR) + "/data/models/kvt-demo-6l";
  CHECK(run_kvtuner_search("--threads 2 inspect --model " + model).exit_code == 0);
  CHECK(run_kvtuner_search("inspect --model " + model + " --threads 2").exit_code == 0);
  const CliRun zero = run_kvtuner_search("inspect --model " + model + " --threads 0");
  CHECK(zero.exit_code == 2);
  CHECK(zero.err == "kvtuner-search: error: [kvt.input.121] --threads 0: expected 1..1024\n");
}
