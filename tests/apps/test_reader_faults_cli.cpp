// The reader faults of issue 14 through the real executable: each is one line on stderr with its id and exit
// code 2, before any heavy work, never a crash, a hang or a silently wrong result.
#include <ATen/ATen.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "lib/core/sensitivity_table.h"
#include "lib/model/model_config.h"
#include "lib/model/safetensors.h"
#include "tests/search/synthetic_table.h"
#include "tests/support/cli.h"
#include "tests/support/fixture_model.h"

namespace fs = std::filesystem;
using kvt::test::CliRun;
using kvt::test::run_kvtuner_search;

namespace {

// The run failed with exactly one stderr line starting with `prefix`, and exit code 2.
void check_one_line_error(const CliRun& r, const std::string& prefix) {
  CAPTURE(r.out, r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("kvtuner-search: error: " + prefix, 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

std::string write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace

TEST_CASE("cli fault: inspect on a config.json with 1e9 layers ends at once with input.334", "[apps]") {
  kvt::test::FixtureSpec spec;
  auto dir = kvt::test::write_fixture_model(kvt::test::fresh_test_dir("cli_1e9"), spec);
  auto j = kvt::model::to_hf_config_json(kvt::test::fixture_config(spec));
  j["num_hidden_layers"] = 1000000000;
  write(dir + "/config.json", j.dump());
  check_one_line_error(run_kvtuner_search("inspect --model " + dir),
                       "[kvt.input.334] " + dir + ": tensor 'model.layers.2.");
}

TEST_CASE("cli fault: perplexity on NaN weights exits 2 naming the tensor, not 'perplexity -nan'", "[apps]") {
  kvt::test::FixtureSpec spec;
  auto dir = kvt::test::write_fixture_model(kvt::test::fresh_test_dir("cli_nan"), spec);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  {
    kvt::model::SafetensorsFile f(dir + "/model.safetensors");
    for (const auto& info : f.tensors()) {
      at::Tensor t = f.view(info).clone();
      if (info.name == "model.layers.0.self_attn.k_proj.weight") t[0][0] = NAN;
      tensors.emplace_back(info.name, t);
    }
  }
  kvt::model::write_safetensors(dir + "/model.safetensors", tensors, {}, true);
  const std::string ids = write(dir + "/ids.jsonl", "[1, 2, 3, 4, 5, 6]\n");
  CliRun r = run_kvtuner_search("perplexity --model " + dir + " --ids " + ids);
  check_one_line_error(
      r, "[kvt.input.337] " + dir + "/model.safetensors: tensor 'model.layers.0.self_attn.k_proj.weight' holds 1 NaN");
  CHECK(r.out.find("perplexity") == std::string::npos);
}

TEST_CASE("cli fault: --pairs \"\" is an empty list (input.103), not the default pairs", "[apps]") {
  const std::string dir = kvt::test::fresh_test_dir("cli_pairs");
  check_one_line_error(run_kvtuner_search("profile --model " + dir + "/missing --pairs '' --out " + dir + "/p.json"),
                       "[kvt.input.103] --pairs: the list is empty");
  check_one_line_error(run_kvtuner_search("run --model " + dir + "/missing --pairs '' --out " + dir + "/r"),
                       "[kvt.input.103] --pairs: the list is empty");
  CHECK(!fs::exists(dir + "/r"));
}

TEST_CASE("cli fault: inputs that are not regular files are refused, never waited on", "[apps]") {
  const std::string dir = kvt::test::fresh_test_dir("cli_fifo");
  const std::string fifo = dir + "/config.yaml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  check_one_line_error(run_kvtuner_search("show --config " + fifo),
                       "[kvt.input.114] " + fifo + ": is not a regular file (a FIFO)");
  check_one_line_error(run_kvtuner_search("search --sensitivity /dev/zero --out " + dir + "/s"),
                       "[kvt.input.114] /dev/zero: is not a regular file (a character device)");
}

TEST_CASE("cli fault: search refuses a table whose scheme no one can run", "[apps]") {
  const std::string dir = kvt::test::fresh_test_dir("cli_scheme");
  kvt::SensitivityTable t = kvt::test::synthetic_table(4, 2);
  t.scheme = "banana";
  check_one_line_error(run_kvtuner_search("search --sensitivity " +
                                          write(dir + "/banana.json", kvt::to_json(t).dump()) + " --out " + dir + "/b"),
                       "[kvt.input.408] " + dir + "/banana.json: scheme: quantization scheme 'banana' is not known");
  t.scheme = "kivi";  // the recorded parameters say per-token keys: not kivi
  t.scheme_params = {{"key", {{"axis", "per-token"}, {"group_size", 32}, {"residual", 32}, {"symmetric", false}}},
                     {"value", {{"axis", "per-token"}, {"group_size", 32}, {"residual", 32}, {"symmetric", false}}}};
  check_one_line_error(run_kvtuner_search("search --sensitivity " + write(dir + "/kivi.json", kvt::to_json(t).dump()) +
                                          " --out " + dir + "/k"),
                       "[kvt.input.408] " + dir + "/kivi.json: scheme 'kivi' is recorded with parameters that differ");
  CHECK(!fs::exists(dir + "/b"));
  CHECK(!fs::exists(dir + "/k"));
}

TEST_CASE("cli fault: search on a table of 5e-324 errors writes its plot instead of crashing", "[apps]") {
  const std::string dir = kvt::test::fresh_test_dir("cli_tiny");
  kvt::SensitivityTable t = kvt::test::synthetic_table(4, 2);
  for (auto& row : t.e_o)
    for (auto& v : row) v = 5e-324;
  CliRun r = run_kvtuner_search("-q search --sensitivity " + write(dir + "/tiny.json", kvt::to_json(t).dump()) +
                                " --out " + dir + "/s --pop 8 --generations 2");
  CAPTURE(r.err);
  CHECK(r.exit_code == 0);
  CHECK(fs::file_size(dir + "/s/pareto.svg") > 0);
  t.e_o.assign(4, std::vector<double>(t.pairs.size(), 1e308));
  check_one_line_error(run_kvtuner_search("search --sensitivity " + write(dir + "/huge.json", kvt::to_json(t).dump()) +
                                          " --out " + dir + "/h"),
                       "[kvt.input.603] " + dir + "/huge.json: e_o: the largest values of the 4 layers add up to more");
}
