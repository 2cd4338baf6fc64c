// The NSGA-II checkpoint as run_search_in_dir uses it: a checkpoint is trusted only as far as its genes go (its
// recorded objective values are recomputed), and --force starts over from any checkpoint it cannot use.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lib/core/error.h"
#include "search/checkpoint.h"
#include "search/search_outputs.h"
#include "tests/search/synthetic_table.h"
#include "tests/support/error_text.h"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using namespace kvt;
using namespace kvt::search;

namespace {

fs::path scratch(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("kvt-test-checkpoint-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SearchOptions options(int generations) {
  SearchOptions o;
  o.budgets = {4.0};
  o.nsga2.population = 16;
  o.nsga2.generations = generations;
  o.nsga2.checkpoint_every = 5;
  o.group.enabled = false;
  return o;
}

// A search stopped after 10 generations: its checkpoint, with its outputs removed so the search can continue.
nlohmann::json stopped_search(const SensitivityTable& t, const fs::path& dir) {
  run_search_in_dir(t, options(10), dir.string());
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename() != kCheckpointFileName) fs::remove(e.path());
  return nlohmann::json::parse(slurp(dir / kCheckpointFileName));
}

void write_json(const fs::path& p, const nlohmann::json& j) { std::ofstream(p, std::ios::binary) << j.dump() << "\n"; }

}  // namespace

TEST_CASE("a checkpoint whose archive error was edited is refused, naming the file and field", "[search][checkpoint]") {
  const SensitivityTable t = test::synthetic_table(8, 3);
  const fs::path dir = scratch("edited");
  nlohmann::json j = stopped_search(t, dir);
  REQUIRE(j["archive"].size() >= 2);
  // Resuming the untouched checkpoint works.
  run_search_in_dir(t, options(20), dir.string());
  const std::string resumed_front = slurp(dir / "front.csv");

  // Every archived config claims zero error: the picks would become the cheapest configs.
  for (auto& p : j["archive"]) p["error"] = 0.0;
  for (const auto& e : fs::directory_iterator(dir)) fs::remove(e.path());
  write_json(dir / kCheckpointFileName, j);
  const std::string message = test::error_of([&] { run_search_in_dir(t, options(20), dir.string()); });
  CHECK_THAT(message, Contains("[kvt.input.656]") && Contains((dir / kCheckpointFileName).string()) &&
                          Contains("archive[0].error is 0 but its genes give") && Contains("--force"));
  CHECK_FALSE(fs::exists(dir / "front.csv"));

  // An edited memory and an edited population fitness are caught the same way.
  const fs::path memory_dir = scratch("memory"), fitness_dir = scratch("fitness");
  nlohmann::json memory = stopped_search(t, memory_dir);
  memory["archive"][1]["memory"] = 2.0;
  write_json(memory_dir / kCheckpointFileName, memory);
  CHECK_THAT(test::error_of([&] { run_search_in_dir(t, options(20), memory_dir.string()); }),
             Contains("archive[1].memory"));
  nlohmann::json fitness = stopped_search(t, fitness_dir);
  fitness["fitness"][3][0] = 1e-9;
  write_json(fitness_dir / kCheckpointFileName, fitness);
  CHECK_THAT(test::error_of([&] { run_search_in_dir(t, options(20), fitness_dir.string()); }),
             Contains("fitness[3][0]"));

  // --force starts over: the result is an uninterrupted run's.
  SearchOptions force = options(20);
  force.force = true;
  write_json(dir / kCheckpointFileName, j);
  run_search_in_dir(t, force, dir.string());
  const fs::path fresh = scratch("fresh");
  run_search_in_dir(t, options(20), fresh.string());
  CHECK(slurp(dir / "front.csv") == slurp(fresh / "front.csv"));
  CHECK(resumed_front == slurp(fresh / "front.csv"));  // resuming the true checkpoint is an uninterrupted run too
  for (const auto& d : {dir, memory_dir, fitness_dir, fresh}) fs::remove_all(d);
}

TEST_CASE("a checkpoint that is not valid JSON is refused, and --force starts over", "[search][checkpoint]") {
  const SensitivityTable t = test::synthetic_table(6, 4);
  const fs::path dir = scratch("corrupt");
  std::ofstream(dir / kCheckpointFileName) << "{\"format\": \"kvtuner-nsga2-checkpoint\", ";
  CHECK_THAT(test::error_of([&] { run_search_in_dir(t, options(10), dir.string()); }), Contains("[kvt.input.654]"));
  SearchOptions force = options(10);
  force.force = true;
  CHECK_NOTHROW(run_search_in_dir(t, force, dir.string()));
  CHECK(fs::exists(dir / "front.csv"));
  CHECK_NOTHROW(read_nsga2_checkpoint((dir / kCheckpointFileName).string()));
  // Nesting is bounded before parsing (lib/core/json_limits.h): a deep file is the same one-line error, not a stack
  // overflow.
  std::ofstream(dir / kCheckpointFileName, std::ios::trunc) << std::string(100000, '[') << std::string(100000, ']');
  CHECK_THAT(test::error_of([&] { read_nsga2_checkpoint((dir / kCheckpointFileName).string()); }),
             Contains("[kvt.input.654]") && Contains("nested deeper than 128 levels"));
  fs::remove_all(dir);
}
