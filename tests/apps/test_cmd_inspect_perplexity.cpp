// inspect and perplexity through the real executable, against the library and hand-made broken inputs.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "lib/model/forward.h"
#include "lib/model/model.h"
#include "tests/support/cli.h"
#include "tests/support/fixture_model.h"

using namespace kvt;
using Catch::Matchers::Contains;

TEST_CASE("inspect reports the fixture's shape, in text and JSON", "[apps]") {
  test::FixtureSpec spec;
  spec.architecture = "Qwen2ForCausalLM";
  spec.dtype = "BF16";
  spec.sharded = true;
  auto dir = test::write_fixture_model(test::fresh_test_dir("cli_inspect"), spec);
  auto text = test::run_kvtuner_search("inspect --model " + dir);
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Contains("Qwen2ForCausalLM") && Contains("KV heads 2") && Contains("BF16"));
  auto js = test::run_kvtuner_search("inspect --json --model " + dir);
  REQUIRE(js.exit_code == 0);
  auto j = nlohmann::json::parse(js.out);
  auto c = test::fixture_config(spec);
  CHECK(j["layers"] == c.num_layers);
  CHECK(j["kv_heads"] == c.num_kv_heads);
  CHECK(j["head_dim"] == c.head_dim);
  CHECK(j["parameters"] == c.parameter_count());
  // K and V, every layer, every KV head, head_dim values of 2 bytes.
  CHECK(j["kv_cache_bytes_per_token_16bit"] == 2 * c.num_layers * c.num_kv_heads * c.head_dim * 2);
  CHECK(j["weight_dtypes"]["BF16"].get<int>() > 0);
}

TEST_CASE("inspect: bad model directories give one line and a non-zero exit", "[apps]") {
  auto missing = test::run_kvtuner_search("inspect --model /nonexistent/model");
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Contains("/nonexistent/model") && Contains("not a model directory"));
  test::FixtureSpec spec;
  auto dir = test::write_fixture_model(test::fresh_test_dir("cli_inspect_bad"), spec);
  std::ofstream(dir + "/model.safetensors", std::ios::trunc) << "xy";
  auto corrupt = test::run_kvtuner_search("inspect --model " + dir);
  CHECK(corrupt.exit_code == 2);
  CHECK_THAT(corrupt.err, Contains("model.safetensors") && Contains("too short"));
  CHECK(std::count(corrupt.err.begin(), corrupt.err.end(), '\n') == 1);
}

TEST_CASE("perplexity matches the library's log-probabilities", "[apps]") {
  test::FixtureSpec spec;
  auto dir = test::write_fixture_model(test::fresh_test_dir("cli_ppl"), spec);
  auto prompts = test::random_prompts({9, 4}, spec.vocab, 11);
  auto ids = dir + "/ids.jsonl";
  {
    std::ofstream out(ids);
    for (const auto& p : prompts) out << nlohmann::json(p).dump() << "\n";
  }
  auto expected = model::token_logprobs(model::Model::open(dir), prompts, {});
  auto per_token = test::run_kvtuner_search("perplexity --per-token --model " + dir + " --ids " + ids);
  REQUIRE(per_token.exit_code == 0);
  std::istringstream lines(per_token.out);
  std::string line;
  size_t seq = 0;
  double nll = 0;
  size_t count = 0;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    auto got = j["logprobs"].get<std::vector<double>>();
    REQUIRE(got.size() == expected[seq].size());
    // The CLI runs the same prompts in the same batch as the library call here, and the JSON round trip of a
    // double is exact: the values are equal. 1e-9 is far below the ~1e-6 that another batching (other fp32 GEMM
    // blocking of the logits) would cause, so this also checks that the CLI batches the same way.
    for (size_t t = 0; t < got.size(); ++t) CHECK(got[t] == Approx(expected[seq][t]).margin(1e-9));
    for (double x : got) nll -= x;
    count += got.size();
    ++seq;
  }
  CHECK(seq == prompts.size());
  auto summary = test::run_kvtuner_search("perplexity --model " + dir + " --ids " + ids);
  REQUIRE(summary.exit_code == 0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "perplexity %.4f", std::exp(nll / count));
  CHECK_THAT(summary.out,
             Contains(std::string("all 2 sequences: ") + std::to_string(count) + " predicted tokens, " + buf));
}

TEST_CASE("perplexity: input errors", "[apps]") {
  test::FixtureSpec spec;
  auto dir = test::write_fixture_model(test::fresh_test_dir("cli_ppl_err"), spec);
  auto none = test::run_kvtuner_search("perplexity --model " + dir);
  CHECK(none.exit_code == 2);
  CHECK_THAT(none.err, Contains("--ids") && Contains("--text"));
  std::ofstream(dir + "/bad.jsonl") << "[1, 2, 100000]\n";
  auto bad = test::run_kvtuner_search("perplexity --model " + dir + " --ids " + dir + "/bad.jsonl");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Contains("bad.jsonl") && Contains("100000"));
  auto dtype = test::run_kvtuner_search("perplexity --model " + dir + " --ids " + dir + "/bad.jsonl --dtype int3");
  CHECK(dtype.exit_code == 2);
  CHECK_THAT(dtype.err, Contains("--dtype") && Contains("int3"));
}
